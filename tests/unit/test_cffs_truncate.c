/*
 * libfs-cffs/cffs: cffs_set_size, a file cut to any length or grown with
 * a hole: exactly the blocks past the new end are freed (counted against
 * the free map, which memblk_check rebuilds from the root), indirect
 * blocks with them, and what is kept reads back as it was.
 */
#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/memblk.h"
#include "cffs_fixture.h"
#include "unit.h"

#define BLK ((uint64_t)CFFS_BLOCK)
#define IND1_START CFFS_NDIRECT
#define IND2_START (IND1_START + CFFS_PTRS_PER_BLOCK)
#define IND3_START (IND2_START + CFFS_PTRS_PER_BLOCK * CFFS_PTRS_PER_BLOCK)

static uint64_t size_of(const struct cffs_loc *f)
{
	struct cffs_inode ino = { 0 };

	CU_ASSERT_EQUAL(cffs_stat(b, f, &ino), 0);
	return ino.size;
}

static void make_file(struct cffs_loc *f)
{
	fresh(1024);
	CU_ASSERT_FATAL(cffs_create(b, "/f", CFFS_S_IFREG | 0644, f) == 0);
}

/* Within the direct blocks, to a length inside a block: the blocks past
 * it go, the rest of its last block reads as zeros once the file grows
 * again, and what is before it is kept. */
static void cut_inside_a_block(void)
{
	struct cffs_loc f;
	uint64_t before;

	make_file(&f);
	before = memblk_free_count(&m);
	write_pattern(&f, 0, 10 * BLK);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, 3 * BLK + 100), 0);
	CU_ASSERT_EQUAL(size_of(&f), 3 * BLK + 100);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - 4);
	check_range(&f, 0, 3 * BLK + 100, 0);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, 6 * BLK), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - 4); /* a hole */
	check_range(&f, 3 * BLK + 100, 3 * BLK - 100, 1);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, 0), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	done();
}

/* From the double indirect blocks back into the single indirect block:
 * the double indirect tree goes whole, the single one is cut. */
static void cut_from_double_into_single(void)
{
	struct cffs_loc f;
	uint64_t before;

	make_file(&f);
	before = memblk_free_count(&m);
	write_pattern(&f, 0, (IND2_START + 40) * BLK);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, (IND1_START + 5) * BLK), 0);
	/* 17 data blocks and the single indirect block stay. */
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - 18);
	check_range(&f, 0, (IND1_START + 5) * BLK, 0);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	/* Exactly at the first indirect block: it goes too. */
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, IND1_START * BLK), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - IND1_START);
	check_range(&f, 0, IND1_START * BLK, 0);
	done();
}

/* A sparse file reaching the triple indirect level, cut in the middle of
 * the double indirect range: the blocks kept in a partly kept pointer
 * block stay, the others (and the pointer blocks left with nothing
 * under them past the end) go, holes cost nothing. */
static void sparse_cut_through_the_levels(void)
{
	struct cffs_loc f;
	uint64_t before, cut_at = (IND2_START + 3 * CFFS_PTRS_PER_BLOCK + 7);

	make_file(&f);
	before = memblk_free_count(&m);
	write_pattern(&f, 2 * BLK, 100);                     /* 1 block */
	write_pattern(&f, (IND1_START + 300) * BLK, 100);    /* +IND1 */
	write_pattern(&f, (cut_at - 2) * BLK, 3 * BLK);      /* +IND2, IND1 */
	write_pattern(&f, (IND2_START + 9 * CFFS_PTRS_PER_BLOCK) * BLK, 10);
	write_pattern(&f, (IND3_START + 5) * BLK, 10);       /* +3 +1 */
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - 14);
	/* Keeps block 2, IND1 and its block, IND2 with one IND1 holding
	 * two blocks (cut_at - 2 and cut_at - 1): 7 blocks. */
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, cut_at * BLK - 1), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - 7);
	check_range(&f, 2 * BLK, 100, 0);
	check_range(&f, (IND1_START + 300) * BLK, 100, 0);
	check_range(&f, (cut_at - 2) * BLK, 2 * BLK - 1, 0);
	check_range(&f, 3 * BLK, 1000, 1);
	/* Grown back past where the rest was: holes, no blocks. */
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, (IND3_START + 6) * BLK), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before - 7);
	check_range(&f, cut_at * BLK - 1, 1, 1);
	check_range(&f, (IND3_START + 5) * BLK, 10, 1);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	CU_ASSERT_EQUAL(cffs_unlink(b, "/f"), 0);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	done();
}

/* Growing allocates nothing; the same size changes nothing but the
 * times; a cut then a write past the end leaves zeros between. */
static void grow_is_a_hole(void)
{
	struct cffs_loc f;
	uint64_t before;

	make_file(&f);
	write_pattern(&f, 0, 5000);
	before = memblk_free_count(&m);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, 1ull << 30), 0);
	CU_ASSERT_EQUAL(size_of(&f), 1ull << 30);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	check_range(&f, 5000, 3000, 1);
	check_range(&f, (1ull << 30) - 10, 10, 1);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, 4097), 0);
	write_pattern(&f, 6000, 10);
	check_range(&f, 4097, 6000 - 4097, 1);
	check_range(&f, 0, 4097, 0);
	done();
}

/* A directory, a size past the largest file and a bad location are
 * refused, and leave the file as it was. */
static void bad_sizes_refused(void)
{
	struct cffs_loc f, root, nowhere = { 0, 9999, 0 };
	uint64_t before, biggest = (IND3_START + (uint64_t)CFFS_PTRS_PER_BLOCK *
				    CFFS_PTRS_PER_BLOCK * CFFS_PTRS_PER_BLOCK) * BLK;

	make_file(&f);
	write_pattern(&f, 0, 3 * BLK);
	before = memblk_free_count(&m);
	CU_ASSERT_EQUAL(cffs_lookup(b, "/", &root), 0);
	CU_ASSERT_EQUAL(cffs_set_size(b, &root, 0), CFFS_EISDIR);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, biggest + 1), CFFS_EFBIG);
	CU_ASSERT_EQUAL(cffs_set_size(b, &nowhere, 0), CFFS_EIO);
	CU_ASSERT_EQUAL(size_of(&f), 3 * BLK);
	CU_ASSERT_EQUAL(memblk_free_count(&m), before);
	CU_ASSERT_EQUAL(cffs_set_size(b, &f, biggest), 0);
	CU_ASSERT_EQUAL(size_of(&f), biggest);
	done();
}

void add_cffs_truncate_tests(void)
{
	static const struct unit_test tests[] = {
		{ "cut_inside_a_block", cut_inside_a_block },
		{ "cut_from_double_into_single", cut_from_double_into_single },
		{ "sparse_cut_through_the_levels",
		  sparse_cut_through_the_levels },
		{ "grow_is_a_hole", grow_is_a_hole },
		{ "bad_sizes_refused", bad_sizes_refused },
		{ 0, 0 },
	};
	add_suite("cffs_truncate", tests);
}
