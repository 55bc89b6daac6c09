/*
 * libfs-cffs: rename, hard links, mkdir and rmdir over memblk, which
 * checks every change (two-block ones with xn_check_pair) with XN's
 * code; after each test the free map kept must equal the one rebuilt
 * from the root.
 */
#include <string.h>

#include "cffs_fixture.h"
#include "unit.h"

#define MODE (CFFS_S_IFREG | 0644)
#define DIR (CFFS_S_IFDIR | 0755)

/* Creates `path` holding `len` bytes of the pattern. */
static void make_file(const char *path, size_t len)
{
	struct cffs_loc f;

	CU_ASSERT_EQUAL_FATAL(cffs_create(b, path, MODE, &f), 0);
	if (len)
		write_pattern(&f, 0, len);
}

/* Does `path` hold exactly `len` bytes of the pattern? */
static void holds(const char *path, size_t len)
{
	struct cffs_loc f;
	struct cffs_inode ino;

	CU_ASSERT_EQUAL_FATAL(cffs_lookup(b, path, &f), 0);
	CU_ASSERT_EQUAL(cffs_stat(b, &f, &ino), 0);
	CU_ASSERT_EQUAL(ino.size, len);
	if (len)
		check_range(&f, 0, len, 0);
}

static uint32_t nlink_of(const char *path)
{
	struct cffs_loc f;
	struct cffs_inode ino = { 0 };

	if (cffs_lookup(b, path, &f) || cffs_stat(b, &f, &ino))
		return 0;
	return ino.nlink;
}

static int exists(const char *path)
{
	struct cffs_loc f;

	return cffs_lookup(b, path, &f) == 0;
}

static void rename_in_place(void)
{
	struct cffs_loc before, after;

	fresh(64);
	make_file("/a", 5000);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/a", &before), 0);
	CU_ASSERT_EQUAL(cffs_rename(b, "/a", "/b"), 0);
	CU_ASSERT(!exists("/a"));
	holds("/b", 5000);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/b", &after), 0);
	CU_ASSERT(same(before, after)); /* the same entry, renamed */
	done();
}

/* A file over a file: the name switches, the old file's blocks go. */
static void rename_over_a_file(void)
{
	uint64_t free_before;

	fresh(64);
	make_file("/a", 3 * CFFS_BLOCK);
	free_before = memblk_free_count(&m);
	make_file("/b", 5 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_rename(b, "/a", "/b"), 0);
	CU_ASSERT(!exists("/a"));
	holds("/b", 3 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(memblk_free_count(&m), free_before);
	done();
}

/* Eight entries fill a directory block: the ninth lands in the next. */
static void fill_block(const char *dir)
{
	char p[64];

	for (int i = 0; i < CFFS_DIRENTS; i++) {
		snprintf(p, sizeof(p), "%s/filler%d", dir, i);
		make_file(p, 0);
	}
}

static void rename_across_blocks_of_a_directory(void)
{
	struct cffs_loc x, y;

	fresh(128);
	make_file("/x", 20 * CFFS_BLOCK); /* an indirect block too */
	fill_block("");
	make_file("/y", 100);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/x", &x), 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/y", &y), 0);
	CU_ASSERT(x.block != y.block);
	CU_ASSERT_EQUAL(cffs_rename(b, "/x", "/y"), 0); /* x's blocks move */
	holds("/y", 20 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/y", &x), 0);
	CU_ASSERT(same(x, y));
	CU_ASSERT(!exists("/x"));
	CU_ASSERT_EQUAL(cffs_rename(b, "/y", "/filler0"), 0); /* and back */
	holds("/filler0", 20 * CFFS_BLOCK);
	done();
}

static void rename_across_directories(void)
{
	fresh(128);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d1", 0755), 0);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d2", 0755), 0);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d1/sub", 0755), 0);
	make_file("/d1/f", 7000);
	make_file("/d1/sub/inner", 300);
	CU_ASSERT_EQUAL(nlink_of("/d1"), 3);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d1/f", "/d2/g"), 0);
	holds("/d2/g", 7000);
	CU_ASSERT(!exists("/d1/f"));
	CU_ASSERT_EQUAL(nlink_of("/d2"), 2); /* a file: no ".." */
	/* A directory moves with its whole subtree. */
	CU_ASSERT_EQUAL(cffs_rename(b, "/d1/sub", "/d2/sub"), 0);
	holds("/d2/sub/inner", 300);
	CU_ASSERT_EQUAL(nlink_of("/d1"), 2);
	CU_ASSERT_EQUAL(nlink_of("/d2"), 3);
	CU_ASSERT_EQUAL(nlink_of("/"), 4);
	/* Over an empty directory: the old one and its block go. */
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d1/empty", 0700), 0);
	make_file("/d1/empty/tmp", 10);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/d1/empty/tmp"), 0);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d2/sub", "/d1/empty"), 0);
	holds("/d1/empty/inner", 300);
	CU_ASSERT_EQUAL(nlink_of("/d1"), 3);
	CU_ASSERT_EQUAL(nlink_of("/d2"), 2);
	done();
}

/* Past the single indirect block: the double indirect tree moves. */
static void large_file_across_directories(void)
{
	const size_t len = (CFFS_NDIRECT + CFFS_PTRS_PER_BLOCK + 9) *
			   (size_t)CFFS_BLOCK + 77;
	uint64_t free_after;

	fresh(1024);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/src", 0755), 0);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/dst", 0755), 0);
	fill_block("/dst");
	make_file("/src/big", len);
	free_after = memblk_free_count(&m);
	CU_ASSERT_EQUAL(cffs_rename(b, "/src/big", "/dst/big"), 0);
	holds("/dst/big", len);
	/* Only /dst's new directory block: the file's blocks moved. */
	CU_ASSERT_EQUAL(memblk_free_count(&m), free_after - 1);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/dst/big"), 0);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/src"), 0);
	done();
}

static void rename_refusals(void)
{
	fresh(128);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d", 0755), 0);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d/e", 0755), 0);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/full", 0755), 0);
	make_file("/full/x", 1);
	make_file("/f", 10);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d", "/f"), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_rename(b, "/f", "/d"), CFFS_EISDIR);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d", "/full"), CFFS_ENOTEMPTY);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d", "/d/e/d"), CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d", "/d/x"), CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d", "/d/e/.."), CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_rename(b, "/", "/g"), CFFS_EINVAL);
	CU_ASSERT_EQUAL(cffs_rename(b, "/nope", "/g"), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_rename(b, "/f", "/nope/g"), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_rename(b, "/f", "/f/g"), CFFS_ENOTDIR);
	/* A file into a directory below it is fine; so is the same name. */
	CU_ASSERT_EQUAL(cffs_rename(b, "/f", "/d/e/f"), 0);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d/e/f", "/d/e/f"), 0);
	holds("/d/e/f", 10);
	CU_ASSERT_EQUAL(cffs_rename(b, "/d/e", "/d/../e2"), 0);
	holds("/e2/f", 10);
	CU_ASSERT_EQUAL(nlink_of("/d"), 2);
	done();
}

static void links_count_their_names(void)
{
	uint64_t free_before;

	fresh(128);
	free_before = memblk_free_count(&m);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d", 0755), 0);
	make_file("/f", 30 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(nlink_of("/f"), 1);
	CU_ASSERT_EQUAL(cffs_link(b, "/f", "/g"), 0); /* to the inode table */
	CU_ASSERT_EQUAL(cffs_link(b, "/g", "/d/h"), 0);
	CU_ASSERT_EQUAL(nlink_of("/f"), 3);
	CU_ASSERT_EQUAL(nlink_of("/d/h"), 3);
	holds("/d/h", 30 * CFFS_BLOCK);
	/* One file: a write through one name shows through the others. */
	{
		struct cffs_loc g, f;

		CU_ASSERT_EQUAL(cffs_lookup(b, "/g", &g), 0);
		CU_ASSERT_EQUAL(cffs_lookup(b, "/f", &f), 0);
		CU_ASSERT(same(f, g));
		write_pattern(&g, 30 * CFFS_BLOCK, 10);
	}
	holds("/f", 30 * CFFS_BLOCK + 10);
	CU_ASSERT_EQUAL(cffs_link(b, "/d", "/e"), CFFS_EPERM);
	CU_ASSERT_EQUAL(cffs_link(b, "/", "/e"), CFFS_EPERM);
	CU_ASSERT_EQUAL(cffs_link(b, "/f", "/d/h"), CFFS_EEXIST);
	CU_ASSERT_EQUAL(cffs_link(b, "/nope", "/e"), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_link(b, "/f", "/nope/e"), CFFS_ENOENT);
	/* Two names of one file: rename does nothing. */
	CU_ASSERT_EQUAL(cffs_rename(b, "/g", "/d/h"), 0);
	CU_ASSERT(exists("/g") && exists("/d/h"));
	CU_ASSERT_EQUAL(cffs_unlink(b, "/f"), 0);
	CU_ASSERT_EQUAL(nlink_of("/g"), 2);
	CU_ASSERT_EQUAL(cffs_rename(b, "/g", "/d/g"), 0);
	CU_ASSERT_EQUAL(nlink_of("/d/g"), 2);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/d/g"), 0);
	CU_ASSERT_EQUAL(nlink_of("/d/h"), 1);
	holds("/d/h", 30 * CFFS_BLOCK + 10);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/d/h"), 0); /* the last: all go */
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/d"), 0);
	/* The root directory's block stays, and the inode table with the
	 * block it grew. */
	CU_ASSERT_EQUAL(memblk_free_count(&m), free_before - 3);
	done();
}

/* Renaming over one name of a linked file drops that link only. */
static void rename_over_a_link(void)
{
	char name[CFFS_NAME_MAX + 1];
	struct cffs_loc root;
	struct cffs_inode ino;
	uint64_t cursor = 0;
	int seen = 0;

	fresh(128);
	make_file("/f", 2 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_link(b, "/f", "/g"), 0);
	make_file("/x", 100);
	CU_ASSERT_EQUAL(cffs_rename(b, "/x", "/g"), 0);
	holds("/g", 100);
	holds("/f", 2 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(nlink_of("/f"), 1);
	/* A linked name renamed over a plain file. */
	CU_ASSERT_EQUAL(cffs_link(b, "/f", "/f2"), 0);
	CU_ASSERT_EQUAL(cffs_rename(b, "/f2", "/g"), 0);
	holds("/g", 2 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(nlink_of("/f"), 2);
	/* readdir shows a reference's real inode. */
	CU_ASSERT_EQUAL(cffs_lookup(b, "/", &root), 0);
	while (cffs_readdir(b, &root, &cursor, name, &ino) == 1)
		if (!strcmp(name, "g")) {
			seen = 1;
			CU_ASSERT_EQUAL(ino.nlink, 2);
			CU_ASSERT_EQUAL(ino.size, 2 * CFFS_BLOCK);
		}
	CU_ASSERT(seen);
	done();
}

static void mkdir_and_rmdir_errors(void)
{
	fresh(64);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d", 0750), 0);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d", 0750), CFFS_EEXIST);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/nope/d", 0750), CFFS_ENOENT);
	make_file("/f", 1);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/f/d", 0750), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/f", 0750), CFFS_EEXIST);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/f"), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/nope"), CFFS_ENOENT);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/f/x"), CFFS_ENOTDIR);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d/e", 0750), 0);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/d"), CFFS_ENOTEMPTY);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/d/e"), 0);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/d"), 0);
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/"), CFFS_EINVAL);
	CU_ASSERT_EQUAL(nlink_of("/"), 2);
	done();
}

/* What a crash after a rename's swap leaves: a nameless entry owning
 * its blocks. Invisible; removing its directory releases it. */
static void orphans_are_invisible_and_reaped(void)
{
	char name[CFFS_NAME_MAX + 1];
	struct cffs_loc d, f;
	struct cffs_inode ino;
	uint64_t cursor = 0, free_before;

	fresh(128);
	CU_ASSERT_EQUAL(cffs_mkdir(b, "/d", 0755), 0);
	free_before = memblk_free_count(&m);
	make_file("/d/f", 20 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d/f", &f), 0);
	((struct cffs_dirent *)(m.data[f.block] + f.off))->namelen = 0;
	CU_ASSERT(!exists("/d/f"));
	CU_ASSERT_EQUAL(cffs_lookup(b, "/d", &d), 0);
	CU_ASSERT_EQUAL(cffs_readdir(b, &d, &cursor, name, &ino), 0);
	CU_ASSERT_EQUAL(memblk_check(&m), 0); /* consistent for XN */
	CU_ASSERT_EQUAL(cffs_rmdir(b, "/d"), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), free_before);
	done();
}

/* The block layer's two-block change is all or nothing. */
static void pair_change_all_or_nothing(void)
{
	static uint8_t before[2][CFFS_BLOCK];
	struct cffs_loc x, y;
	struct xok_xn_delta none = { 0 };
	uint64_t stolen = 0;
	uint64_t blocks[2];

	fresh(128);
	make_file("/x", 3 * CFFS_BLOCK);
	fill_block("");
	make_file("/y", 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/x", &x), 0);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/y", &y), 0);
	blocks[0] = x.block;
	blocks[1] = y.block;
	memcpy(before[0], m.data[x.block], CFFS_BLOCK);
	memcpy(before[1], m.data[y.block], CFFS_BLOCK);
	/* y's entry claims x's first block while x keeps it: refused. */
	memcpy(&stolen, m.data[x.block] + x.off + CFFS_OFF_DIRECT, 8);
	struct xok_xn_mod mods[2] = {
		{ x.off + 4, 4, (uint64_t)(uintptr_t)"\1\0\0\0" }, /* nlink */
		{ y.off + CFFS_OFF_DIRECT, 8, (uint64_t)(uintptr_t)&stolen },
	};
	struct xok_xn_pair moved = { stolen, XOK_XN_DATA };
	CU_ASSERT(b->ops->modify_pair(b, blocks, mods, &none, &moved, 1) != 0);
	CU_ASSERT(b->ops->modify_pair(b, blocks, mods, &none, NULL, 0) != 0);
	blocks[1] = blocks[0];
	CU_ASSERT(b->ops->modify_pair(b, blocks, mods, &none, NULL, 0) != 0);
	CU_ASSERT(!memcmp(before[0], m.data[x.block], CFFS_BLOCK));
	CU_ASSERT(!memcmp(before[1], m.data[y.block], CFFS_BLOCK));
	done();
}

void add_cffs_rename_tests(void)
{
	static const struct unit_test tests[] = {
		{ "rename_in_place", rename_in_place },
		{ "rename_over_a_file", rename_over_a_file },
		{ "rename_across_blocks_of_a_directory",
		  rename_across_blocks_of_a_directory },
		{ "rename_across_directories", rename_across_directories },
		{ "large_file_across_directories",
		  large_file_across_directories },
		{ "rename_refusals", rename_refusals },
		{ "links_count_their_names", links_count_their_names },
		{ "rename_over_a_link", rename_over_a_link },
		{ "mkdir_and_rmdir_errors", mkdir_and_rmdir_errors },
		{ "orphans_are_invisible_and_reaped",
		  orphans_are_invisible_and_reaped },
		{ "pair_change_all_or_nothing", pair_change_all_or_nothing },
		{ 0, 0 },
	};
	add_suite("cffs_rename", tests);
}
