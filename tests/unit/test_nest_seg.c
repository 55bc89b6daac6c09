/*
 * libos-nest/segment: the table of Memory segments — who may map one
 * (its creator and partner, not a third), keys unique among live
 * segments, pages charged to their account while a holder lives, dead
 * segments found for reclaiming, and every bad argument refused.
 */
#include "../../libos-nest/proto.h"
#include "../../libos-nest/segment.h"
#include "unit.h"

#include <xok/error.h>

static uint64_t gone; /* an environment the alive callback calls gone */
static uint64_t gone2;

static int alive(uint64_t env)
{
	return env != gone && env != gone2;
}

static struct nest_segs fresh_table(void)
{
	gone = gone2 = 0;
	return (struct nest_segs){ .alive = alive };
}

static void holders_may_map_others_not(void)
{
	struct nest_segs t = fresh_table();
	int64_t i = nest_seg_new(&t, 7, 2, 10, 11, 100);

	CU_ASSERT(i >= 0);
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 7, 10), i);
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 7, 11), i);
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 7, 12), E_PERM);
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 7, 0), E_PERM);
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 8, 10), E_INVAL);
	/* No partner: only the creator. */
	CU_ASSERT(nest_seg_new(&t, 9, 1, 12, 0, 100) >= 0);
	CU_ASSERT(nest_seg_lookup(&t, 9, 12) >= 0);
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 9, 10), E_PERM);
}

static void bad_arguments_refused(void)
{
	struct nest_segs t = fresh_table();

	CU_ASSERT_EQUAL(nest_seg_new(&t, 0, 1, 10, 0, 100), E_INVAL);
	CU_ASSERT_EQUAL(nest_seg_new(&t, 1, 0, 10, 0, 100), E_INVAL);
	CU_ASSERT_EQUAL(nest_seg_new(&t, 1, NEST_SEG_PAGES + 1, 10, 0, 100),
			E_INVAL);
	CU_ASSERT_EQUAL(nest_seg_new(&t, 1, 1, 10, 10, 100), E_INVAL);
	CU_ASSERT(nest_seg_new(&t, 1, NEST_SEG_PAGES, 10, 0, 100) >= 0);
	CU_ASSERT_EQUAL(nest_seg_new(&t, 1, 1, 11, 0, 100), E_STATE);
	/* Nothing recorded by the refusals: one segment only. */
	CU_ASSERT_EQUAL(nest_seg_charged(&t, 100), NEST_SEG_PAGES);
}

static void table_full_then_reused(void)
{
	struct nest_segs t = fresh_table();

	for (uint64_t k = 1; k <= NEST_MAXSEGS; k++)
		CU_ASSERT(nest_seg_new(&t, k, 1, 10, 0, 100) >= 0);
	CU_ASSERT_EQUAL(nest_seg_new(&t, 99, 1, 11, 0, 100), E_AGAIN);
	/* Its holder gone, a segment is dead, its key free again; once
	 * its frames are given back (cleared), so is its entry. */
	gone = 10;
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 1, 10), E_INVAL);
	for (unsigned i = 0; i < NEST_MAXSEGS; i++) {
		CU_ASSERT(nest_seg_dead(&t, i));
		nest_seg_clear(&t, i);
		CU_ASSERT(!nest_seg_dead(&t, i));
	}
	CU_ASSERT(nest_seg_new(&t, 1, 1, 11, 0, 100) >= 0);
}

static void charged_while_a_holder_lives(void)
{
	struct nest_segs t = fresh_table();
	int64_t i = nest_seg_new(&t, 5, 3, 10, 11, 100);

	CU_ASSERT(nest_seg_new(&t, 6, 4, 12, 0, 200) >= 0);
	CU_ASSERT_EQUAL(nest_seg_charged(&t, 100), 3);
	CU_ASSERT_EQUAL(nest_seg_charged(&t, 200), 4);
	CU_ASSERT_EQUAL(nest_seg_charged(&t, 300), 0);
	gone = 10; /* the creator went: the partner keeps it */
	CU_ASSERT_EQUAL(nest_seg_charged(&t, 100), 3);
	CU_ASSERT(!nest_seg_dead(&t, (unsigned)i));
	CU_ASSERT_EQUAL(nest_seg_lookup(&t, 5, 11), i);
	gone2 = 11;
	CU_ASSERT_EQUAL(nest_seg_charged(&t, 100), 0);
	CU_ASSERT(nest_seg_dead(&t, (unsigned)i));
}

static void map_ranges(void)
{
	CU_ASSERT(nest_map_range_ok(NEST_MAP_BASE, 1));
	CU_ASSERT(nest_map_range_ok(NEST_MAP_TOP - NEST_SEG_PAGES *
				    XOK_PAGE_SIZE, NEST_SEG_PAGES));
	CU_ASSERT(!nest_map_range_ok(NEST_MAP_TOP - XOK_PAGE_SIZE, 2));
	CU_ASSERT(!nest_map_range_ok(NEST_MAP_BASE, 0));
	CU_ASSERT(!nest_map_range_ok(NEST_MAP_BASE, NEST_SEG_PAGES + 1));
	CU_ASSERT(!nest_map_range_ok(NEST_MAP_BASE + 8, 1));
	CU_ASSERT(!nest_map_range_ok(NEST_MAP_BASE - XOK_PAGE_SIZE, 1));
	CU_ASSERT(!nest_map_range_ok(NEST_HEAP_BASE, 1));
	CU_ASSERT(!nest_map_range_ok(NEST_MAP_TOP, 1));
	CU_ASSERT(!nest_map_range_ok(~0ull & ~0xfffull, 1));
}

void add_nest_seg_tests(void)
{
	static const struct unit_test tests[] = {
		{ "holders_may_map_others_not", holders_may_map_others_not },
		{ "bad_arguments_refused", bad_arguments_refused },
		{ "table_full_then_reused", table_full_then_reused },
		{ "charged_while_a_holder_lives", charged_while_a_holder_lives },
		{ "map_ranges", map_ranges },
		{ 0, 0 },
	};
	add_suite("nest_seg", tests);
}
