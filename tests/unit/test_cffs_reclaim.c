/*
 * libfs-cffs/cffs: cffs_reclaim, what a libOS runs when it mounts. A
 * "crash" here is the block layer refusing every change after the first
 * `budget` (what was done stays, as it would on disk); for every budget,
 * the mount's reclaim must then leave the tree consistent for XN
 * (memblk_check) and every block back that the removed file held.
 */
#include <stddef.h>
#include <string.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/memblk.h"
#include "cffs_fixture.h"
#include "unit.h"

static const struct cffs_blk_ops *real;
static struct cffs_blk_ops crashing;
static int budget;

static int spend(void)
{
	return budget-- > 0 ? 0 : -1;
}

static int crashing_modify(struct cffs_blk *bb, uint64_t block,
			   const struct xok_xn_mod *mods, size_t n,
			   const struct xok_xn_delta *d)
{
	return spend() ? -1 : real->modify(bb, block, mods, n, d);
}

static int crashing_modify_pair(struct cffs_blk *bb, const uint64_t block[2],
				const struct xok_xn_mod mod[2],
				const struct xok_xn_delta *d,
				const struct xok_xn_pair *moved, size_t nmoved)
{
	return spend() ? -1 : real->modify_pair(bb, block, mod, d, moved,
						nmoved);
}

/* From now on, the `n`th change and all after it fail. */
static void crash_after(int n)
{
	real = b->ops;
	crashing = *real;
	crashing.modify = crashing_modify;
	crashing.modify_pair = crashing_modify_pair;
	budget = n;
	b->ops = &crashing;
}

/* Power back: the block layer as it was. */
static void reboot(void)
{
	b->ops = real;
}

static uint64_t unsettled(void)
{
	uint64_t v;

	memcpy(&v, m.data[b->root] + offsetof(struct cffs_super, unsettled),
	       sizeof(v));
	return v;
}

static void make_file(const char *path, size_t len)
{
	struct cffs_loc f;

	CU_ASSERT_FATAL(cffs_create(b, path, CFFS_S_IFREG | 0644, &f) == 0);
	write_pattern(&f, 0, len);
}

typedef long (*crashed_op)(void);

static long unlink_big(void)
{
	return cffs_unlink(b, "/d/big");
}

static long unlink_last_link(void)
{
	return cffs_unlink(b, "/d/big2");
}

static long rename_over_big(void)
{
	return cffs_rename(b, "/d/small", "/d/big");
}

/* Unlinks `path` if it is there. */
static void remove_if_there(const char *path)
{
	struct cffs_loc f;

	if (cffs_lookup(b, path, &f) == 0)
		CU_ASSERT_EQUAL(cffs_unlink(b, path), 0);
}

/*
 * For each budget until `op` runs whole: a fresh tree with /d/small
 * (made external, so the inode table exists before counting) and
 * /d/big (an indirect block: removed in several changes), `setup`, then
 * `op` cut short, then the mount's reclaim. After it, /d/big if still
 * there is intact, and once every visible file is unlinked the disk has
 * every block back: nothing was left held by an orphan. Some budget
 * must have left something for reclaim to release.
 */
static void crash_everywhere(void (*setup)(void), crashed_op op)
{
	int released = 0;

	for (int n = 0;; n++) {
		struct cffs_loc f;
		uint64_t base;
		long r;
		int got;

		fresh(256);
		CU_ASSERT_FATAL(cffs_mkdir(b, "/d", 0755) == 0);
		make_file("/d/small", 100);
		CU_ASSERT_FATAL(cffs_link(b, "/d/small", "/d/s2") == 0);
		CU_ASSERT_FATAL(cffs_unlink(b, "/d/s2") == 0);
		base = memblk_free_count(&m);
		make_file("/d/big", 20 * CFFS_BLOCK);
		if (setup)
			setup();
		crash_after(n);
		r = op();
		reboot();
		got = cffs_reclaim(b);
		CU_ASSERT(got >= 0);
		released += got > 0;
		CU_ASSERT_EQUAL(unsettled(), 0);
		CU_ASSERT_EQUAL(memblk_check(&m), 0);
		if (op != rename_over_big && cffs_lookup(b, "/d/big", &f) == 0)
			check_range(&f, 0, 20 * CFFS_BLOCK, 0);
		remove_if_there("/d/small");
		remove_if_there("/d/big");
		remove_if_there("/d/big2");
		CU_ASSERT_EQUAL(memblk_free_count(&m), base + 1);
		done();
		if (r == 0)
			break;
	}
	CU_ASSERT(released > 0);
}

static void crash_in_unlink(void)
{
	crash_everywhere(NULL, unlink_big);
}

static void link_then_drop_first(void)
{
	CU_ASSERT_FATAL(cffs_link(b, "/d/big", "/d/big2") == 0);
	CU_ASSERT_FATAL(cffs_unlink(b, "/d/big") == 0);
}

static void crash_in_last_unlink(void)
{
	crash_everywhere(link_then_drop_first, unlink_last_link);
}

static void crash_in_rename_over(void)
{
	crash_everywhere(NULL, rename_over_big);
}

/* Nothing that can leave an orphan ran: reclaim walks nothing. A clean
 * unlink of a large file leaves the flag, which reclaim clears, finding
 * nothing to release. */
static void settled_disk_is_not_walked(void)
{
	fresh(256);
	make_file("/small", 100);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/small"), 0);
	CU_ASSERT_EQUAL(unsettled(), 0);
	CU_ASSERT_EQUAL(cffs_reclaim(b), 0);
	make_file("/big", 20 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/big"), 0);
	CU_ASSERT_EQUAL(unsettled(), 1);
	CU_ASSERT_EQUAL(cffs_reclaim(b), 0);
	CU_ASSERT_EQUAL(unsettled(), 0);
	done();
}

/* An orphan in a directory three levels down is found; a directory
 * entry whose name length is past the limit stops the walk with an
 * error instead of a crash. */
static void deep_orphan_and_corrupt_entry(void)
{
	struct cffs_loc f;
	uint64_t before;

	fresh(256);
	CU_ASSERT_FATAL(cffs_mkdir(b, "/a", 0755) == 0);
	CU_ASSERT_FATAL(cffs_mkdir(b, "/a/b", 0755) == 0);
	CU_ASSERT_FATAL(cffs_mkdir(b, "/a/b/c", 0755) == 0);
	make_file("/a/b/c/g", 100);
	before = memblk_free_count(&m);
	make_file("/a/b/c/f", 3 * CFFS_BLOCK);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/a/b/c/f", &f), 0);
	((struct cffs_dirent *)(m.data[f.block] + f.off))->namelen = 0;
	memcpy(m.data[b->root] + offsetof(struct cffs_super, unsettled),
	       &(uint64_t){ 1 }, 8);
	CU_ASSERT_EQUAL(cffs_reclaim(b), 1);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/a/b/c/g", &f), 0);
	((struct cffs_dirent *)(m.data[f.block] + f.off))->namelen = 999;
	memcpy(m.data[b->root] + offsetof(struct cffs_super, unsettled),
	       &(uint64_t){ 1 }, 8);
	CU_ASSERT_EQUAL(cffs_reclaim(b), CFFS_EIO);
	((struct cffs_dirent *)(m.data[f.block] + f.off))->namelen = 1;
	done();
}

void add_cffs_reclaim_tests(void)
{
	static const struct unit_test tests[] = {
		{ "crash_in_unlink", crash_in_unlink },
		{ "crash_in_last_unlink", crash_in_last_unlink },
		{ "crash_in_rename_over", crash_in_rename_over },
		{ "settled_disk_is_not_walked", settled_disk_is_not_walked },
		{ "deep_orphan_and_corrupt_entry",
		  deep_orphan_and_corrupt_entry },
		{ 0, 0 },
	};
	add_suite("cffs_reclaim", tests);
}
