/*
 * libfs-cffs/cffs: the file operations over the host block layer, which
 * checks every change with XN's code; after each test the free map kept
 * must equal the one rebuilt from the root (nothing leaked or lost).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/memblk.h"
#include "cffs_fixture.h"
#include "unit.h"

static void mkfs_then_mount(void)
{
	struct memblk blank;
	struct cffs_loc root;
	struct cffs_inode ino;

	fresh(64);
	CU_ASSERT_EQUAL(cffs_mount(b), 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/", &root), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &root, &ino), 0);
	CU_ASSERT_EQUAL(ino.mode, CFFS_S_IFDIR | 0755);
	done();
	CU_ASSERT_FATAL(memblk_init(&blank, 64) == 0);
	CU_ASSERT_EQUAL(cffs_mount(&blank.blk), CFFS_EINVAL);
	memblk_free(&blank);
}

static void create_lookup_and_paths(void)
{
	struct cffs_loc a, d, db, x;
	struct cffs_inode ino;

	fresh(64);
	CU_ASSERT_EQUAL(cffs_create(b, "/a", CFFS_S_IFREG | 0644, &a), 0);
	CU_ASSERT_EQUAL(cffs_create(b, "d", CFFS_S_IFDIR | 0755, &d), 0);
	CU_ASSERT_EQUAL(cffs_create(b, "/d/b", CFFS_S_IFREG | 0600, &db), 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/a", &x), 0);
	CU_ASSERT(same(x, a));
	CU_ASSERT_EQUAL(cffs_lookup(b, "//d/./b", &x), 0);
	CU_ASSERT(same(x, db));
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/../d/b/", &x), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/../../a", &x), 0);
	CU_ASSERT(same(x, a));
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/..", &x), 0);
	CU_ASSERT_EQUAL(x.block, b->root);
	/* Directories count their subdirectories' "..". */
	CU_ASSERT_EQUAL(cffs_stat(b, &x, &ino), 0);
	CU_ASSERT_EQUAL(ino.nlink, 3);
	CU_ASSERT_EQUAL(cffs_stat(b, &d, &ino), 0);
	CU_ASSERT_EQUAL(ino.nlink, 2);
	CU_ASSERT_EQUAL(cffs_stat(b, &db, &ino), 0);
	CU_ASSERT_EQUAL(ino.mode, CFFS_S_IFREG | 0600);
	CU_ASSERT_EQUAL(ino.nlink, 1);
	/* The inode is embedded: it sits in the entry that names the file. */
	CU_ASSERT_EQUAL(db.off % CFFS_DIRENT_SIZE, 0);
	CU_ASSERT_EQUAL(cffs_create(b, "/a", CFFS_S_IFREG, NULL), CFFS_EEXIST);
	CU_ASSERT_EQUAL(cffs_create(b, "/", CFFS_S_IFDIR, NULL), CFFS_EEXIST);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/nope", &x), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/a/b", &x), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_create(b, "/nope/f", CFFS_S_IFREG, NULL),
			CFFS_ENOENT);
	done();
}

/* Direct blocks, the single indirect block and, past 12 + 512 blocks,
 * the double indirect one; unaligned writes; holes read as zeros. */
static void write_read_every_level(void)
{
	const uint64_t dbl = (CFFS_NDIRECT + CFFS_PTRS_PER_BLOCK) *
			     (uint64_t)CFFS_BLOCK;
	struct cffs_loc f;
	struct cffs_inode ino;

	fresh(256);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, &f), 0);
	write_pattern(&f, 100, 20000);
	write_pattern(&f, 13 * CFFS_BLOCK - 5, 10);
	write_pattern(&f, dbl + 3, 9000);
	check_range(&f, 100, 20000, 0);
	check_range(&f, 0, 100, 1);
	check_range(&f, 13 * CFFS_BLOCK - 5, 10, 0);
	check_range(&f, 20 * CFFS_BLOCK, 3 * CFFS_BLOCK, 1);
	check_range(&f, dbl + 3, 9000, 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT_EQUAL(ino.size, dbl + 9003);
	CU_ASSERT(ino.ind[0] != 0 && ino.ind[1] != 0 && ino.ind[2] == 0);
	/* Reading past the end gives nothing. */
	CU_ASSERT_EQUAL(cffs_read(b, &f, ino.size, &ino, 1), 0);
	done();
}

/* A small file's data is allocated beside its directory entry. */
static void small_file_beside_its_entry(void)
{
	struct cffs_loc f;
	struct cffs_inode ino;

	fresh(512);
	for (int i = 0; i < 30; i++) {
		char name[16];

		snprintf(name, sizeof(name), "/pad%d", i);
		CU_ASSERT_EQUAL(cffs_create(b, name, CFFS_S_IFREG, &f), 0);
		write_pattern(&f, 0, 100);
	}
	CU_ASSERT_EQUAL(cffs_create(b, "/d", CFFS_S_IFDIR | 0755, NULL), 0);
	CU_ASSERT_EQUAL(cffs_create(b, "/d/f", CFFS_S_IFREG | 0644, &f), 0);
	write_pattern(&f, 0, 3000);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT(ino.direct[0] > f.block && ino.direct[0] - f.block <= 2);
	done();
}

static void unlink_frees_every_block(void)
{
	struct cffs_loc f;
	uint64_t before;

	fresh(256);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, &f), 0);
	before = memblk_free_count(&m);
	write_pattern(&f, 0, 30 * CFFS_BLOCK);
	write_pattern(&f, (CFFS_NDIRECT + CFFS_PTRS_PER_BLOCK + 700) *
			  (uint64_t)CFFS_BLOCK, 10);
	CU_ASSERT(memblk_free_count(&m) < before - 30);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/f"), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/f", &f), CFFS_ENOENT);
	done();
}

static void truncate_keeps_the_file(void)
{
	struct cffs_loc f;
	struct cffs_inode ino;
	uint64_t before;

	fresh(64);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, &f), 0);
	before = memblk_free_count(&m);
	write_pattern(&f, 0, 14 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_truncate(b, &f), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT_EQUAL(ino.size, 0);
	CU_ASSERT_EQUAL(ino.mode, CFFS_S_IFREG | 0644);
	done();
}

/* Enough entries to need many DIR blocks; readdir sees each once. */
static void big_directory_and_readdir(void)
{
	enum { N = 150 };
	char path[64], name[CFFS_NAME_MAX + 1];
	static char seen[N];
	struct cffs_loc d;
	struct cffs_inode ino;
	uint64_t cursor = 0;
	int r, count = 0;

	fresh(128);
	CU_ASSERT_EQUAL(cffs_create(b, "/d", CFFS_S_IFDIR | 0755, &d), 0);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/d/file%d", i);
		CU_ASSERT_EQUAL(cffs_create(b, path, CFFS_S_IFREG, NULL), 0);
	}
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d", &d), 0);
	memset(seen, 0, sizeof(seen));
	while ((r = cffs_readdir(b, &d, &cursor, name, &ino)) == 1) {
		int i = atoi(name + 4);

		CU_ASSERT(i >= 0 && i < N && !seen[i]);
		if (i >= 0 && i < N)
			seen[i] = 1;
		count++;
	}
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(count, N);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/d"), CFFS_ENOTEMPTY);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/d/file%d", i);
		CU_ASSERT_EQUAL(cffs_unlink(b, path), 0);
	}
	CU_ASSERT_EQUAL(cffs_unlink(b, "/d"), 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d", &d), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/", &d), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &d, &ino), 0);
	CU_ASSERT_EQUAL(ino.nlink, 2);
	done();
}

static void symlinks_hold_their_target(void)
{
	char buf[64];
	struct cffs_loc l, f;
	struct cffs_inode ino;

	fresh(64);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, &f), 0);
	CU_ASSERT_EQUAL(cffs_symlink(b, "/l", "/usr/bin/busybox"), 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/l", &l), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &l, &ino), 0);
	CU_ASSERT_EQUAL(ino.mode, CFFS_S_IFLNK | 0777);
	CU_ASSERT_EQUAL(ino.size, 16);
	CU_ASSERT_EQUAL(cffs_readlink(b, &l, buf, sizeof(buf)), 16);
	CU_ASSERT(!memcmp(buf, "/usr/bin/busybox", 16));
	CU_ASSERT_EQUAL(cffs_readlink(b, &f, buf, sizeof(buf)), CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_symlink(b, "/l", "x"), CFFS_EEXIST);
	CU_ASSERT_EQUAL(cffs_symlink(b, "/e", ""), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/l/x", &l), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/l"), 0);
	done();
}

static void setattr_changes_only_what_is_asked(void)
{
	struct cffs_loc f;
	struct cffs_inode ino, attr = { .mode = CFFS_S_IFDIR | 04750,
					.uid = 1000, .gid = 100,
					.mtime_ns = 1234567890 };

	fresh(64);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, &f), 0);
	write_pattern(&f, 0, 10);
	CU_ASSERT_EQUAL(cffs_setattr(b, &f, &attr, CFFS_SET_MODE), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT_EQUAL(ino.mode, CFFS_S_IFREG | 04750); /* the type stays */
	CU_ASSERT_EQUAL(ino.uid, 0);
	CU_ASSERT_EQUAL(cffs_setattr(b, &f, &attr,
				     CFFS_SET_OWNER | CFFS_SET_MTIME), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT(ino.uid == 1000 && ino.gid == 100);
	CU_ASSERT_EQUAL(ino.mtime_ns, 1234567890);
	CU_ASSERT_EQUAL(ino.atime_ns, 0);
	CU_ASSERT_EQUAL(ino.size, 10);
	check_range(&f, 0, 10, 0);
	done();
}

/* 10,000 entries (1,250 DIR blocks): through the directory's single
 * and into its double indirect block; every name found, listed once,
 * removable. */
static void ten_thousand_entries(void)
{
	enum { N = 10000 };
	static char seen[N];
	char path[32], name[CFFS_NAME_MAX + 1];
	struct cffs_loc d, f;
	struct cffs_inode ino;
	uint64_t cursor = 0, before;
	int count = 0, ok = 1;

	fresh(2048); /* 1,250 DIR blocks and their pointer blocks */
	CU_ASSERT_EQUAL(cffs_create(b, "/d", CFFS_S_IFDIR | 0755, &d), 0);
	before = memblk_free_count(&m);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/d/%d", i);
		ok &= cffs_create(b, path, CFFS_S_IFREG | 0644, NULL) == 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(cffs_stat(b, &d, &ino), 0);
	CU_ASSERT_EQUAL(ino.size, (N / CFFS_DIRENTS) * (uint64_t)CFFS_BLOCK);
	CU_ASSERT_EQUAL(N % CFFS_DIRENTS, 0);
	CU_ASSERT(ino.ind[0] != 0 && ino.ind[1] != 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/9999", &f), 0);
	memset(seen, 0, sizeof(seen));
	while (cffs_readdir(b, &d, &cursor, name, &ino) == 1) {
		int i = atoi(name);

		ok &= i >= 0 && i < N && !seen[i];
		seen[i % N] = 1;
		count++;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(count, N);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/d/%d", i);
		ok &= cffs_unlink(b, path) == 0;
	}
	CU_ASSERT(ok);
	/* The directory keeps its (now empty) blocks until it is removed. */
	CU_ASSERT_EQUAL(cffs_unlink(b, "/d"), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	done();
}

static int64_t ticks;

static int64_t fake_clock(void)
{
	return ticks += 10;
}

/* With a clock, creating stamps all three times; writing, mtime and
 * ctime; an entry coming or going, its directory's. */
static void times_follow_changes(void)
{
	struct cffs_loc root, f;
	struct cffs_inode ino, dir;
	struct cffs_inode when = { .atime_ns = 5 };

	fresh(64);
	ticks = 1000;
	b->now = fake_clock;
	CU_ASSERT_EQUAL(cffs_lookup(b, "/", &root), 0);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, &f), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT(ino.atime_ns == 1010 && ino.mtime_ns == 1010 &&
		  ino.ctime_ns == 1010);
	CU_ASSERT_EQUAL(cffs_stat(b, &root, &dir), 0);
	CU_ASSERT(dir.mtime_ns > 1010 && dir.ctime_ns == dir.mtime_ns);
	write_pattern(&f, 0, 10);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT(ino.mtime_ns > dir.mtime_ns && ino.atime_ns == 1010);
	/* utimes sets what it is given and stamps the change. */
	CU_ASSERT_EQUAL(cffs_setattr(b, &f, &when, CFFS_SET_ATIME), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &dir), 0);
	CU_ASSERT(dir.atime_ns == 5 && dir.mtime_ns == ino.mtime_ns &&
		  dir.ctime_ns > ino.ctime_ns);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/f"), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &root, &dir), 0);
	CU_ASSERT_EQUAL(dir.mtime_ns, ticks);
	done();
}

static void bad_arguments_refused(void)
{
	char longname[CFFS_NAME_MAX + 3];
	struct cffs_loc root, f;
	uint8_t buf[8];

	fresh(64);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(cffs_create(b, longname, CFFS_S_IFREG, NULL),
			CFFS_ENAMETOOLONG);
	CU_ASSERT_EQUAL(cffs_create(b, "/l", CFFS_S_IFLNK | 0777, NULL),
			CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/", &root), 0);
	CU_ASSERT_EQUAL(cffs_read(b, &root, 0, buf, 8), CFFS_EISDIR);
	CU_ASSERT_EQUAL(cffs_write(b, &root, 0, buf, 8), CFFS_EISDIR);
	CU_ASSERT_EQUAL(cffs_truncate(b, &root), CFFS_EISDIR);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/"), CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_fsync(b, &root), 0);
	CU_ASSERT_EQUAL(cffs_fsync(b, &(struct cffs_loc){ 5, 40, 0 }), CFFS_EIO);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG, &f), 0);
	CU_ASSERT_EQUAL(cffs_write(b, &f, UINT64_MAX - 2, buf, 8), CFFS_EFBIG);
	CU_ASSERT_EQUAL(cffs_readdir(b, &f, &(uint64_t){ 0 }, (char[256]){ 0 },
				     &(struct cffs_inode){ 0 }), CFFS_ENOTDIR);
	done();
}

/* A damaged directory (as a corrupt image would hold it) is refused
 * with CFFS_EIO: no overrun, no walk through holes. */
static void corrupt_directory_refused(void)
{
	char name[CFFS_NAME_MAX + 1];
	struct cffs_loc d, f;
	struct cffs_inode ino;
	struct cffs_dirent *e;
	uint64_t cursor = 0;

	fresh(64);
	CU_ASSERT_EQUAL(cffs_create(b, "/d", CFFS_S_IFDIR | 0755, &d), 0);
	CU_ASSERT_EQUAL(cffs_create(b, "/d/f", CFFS_S_IFREG, &f), 0);
	e = (struct cffs_dirent *)(m.data[f.block] + f.off);
	e->namelen = 60000;
	CU_ASSERT_EQUAL(cffs_readdir(b, &d, &cursor, name, &ino), CFFS_EIO);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/f", &f), CFFS_EIO);
	e->namelen = 1;
	CU_ASSERT_EQUAL(cffs_readdir(b, &d, &cursor, name, &ino), 1);
	/* A directory claiming a huge size over a hole. */
	CU_ASSERT_EQUAL(cffs_stat(b, &d, &ino), 0);
	ino.size = UINT64_MAX / 2;
	memcpy(m.data[d.block] + d.off, &ino, sizeof(ino));
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/nope", &f), CFFS_EIO);
	ino.size = CFFS_BLOCK;
	memcpy(m.data[d.block] + d.off, &ino, sizeof(ino));
	done();
}

/* A full disk: the write stops short or fails, and nothing is lost. */
static void full_disk_loses_nothing(void)
{
	static uint8_t big[64 * CFFS_BLOCK];
	struct cffs_loc f;
	long n;

	fresh(16);
	CU_ASSERT_EQUAL(cffs_create(b, "/f", CFFS_S_IFREG, &f), 0);
	n = cffs_write(b, &f, 0, big, sizeof(big));
	CU_ASSERT(n > 0 && n < (long)sizeof(big));
	CU_ASSERT_EQUAL(cffs_write(b, &f, (uint64_t)n, big, 1), CFFS_ENOSPC);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/f"), 0);
	/* XN's four, the root and the root directory's block stay */
	CU_ASSERT_EQUAL(memblk_free_count(&m), 16 - 6);
	done();
}

/* The block layer refuses a change whose delta does not match it, as
 * XN does: C-FFS cannot claim a block without declaring it. */
static void undeclared_pointer_refused(void)
{
	static const struct xok_xn_delta none;
	uint64_t ptr = 40;
	struct xok_xn_mod mod = { CFFS_OFF_ROOT + CFFS_OFF_DIRECT, 8,
				  (uint64_t)(uintptr_t)&ptr };

	fresh(64);
	CU_ASSERT_NOT_EQUAL(b->ops->modify(b, b->root, &mod, 1, &none), 0);
	done();
}

void add_cffs_tests(void)
{
	static const struct unit_test tests[] = {
		{ "mkfs_then_mount", mkfs_then_mount },
		{ "create_lookup_and_paths", create_lookup_and_paths },
		{ "write_read_every_level", write_read_every_level },
		{ "small_file_beside_its_entry", small_file_beside_its_entry },
		{ "unlink_frees_every_block", unlink_frees_every_block },
		{ "truncate_keeps_the_file", truncate_keeps_the_file },
		{ "big_directory_and_readdir", big_directory_and_readdir },
		{ "ten_thousand_entries", ten_thousand_entries },
		{ "symlinks_hold_their_target", symlinks_hold_their_target },
		{ "setattr_changes_only_what_is_asked",
		  setattr_changes_only_what_is_asked },
		{ "times_follow_changes", times_follow_changes },
		{ "bad_arguments_refused", bad_arguments_refused },
		{ "corrupt_directory_refused", corrupt_directory_refused },
		{ "full_disk_loses_nothing", full_disk_loses_nothing },
		{ "undeclared_pointer_refused", undeclared_pointer_refused },
		{ 0, 0 },
	};
	add_suite("cffs", tests);
}
