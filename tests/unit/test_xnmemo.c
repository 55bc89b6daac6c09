/*
 * xn/memo: remembered owned sets are xn_owned's, for the same type and
 * bytes only; errors are not remembered; the least recently used goes;
 * a change of bytes the UDF did not read keeps the set.
 */
#include <string.h>

#include "../../libfs-cffs/format.h"
#include "../../libfs-cffs/templates.h"
#include "../../xn/memo.h"
#include "../../xn/sample_types.h"
#include "unit.h"

#define NBLOCKS 256

static struct xok_xn_template types[XOK_XN_MAXTYPES];
static struct xn_context cx = { types, NBLOCKS, NULL };
static struct xn_memo memo;
static uint8_t blk[XN_MEMO_SLOTS + 1][XOK_XN_BLOCK];
static struct xok_xn_pair fresh[XN_MAXPAIRS];
/* A change anywhere in the block. */
static const struct xok_xn_mod whole = { 0, XOK_XN_BLOCK, 0 };

/* Type 3, "gated": owns the block named by word 1 only while word 0 is
 * not 0; it reads word 1 only then, and nothing past word 1. */
#define T_GATED 3

static void make_gated_type(struct xok_xn_template *t)
{
	static const struct xok_udf_insn prog[] = {
		{ .op = XOK_UDF_LD64, .dst = 1 },
		{ .op = XOK_UDF_JEQ, .a = 1, .b = 0, .off = 3 },
		{ .op = XOK_UDF_LD64, .dst = 2, .imm = 8 },
		{ .op = XOK_UDF_JEQ, .a = 2, .b = 0, .off = 1 },
		{ .op = XOK_UDF_EMIT, .a = 2, .b = 0 },
		{ .op = XOK_UDF_RET, .a = 0 },
	};
	memset(t, 0, sizeof(*t));
	t->in_use = 1;
	t->owns_len = sizeof(prog) / sizeof(prog[0]);
	memcpy(t->insns, prog, sizeof(prog));
}

static void setup(void)
{
	memset(types, 0, sizeof(types));
	make_ptrs_type(&types[T_PTRS]);
	make_dir_type(&types[T_DIR]);
	make_gated_type(&types[T_GATED]);
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

/* xn_memo_change: a change of bytes the UDF did not read keeps the set
 * without a run; a change of one it read runs it again. Each answer is
 * xn_owned's. */
static void unread_changes_keep_the_set(void)
{
	const struct xok_xn_pair *before, *after;
	size_t nb, na;

	setup();
	CU_ASSERT_EQUAL(xn_template_check(&types[T_GATED]), 0);
	memcpy(blk[1], blk[0], XOK_XN_BLOCK);
	blk[1][100] = 7; /* past word 1: never read */
	ptr_set(blk[1], 1, 50); /* word 1: not read while word 0 is 0 */
	CU_ASSERT_EQUAL(xn_memo_change(&memo, &cx, T_GATED, blk[0], blk[1],
				       &whole, 1, &before, &nb, &after, &na), 0);
	CU_ASSERT_PTR_EQUAL(before, after);
	CU_ASSERT_EQUAL(na, 0);
	CU_ASSERT(agrees(T_GATED, blk[1]));
	/* Remembered under the new bytes now: found without a run. */
	CU_ASSERT_EQUAL(xn_memo_owned(&memo, &cx, T_GATED, blk[1], &after,
				      &na), 0);
	CU_ASSERT_PTR_EQUAL(before, after);
	/* Word 0 was read: the gate opens, the set changes. */
	memcpy(blk[2], blk[1], XOK_XN_BLOCK);
	ptr_set(blk[2], 0, 1);
	CU_ASSERT_EQUAL(xn_memo_change(&memo, &cx, T_GATED, blk[1], blk[2],
				       &whole, 1, &before, &nb, &after, &na), 0);
	CU_ASSERT_EQUAL(nb, 0);
	CU_ASSERT_EQUAL(na, 1);
	CU_ASSERT_EQUAL(after[0].block, 50);
	/* Open, word 1 is read: changing it runs the UDF again. */
	memcpy(blk[3], blk[2], XOK_XN_BLOCK);
	ptr_set(blk[3], 1, 60);
	blk[3][200] = 9;
	CU_ASSERT_EQUAL(xn_memo_change(&memo, &cx, T_GATED, blk[2], blk[3],
				       &whole, 1, &before, &nb, &after, &na), 0);
	CU_ASSERT(nb == 1 && before[0].block == 50);
	CU_ASSERT(na == 1 && after[0].block == 60);
	CU_ASSERT(agrees(T_GATED, blk[3]));
	/* A set that cannot be computed is an error either side. */
	ptr_set(blk[4], 0, 1);
	ptr_set(blk[4], 1, NBLOCKS); /* past the disk */
	CU_ASSERT_EQUAL(xn_memo_change(&memo, &cx, T_GATED, blk[3], blk[4],
				       &whole, 1, &before, &nb, &after, &na),
			XN_E_RANGE);
	CU_ASSERT_EQUAL(xn_memo_change(&memo, &cx, T_GATED, blk[4], blk[3],
				       &whole, 1, &before, &nb, &after, &na),
			XN_E_RANGE);
}

/* The next word of a xorshift sequence. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random changes to C-FFS directory blocks, some of the fields its
 * owns-UDF reads (mode, flags, pointers) and many it does not (times,
 * sizes, names): whatever xn_memo_change answers is xn_owned's. */
static void cffs_dir_changes_agree(void)
{
	static const uint32_t modes[] = { 0, CFFS_S_IFREG | 0644,
					  CFFS_S_IFDIR | 0755 };
	static uint8_t cur[XOK_XN_BLOCK], next[XOK_XN_BLOCK];
	static struct xok_xn_pair want[XN_MAXPAIRS];
	const struct xok_xn_pair *before, *after;
	/* A large disk: random pointers seldom collide (a set naming a
	 * block twice is refused, and would test little). */
	struct xn_context big = { types, 1ull << 40, NULL };
	uint64_t x = 88172645463325252ull;
	size_t nb, na, nw;
	unsigned ok = 0;
	int r, rb, ra;

	setup();
	CU_ASSERT_EQUAL_FATAL(cffs_template(CFFS_T_DIR, &types[CFFS_T_DIR]), 0);
	for (unsigned t = 1; t < CFFS_NTYPES; t++)
		types[t].in_use = 1; /* the types its pointers name */
	memset(cur, 0, sizeof(cur));
	for (unsigned k = 0; k < 3000; k++) {
		struct cffs_inode *ino;
		unsigned slot = (unsigned)(rnd(&x) % CFFS_DIRENTS);
		struct xok_xn_mod range = { slot * CFFS_DIRENT_SIZE,
					    CFFS_DIRENT_SIZE, 0 };

		memcpy(next, cur, sizeof(next));
		ino = (struct cffs_inode *)(next + slot * CFFS_DIRENT_SIZE);
		switch (rnd(&x) % 6) {
		case 0: ino->mode = modes[rnd(&x) % 3]; break;
		case 1: ino->flags = (uint32_t)(rnd(&x) % 2 * CFFS_I_EXTERNAL);
			break;
		case 2: ino->direct[rnd(&x) % CFFS_NDIRECT] =
				rnd(&x) % 2 ? 0 : rnd(&x) % big.nblocks;
			break;
		case 3: ino->ind[rnd(&x) % CFFS_NIND] = rnd(&x) % big.nblocks;
			break;
		case 4: ino->mtime_ns = (int64_t)rnd(&x); ino->size++; break;
		default:
			next[slot * CFFS_DIRENT_SIZE + 300] = (uint8_t)rnd(&x);
		}
		rb = xn_owned(&big, CFFS_T_DIR, cur, fresh, &nw);
		ra = xn_owned(&big, CFFS_T_DIR, next, want, &nw);
		r = xn_memo_change(&memo, &big, CFFS_T_DIR, cur, next, &range, 1,
				   &before, &nb, &after, &na);
		CU_ASSERT_EQUAL(r, rb ? rb : ra);
		CU_ASSERT(r || (na == nw &&
				!memcmp(after, want, nw * sizeof(*want))));
		ok += !r;
		memcpy(cur, next, sizeof(cur));
	}
	CU_ASSERT(ok > 2900);
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
		{ "unread_changes_keep_the_set", unread_changes_keep_the_set },
		{ "cffs_dir_changes_agree", cffs_dir_changes_agree },
		{ "set_find", set_find },
		{ 0, 0 },
	};
	add_suite("xnmemo", tests);
}
