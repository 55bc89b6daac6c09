/*
 * xn/memo: remembered owned sets are xn_owned's, for the same type and
 * bytes only; errors are not remembered; the least recently used goes.
 */
#include <string.h>

#include "../../xn/memo.h"
#include "../../xn/sample_types.h"
#include "unit.h"

#define NBLOCKS 256

static struct xok_xn_template types[XOK_XN_MAXTYPES];
static struct xn_context cx = { types, NBLOCKS, NULL };
static struct xn_memo memo;
static uint8_t blk[XN_MEMO_SLOTS + 1][XOK_XN_BLOCK];
static struct xok_xn_pair fresh[XN_MAXPAIRS];

static void setup(void)
{
	memset(types, 0, sizeof(types));
	make_ptrs_type(&types[T_PTRS]);
	make_dir_type(&types[T_DIR]);
	memset(blk, 0, sizeof(blk));
	memset(&memo, 0, sizeof(memo));
}

/* Is what the memo answers for (type, bytes) exactly xn_owned's? */
static int agrees(uint64_t type, const uint8_t *bytes)
{
	const struct xok_xn_pair *set;
	size_t n, m;
	int r = xn_memo_owned(&memo, &cx, type, bytes, &set, &n);

	if (r != xn_owned(&cx, type, bytes, fresh, &m))
		return 0;
	return r || (n == m && !memcmp(set, fresh, n * sizeof(*set)));
}

static void same_bytes_same_set(void)
{
	const struct xok_xn_pair *a, *b;
	size_t na, nb;

	setup();
	ptr_set(blk[0], 3, 40);
	ptr_set(blk[0], 9, 20);
	CU_ASSERT(agrees(T_PTRS, blk[0]));
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &a, &na), 0);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &b, &nb), 0);
	CU_ASSERT_PTR_EQUAL(a, b); /* remembered */
	CU_ASSERT_EQUAL(nb, 2);
	/* The same bytes elsewhere: the same set. */
	memcpy(blk[1], blk[0], XOK_XN_BLOCK);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[1], &b, &nb), 0);
	CU_ASSERT_PTR_EQUAL(a, b);
	/* Computed without looking, then found by a look. */
	ptr_set(blk[1], 100, 7);
	CU_ASSERT_EQUAL(xn_memo_compute(&memo, &cx, T_PTRS, blk[1], &a, &na),
			0);
	CU_ASSERT_EQUAL(na, 3);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[1], &b, &nb), 0);
	CU_ASSERT_PTR_EQUAL(a, b);
	CU_ASSERT(agrees(T_PTRS, blk[1]));
}

/* One byte anywhere in the block, or the type, makes another set. */
static void any_difference_recomputes(void)
{
	setup();
	ptr_set(blk[0], 3, 40);
	CU_ASSERT(agrees(T_PTRS, blk[0]));
	ptr_set(blk[0], 511, 41); /* the last word */
	CU_ASSERT(agrees(T_PTRS, blk[0]));
	blk[0][0] ^= 1; /* the first byte */
	CU_ASSERT(agrees(T_PTRS, blk[0]));
	dir_set(blk[0], 0, 7, XOK_XN_DATA);
	CU_ASSERT(agrees(T_DIR, blk[0]));
	CU_ASSERT(agrees(T_PTRS, blk[0]));
	CU_ASSERT(agrees(XOK_XN_DATA, blk[0]));
}

/* A failing UDF is not remembered: the next ask fails again. */
static void errors_not_remembered(void)
{
	const struct xok_xn_pair *set;
	size_t n;

	setup();
	ptr_set(blk[0], 0, NBLOCKS + 5); /* past the disk */
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &set, &n),
			XN_E_RANGE);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &set, &n),
			XN_E_RANGE);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, 9, blk[0], &set, &n),
			XN_E_BADTYPE); /* not installed */
}

/* Each set stays valid while XN_MEMO_SLOTS - 1 others are asked for;
 * then the least recently used is the one replaced. */
static void least_recent_goes(void)
{
	const struct xok_xn_pair *first, *set;
	size_t n;

	setup();
	for (unsigned i = 0; i <= XN_MEMO_SLOTS; i++)
		ptr_set(blk[i], 0, 10 + i);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &first, &n),
			0);
	for (unsigned i = 1; i < XN_MEMO_SLOTS; i++)
		CU_ASSERT(agrees(T_PTRS, blk[i]));
	CU_ASSERT_EQUAL(first[0].block, 10); /* still blk[0]'s */
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &set, &n), 0);
	CU_ASSERT_PTR_EQUAL(set, first); /* used again: now the newest */
	CU_ASSERT(agrees(T_PTRS, blk[XN_MEMO_SLOTS])); /* replaces blk[1]'s */
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_PTRS, blk[0], &set, &n), 0);
	CU_ASSERT_PTR_EQUAL(set, first);
	xn_memo_clear(&memo);
	CU_ASSERT(agrees(T_PTRS, blk[0]));
}

static void set_find(void)
{
	const struct xok_xn_pair *set;
	uint64_t type = 99;
	size_t n;

	setup();
	dir_set(blk[0], 2, 30, T_PTRS);
	dir_set(blk[0], 5, 12, XOK_XN_DATA);
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_DIR, blk[0], &set, &n), 0);
	CU_ASSERT_EQUAL(xn_set_find(set, n, 30, &type), 0);
	CU_ASSERT_EQUAL(type, T_PTRS);
	CU_ASSERT_EQUAL(xn_set_find(set, n, 12, &type), 0);
	CU_ASSERT_EQUAL(type, XOK_XN_DATA);
	CU_ASSERT_EQUAL(xn_set_find(set, n, 13, &type), XN_E_MISMATCH);
	CU_ASSERT_EQUAL(xn_set_find(set, 0, 12, &type), XN_E_MISMATCH);
}

void add_xnmemo_tests(void)
{
	static const struct unit_test tests[] = {
		{ "same_bytes_same_set", same_bytes_same_set },
		{ "any_difference_recomputes", any_difference_recomputes },
		{ "errors_not_remembered", errors_not_remembered },
		{ "least_recent_goes", least_recent_goes },
		{ "set_find", set_find },
		{ 0, 0 },
	};
	add_suite("xnmemo", tests);
}
