/*
 * xok/page: the physical page allocator's bookkeeping.
 */
#include "../../xok/page.h"
#include "unit.h"

#define NPAGES 64
#define KB4 4096ull

static struct xok_ppage table[NPAGES];
static struct page_pool pool;

/* RAM [0, 40 pages) and [48, 64) with a hole; pages 0-1 and 10-11 reserved. */
static void setup(void)
{
	static const struct mem_range usable[] = {
		{ 0, 40 * KB4 }, { 48 * KB4, 64 * KB4 },
	};
	static const struct mem_range reserved[] = {
		{ 0, 2 * KB4 }, { 10 * KB4 + 100, 11 * KB4 + 1 },
	};
	page_pool_init(&pool, table, NPAGES, usable, 2, reserved, 2);
}

static void init_counts_only_usable_unreserved(void)
{
	setup();
	/* 40 + 16 usable, minus 2 reserved, minus 10 and 11 (partly reserved) */
	CU_ASSERT_EQUAL(pool.nfree, 40 + 16 - 2 - 2);
	CU_ASSERT(table[0].allocated && table[1].allocated);
	CU_ASSERT(table[10].allocated && table[11].allocated);
	CU_ASSERT(table[40].allocated && table[47].allocated); /* the hole */
	CU_ASSERT(!table[2].allocated && !table[12].allocated);
}

static void partial_range_page_is_not_free(void)
{
	static const struct mem_range usable[] = { { 0, 3 * KB4 + 10 } };

	page_pool_init(&pool, table, NPAGES, usable, 1, 0, 0);
	CU_ASSERT_EQUAL(pool.nfree, 3);
	CU_ASSERT(table[3].allocated);
}

static void alloc_hands_out_low_frames_first(void)
{
	setup();
	CU_ASSERT_EQUAL(page_alloc(&pool), 2);
	CU_ASSERT_EQUAL(page_alloc(&pool), 3);
	for (int i = 4; i < 10; i++)
		CU_ASSERT_EQUAL(page_alloc(&pool), (uint32_t)i);
	CU_ASSERT_EQUAL(page_alloc(&pool), 12); /* skips reserved 10, 11 */
}

static void exhaustion_returns_none(void)
{
	uint32_t n = 0;

	setup();
	uint32_t total = pool.nfree;
	while (page_alloc(&pool) != PAGE_NONE)
		n++;
	CU_ASSERT_EQUAL(n, total);
	CU_ASSERT_EQUAL(pool.nfree, 0);
	CU_ASSERT_EQUAL(page_alloc(&pool), PAGE_NONE);
}

static void free_errors(void)
{
	setup();
	uint32_t p = page_alloc(&pool);

	CU_ASSERT_EQUAL(page_free(&pool, NPAGES), PAGE_E_RANGE);
	CU_ASSERT_EQUAL(page_free(&pool, PAGE_NONE), PAGE_E_RANGE);
	CU_ASSERT_EQUAL(page_incref(&pool, p), 0);
	CU_ASSERT_EQUAL(page_free(&pool, p), PAGE_E_BUSY);
	CU_ASSERT_EQUAL(page_decref(&pool, p), 0); /* frees it */
	CU_ASSERT_EQUAL(page_free(&pool, p), PAGE_E_STATE); /* double free */
	CU_ASSERT_EQUAL(page_incref(&pool, p), PAGE_E_STATE);
	CU_ASSERT_EQUAL(page_decref(&pool, p), PAGE_E_STATE);
	CU_ASSERT_EQUAL(page_incref(&pool, NPAGES + 5), PAGE_E_RANGE);
}

static void refcount_frees_at_zero(void)
{
	setup();
	uint32_t before = pool.nfree, p = page_alloc(&pool);

	page_incref(&pool, p);
	page_incref(&pool, p);
	CU_ASSERT_EQUAL(page_decref(&pool, p), 1);
	CU_ASSERT_EQUAL(pool.nfree, before - 1);
	CU_ASSERT_EQUAL(page_decref(&pool, p), 0);
	CU_ASSERT_EQUAL(pool.nfree, before);
	/* A freed frame comes back first (LIFO), zero references. */
	CU_ASSERT_EQUAL(page_alloc(&pool), p);
	CU_ASSERT_EQUAL(table[p].ref, 0);
}

static void reserved_frames_never_handed_out(void)
{
	setup();
	for (uint32_t p; (p = page_alloc(&pool)) != PAGE_NONE;)
		CU_ASSERT(p >= 2 && (p < 10 || p > 11) && (p < 40 || p >= 48));
}

static void take_named_frame(void)
{
	setup();
	uint32_t before = pool.nfree;

	CU_ASSERT_EQUAL(page_take(&pool, 20), 0);
	CU_ASSERT(table[20].allocated);
	CU_ASSERT_EQUAL(table[20].ref, 0);
	CU_ASSERT_EQUAL(pool.nfree, before - 1);
	CU_ASSERT_EQUAL(page_take(&pool, 20), PAGE_E_STATE); /* taken */
	CU_ASSERT_EQUAL(page_take(&pool, 0), PAGE_E_STATE);  /* reserved */
	CU_ASSERT_EQUAL(page_take(&pool, NPAGES), PAGE_E_RANGE);
	/* The free list still works around the hole. */
	for (uint32_t p; (p = page_alloc(&pool)) != PAGE_NONE;)
		CU_ASSERT(p != 20);
	CU_ASSERT_EQUAL(page_free(&pool, 20), 0);
	CU_ASSERT_EQUAL(page_alloc(&pool), 20);
}

void add_page_tests(void)
{
	static const struct unit_test tests[] = {
		{ "init_counts_only_usable_unreserved", init_counts_only_usable_unreserved },
		{ "partial_range_page_is_not_free", partial_range_page_is_not_free },
		{ "alloc_hands_out_low_frames_first", alloc_hands_out_low_frames_first },
		{ "exhaustion_returns_none", exhaustion_returns_none },
		{ "free_errors", free_errors },
		{ "refcount_frees_at_zero", refcount_frees_at_zero },
		{ "reserved_frames_never_handed_out", reserved_frames_never_handed_out },
		{ "take_named_frame", take_named_frame },
		{ 0, 0 },
	};
	add_suite("page", tests);
}
