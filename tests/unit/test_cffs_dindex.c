/*
 * libfs-cffs: the name index (dindex.h) in a directory of 1,000 names:
 * lookups, creates that find the name free, unlinks and renames agree
 * with a directory searched entry by entry; changes made without the
 * index (as another process, with its own index, makes them) are seen;
 * and the table emptied when full loses nothing.
 */
#include <stdio.h>
#include <string.h>

#include "../../libfs-cffs/dindex.h"
#include "cffs_fixture.h"
#include "unit.h"

#define NAMES 1000

static struct cffs_dindex ix;

static void name_of(char *p, size_t size, const char *dir, int i)
{
	snprintf(p, size, "%s/f%04d", dir, i);
}

/* Makes /d with NAMES files, file i holding i's number as its size. */
static void populate(void)
{
	char p[32];
	struct cffs_loc f;

	CU_ASSERT_FATAL(cffs_mkdir(b, "/d", 0755) == 0);
	for (int i = 0; i < NAMES; i++) {
		name_of(p, sizeof(p), "/d", i);
		CU_ASSERT_FATAL(cffs_create(b, p, CFFS_S_IFREG | 0644, &f) == 0);
		CU_ASSERT_FATAL(cffs_write(b, &f, 0, p, (size_t)(i % 7) + 1) ==
				(long)(i % 7) + 1);
	}
}

/* A fresh disk of `nblocks` with an empty index in use, and /d. */
static void start(uint64_t nblocks)
{
	fresh(nblocks);
	dindex_reset(&ix);
	b->index = &ix;
	populate();
}

static void finish(void)
{
	b->index = NULL;
	done();
}

/* Does `path` name a file of `size` bytes (size 0: nothing)? */
static int names(const char *path, uint64_t size)
{
	struct cffs_loc f;
	struct cffs_inode ino;
	int r = cffs_lookup(b, path, &f);

	if (!size)
		return r == CFFS_ENOENT;
	return !r && !cffs_stat(b, &f, &ino) && ino.size == size;
}

static void every_name_found(void)
{
	char p[32];
	int ok = 1;

	start(4096);
	for (int i = 0; i < NAMES; i++) {
		name_of(p, sizeof(p), "/d", i);
		ok &= names(p, (uint64_t)(i % 7) + 1);
		CU_ASSERT(cffs_create(b, p, CFFS_S_IFREG, NULL) == CFFS_EEXIST);
	}
	CU_ASSERT(ok);
	CU_ASSERT(names("/d/nothing", 0));
	finish();
}

/* Another process (here: the same disk without this index) removes,
 * renames and creates names; the index must not answer from before. */
static void changes_by_another_instance(void)
{
	char p[32];
	int ok = 1;

	start(4096);
	CU_ASSERT(names("/d/f0500", 500 % 7 + 1)); /* the index knows all */
	b->index = NULL;
	CU_ASSERT(cffs_unlink(b, "/d/f0500") == 0);
	CU_ASSERT(cffs_rename(b, "/d/f0001", "/d/moved") == 0);
	CU_ASSERT(cffs_create(b, "/d/new", CFFS_S_IFREG | 0644, NULL) == 0);
	b->index = &ix;
	CU_ASSERT(names("/d/f0500", 0));
	CU_ASSERT(names("/d/f0001", 0));
	CU_ASSERT(names("/d/moved", 1 % 7 + 1));
	CU_ASSERT(cffs_create(b, "/d/new", CFFS_S_IFREG, NULL) == CFFS_EEXIST);
	/* The freed slot is taken again, and everything else still found. */
	CU_ASSERT(cffs_create(b, "/d/f0500", CFFS_S_IFREG | 0644, NULL) == 0);
	for (int i = 2; i < NAMES; i++) {
		name_of(p, sizeof(p), "/d", i);
		ok &= i == 500 || names(p, (uint64_t)(i % 7) + 1);
	}
	CU_ASSERT(ok);
	CU_ASSERT(!names("/d/f0500", 0)); /* there again, empty */
	finish();
}

/* More names than the table holds: it is emptied, and lookups fall back
 * to searching; unlinks through the index give every slot back. */
static void table_overflow_and_unlinks(void)
{
	char p[32];
	int ok = 1;

	start(8192);
	CU_ASSERT_FATAL(cffs_mkdir(b, "/e", 0755) == 0);
	for (int i = 0; i < DINDEX_NAMES; i++) {
		name_of(p, sizeof(p), "/e", i);
		ok &= cffs_create(b, p, CFFS_S_IFREG | 0644, NULL) == 0;
	}
	for (int i = 0; i < NAMES; i++) {
		name_of(p, sizeof(p), "/d", i);
		ok &= names(p, (uint64_t)(i % 7) + 1) && !cffs_unlink(b, p);
	}
	for (int i = 0; i < DINDEX_NAMES; i++) {
		name_of(p, sizeof(p), "/e", i);
		ok &= !cffs_unlink(b, p);
	}
	CU_ASSERT(ok);
	CU_ASSERT(cffs_rmdir(b, "/d") == 0);
	CU_ASSERT(cffs_rmdir(b, "/e") == 0);
	finish();
}

void add_cffs_dindex_tests(void)
{
	static const struct unit_test tests[] = {
		{ "every_name_found", every_name_found },
		{ "changes_by_another_instance", changes_by_another_instance },
		{ "table_overflow_and_unlinks", table_overflow_and_unlinks },
		{ 0, 0 },
	};
	add_suite("cffs_dindex", tests);
}
