/*
 * xn/registry: XN's write-ordering rules and reclaiming, on a registry
 * whose pages and free map are counters.
 */
#include <string.h>

#include "../../xn/freemap.h"
#include "../../xn/registry.h"
#include "unit.h"

#define N 6

static struct xok_xn_entry entries[N];
static uint8_t map[64];
static int pages_left, pages_live;
static uint64_t next_pfn, mapped_pfn;

static uint64_t fake_alloc(void *ctx)
{
	(void)ctx;
	if (!pages_left)
		return 0;
	pages_left--;
	pages_live++;
	return ++next_pfn;
}

static void fake_release(void *ctx, uint64_t pfn)
{
	(void)ctx, (void)pfn;
	pages_live--;
}

static int fake_mapped(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn == mapped_pfn;
}

static void fake_map_set(void *ctx, uint64_t block, int used)
{
	(void)ctx;
	if (used)
		xn_bit_set(map, block);
	else
		xn_bit_clear(map, block);
}

static const struct xn_reg_ops ops = { fake_alloc, fake_release,
				       fake_mapped, fake_map_set, 0 };
static uint32_t heads[XOK_XN_HASH];
static struct xn_registry r;

/* An empty registry holding a clean root (block 10) at index 0. */
static int setup(int pages)
{
	struct xok_xn_entry root = { .block = 10, .state = XOK_XN_VALID,
				     .type = 2, .parent = XOK_XN_NO_PARENT };

	memset(entries, 0, sizeof(entries));
	memset(heads, 0, sizeof(heads));
	memset(map, 0, sizeof(map));
	r = (struct xn_registry){ entries, N, &ops, heads, 0, 0 };
	pages_left = pages;
	pages_live = 0;
	next_pfn = 100;
	mapped_pfn = 0;
	return xnr_new(&r, &root, -1);
}

static const struct xok_xn_pair kids[2] = { { 20, 0 }, { 21, 1 } };

static void new_child_taints_parent(void)
{
	int root = setup(10);

	CU_ASSERT_EQUAL(root, 0);
	CU_ASSERT_EQUAL(xnr_add_children(&r, root, kids, 2), 0);
	CU_ASSERT(xn_bit(map, 20) && xn_bit(map, 21));
	CU_ASSERT_EQUAL(entries[root].taint, 2);
	CU_ASSERT_EQUAL(entries[root].children, 2);
	int c20 = xnr_find(&r, 20), c21 = xnr_find(&r, 21);
	CU_ASSERT(c20 > 0 && c21 > 0);
	CU_ASSERT_EQUAL(entries[c20].uninit, 1);
	CU_ASSERT_EQUAL(entries[c21].type, 1);
	entries[root].state = XOK_XN_DIRTY; /* the pointers were written in */
	CU_ASSERT_EQUAL(xnr_writable(&r, root), -1); /* tainted */
	CU_ASSERT_EQUAL(xnr_writable(&r, c20), 0);
	xnr_written(&r, c20);
	CU_ASSERT_EQUAL(entries[root].taint, 1);
	CU_ASSERT_EQUAL(xnr_writable(&r, root), -1);
	xnr_written(&r, c21);
	CU_ASSERT_EQUAL(entries[root].taint, 0);
	CU_ASSERT_EQUAL(xnr_writable(&r, root), 0);
	xnr_written(&r, c21); /* written again: no second untaint */
	CU_ASSERT_EQUAL(entries[root].taint, 0);
}

static void freed_block_waits_for_parent(void)
{
	int root = setup(10), c;

	xnr_add_children(&r, root, kids, 1);
	c = xnr_find(&r, 20);
	xnr_written(&r, c);
	entries[c].state = XOK_XN_VALID;
	xnr_mark_freed(&r, 20);
	CU_ASSERT(xn_bit(map, 20)); /* not reusable yet */
	CU_ASSERT_EQUAL(xnr_find(&r, 20), c);
	CU_ASSERT_EQUAL(entries[root].freed_children, 1);
	xnr_mark_freed(&r, 20); /* again: nothing changes */
	CU_ASSERT_EQUAL(entries[root].freed_children, 1);
	xnr_written(&r, root); /* the parent without the pointer is on disk */
	CU_ASSERT(!xn_bit(map, 20));
	CU_ASSERT_EQUAL(xnr_find(&r, 20), -1);
	CU_ASSERT_EQUAL(entries[root].children, 0);
	CU_ASSERT_EQUAL(entries[root].freed_children, 0);
	CU_ASSERT_EQUAL(pages_live, 1); /* the root's page only */
}

/* Writing a block with cached children, none freed, releases nothing;
 * a freed one moved to another parent waits for that one. */
static void freed_children_counted(void)
{
	static const struct xok_xn_pair other = { 40, 0 };
	int root = setup(10), c, d, o;

	xnr_add_children(&r, root, kids, 2);
	xnr_add_children(&r, root, &other, 1);
	c = xnr_find(&r, 20);
	d = xnr_find(&r, 21);
	o = xnr_find(&r, 40);
	xnr_written(&r, c);
	xnr_written(&r, d);
	xnr_written(&r, root);
	CU_ASSERT_EQUAL(xnr_find(&r, 20), c); /* still cached */
	CU_ASSERT_EQUAL(entries[root].freed_children, 0);
	xnr_mark_freed(&r, 20);
	xnr_reparent(&r, 20, o);
	CU_ASSERT_EQUAL(entries[root].freed_children, 0);
	CU_ASSERT_EQUAL(entries[o].freed_children, 1);
	xnr_written(&r, root);
	CU_ASSERT_EQUAL(xnr_find(&r, 20), c); /* waits for o */
	xnr_written(&r, o);
	CU_ASSERT_EQUAL(xnr_find(&r, 20), -1);
	CU_ASSERT_EQUAL(entries[o].freed_children, 0);
	CU_ASSERT_EQUAL(xnr_find(&r, 21), d);
}

/* A child allocated and freed before it was ever written: no disk block
 * points to it, so it goes at once and no longer taints its parent. */
static void unwritten_child_freed_at_once(void)
{
	int root = setup(10);

	xnr_add_children(&r, root, kids, 2);
	CU_ASSERT_EQUAL(entries[root].taint, 2);
	xnr_mark_freed(&r, 20);
	CU_ASSERT_EQUAL(entries[root].taint, 1);
	CU_ASSERT(!xn_bit(map, 20));
	CU_ASSERT_EQUAL(xnr_find(&r, 20), -1);
	CU_ASSERT_EQUAL(entries[root].children, 1);
	xnr_written(&r, xnr_find(&r, 21));
	entries[root].state = XOK_XN_DIRTY;
	CU_ASSERT_EQUAL(xnr_writable(&r, root), 0);
}

/* Freed blocks waiting for a block that is itself freed go with it. */
static void freed_chain_released_together(void)
{
	static const struct xok_xn_pair grandkid = { 30, 0 };
	int root = setup(10), c, g;

	xnr_add_children(&r, root, kids, 1);
	c = xnr_find(&r, 20);
	xnr_add_children(&r, c, &grandkid, 1);
	g = xnr_find(&r, 30);
	xnr_written(&r, g);
	xnr_written(&r, c);
	entries[g].state = entries[c].state = XOK_XN_VALID;
	xnr_mark_freed(&r, 30); /* waits for c */
	xnr_mark_freed(&r, 20); /* waits for root */
	CU_ASSERT(xn_bit(map, 20) && xn_bit(map, 30));
	xnr_written(&r, root);
	CU_ASSERT(!xn_bit(map, 20) && !xn_bit(map, 30));
	CU_ASSERT_EQUAL(xnr_find(&r, 30), -1);
	CU_ASSERT_EQUAL(pages_live, 1);
}

static void reclaim_takes_only_clean_unmapped_childless(void)
{
	int root = setup(10), c;

	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, -1), 1); /* the lone clean root */
	root = setup(10);
	xnr_add_children(&r, root, kids, 1);
	c = xnr_find(&r, 20);
	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, -1), 0); /* uninit, and a parent */
	xnr_written(&r, c);
	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, -1), 0); /* still dirty */
	entries[c].state = XOK_XN_VALID;
	mapped_pfn = entries[c].pfn;
	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, -1), 0); /* mapped */
	mapped_pfn = 0;
	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, c), 0);  /* kept */
	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, -1), 1); /* now: the child */
	CU_ASSERT_EQUAL(xnr_find(&r, 20), -1);
	CU_ASSERT_EQUAL(entries[root].children, 0);
	CU_ASSERT_EQUAL(xnr_reclaim_one(&r, -1), 1); /* then the root */
	CU_ASSERT_EQUAL(pages_live, 0);
}

static void children_all_or_nothing(void)
{
	int root = setup(2); /* the root's page, then one more */

	CU_ASSERT_EQUAL(xnr_add_children(&r, root, kids, 2), -1);
	CU_ASSERT(!xn_bit(map, 20) && !xn_bit(map, 21));
	CU_ASSERT_EQUAL(entries[root].taint, 0);
	CU_ASSERT_EQUAL(entries[root].children, 0);
	CU_ASSERT_EQUAL(xnr_find(&r, 20), -1);
	CU_ASSERT_EQUAL(pages_live, 1);
	CU_ASSERT_EQUAL(xnr_add_children(&r, root, kids, XOK_XN_MAXDELTA + 1),
			-1);
}

static void full_registry_reclaims_clean(void)
{
	setup(100);
	for (int i = 1; i < N; i++) {
		struct xok_xn_entry t = { .block = 50 + i, .state = XOK_XN_VALID,
					  .parent = XOK_XN_NO_PARENT };

		CU_ASSERT_EQUAL(xnr_new(&r, &t, -1), i);
	}
	struct xok_xn_entry more = { .block = 99, .state = XOK_XN_VALID,
				     .parent = XOK_XN_NO_PARENT };
	int i = xnr_new(&r, &more, 0);
	CU_ASSERT(i > 0); /* someone clean made room, not the kept 0 */
	CU_ASSERT_EQUAL(entries[0].block, 10);
	CU_ASSERT_EQUAL(pages_live, N);
}

/* Blocks of one bucket share a chain: each is found, and dropping one
 * (first, middle or last of the chain) leaves the others found. */
static void bucket_chain_finds_each(void)
{
	int root = setup(10), e[3];

	for (int k = 0; k < 3; k++) {
		struct xok_xn_entry t = { .block = 7 + k * XOK_XN_HASH,
					  .state = XOK_XN_VALID,
					  .parent = (uint32_t)root };

		e[k] = xnr_new(&r, &t, -1);
	}
	CU_ASSERT_EQUAL(xnr_find(&r, 7), e[0]);
	CU_ASSERT_EQUAL(xnr_find(&r, 7 + XOK_XN_HASH), e[1]);
	CU_ASSERT_EQUAL(xnr_find(&r, 7 + 2 * XOK_XN_HASH), e[2]);
	CU_ASSERT_EQUAL(xnr_find(&r, 7 + 3 * XOK_XN_HASH), -1);
	xnr_drop(&r, e[1]);
	CU_ASSERT_EQUAL(xnr_find(&r, 7 + XOK_XN_HASH), -1);
	CU_ASSERT_EQUAL(xnr_find(&r, 7), e[0]);
	CU_ASSERT_EQUAL(xnr_find(&r, 7 + 2 * XOK_XN_HASH), e[2]);
	xnr_drop(&r, e[2]); /* the chain's head: the newest */
	CU_ASSERT_EQUAL(xnr_find(&r, 7), e[0]);
	xnr_drop(&r, e[0]);
	CU_ASSERT_EQUAL(xnr_find(&r, 7), -1);
	CU_ASSERT_EQUAL(heads[xok_xn_bucket(7)], 0);
	CU_ASSERT_EQUAL(entries[root].children, 0);
}

/* A full registry reclaims round it in turn (a clock), not the same
 * low slot again and again: the entries made one after the other go
 * one after the other. */
static void reclaim_goes_round(void)
{
	int first;

	setup(100);
	xnr_reclaim_one(&r, -1); /* the root: an empty registry */
	for (int i = 0; i < N; i++) {
		struct xok_xn_entry t = { .block = 50 + i, .state = XOK_XN_VALID,
					  .parent = XOK_XN_NO_PARENT };

		xnr_new(&r, &t, -1);
	}
	first = xnr_find(&r, 50);
	for (int i = 0; i < N; i++) {
		struct xok_xn_entry t = { .block = 70 + i, .state = XOK_XN_VALID,
					  .parent = XOK_XN_NO_PARENT };

		CU_ASSERT_EQUAL(xnr_new(&r, &t, -1), (first + i) % N);
		CU_ASSERT_EQUAL(xnr_find(&r, 50 + i), -1);
		if (i + 1 < N)
			CU_ASSERT(xnr_find(&r, 51 + i) >= 0);
	}
	CU_ASSERT_EQUAL(pages_live, N);
}

/* Ownership moving between two entries takes the child count and the
 * taint of an unwritten child along; the pair is written together. */
static void reparent_and_pair(void)
{
	int root = setup(10), a, b, c;
	const struct xok_xn_pair ab[2] = { { 30, 2 }, { 31, 2 } };

	xnr_add_children(&r, root, ab, 2);
	a = xnr_find(&r, 30);
	b = xnr_find(&r, 31);
	xnr_written(&r, a);
	xnr_written(&r, b);
	xnr_add_children(&r, a, kids, 1);
	c = xnr_find(&r, 20);
	CU_ASSERT_EQUAL(entries[a].taint, 1);
	xnr_reparent(&r, 20, b);
	xnr_reparent(&r, 99, b); /* not cached: nothing to do */
	CU_ASSERT_EQUAL(entries[c].parent, (uint32_t)b);
	CU_ASSERT_EQUAL(entries[a].taint, 0);
	CU_ASSERT_EQUAL(entries[a].children, 0);
	CU_ASSERT_EQUAL(entries[b].taint, 1);
	CU_ASSERT_EQUAL(entries[b].children, 1);
	xnr_pair(&r, a, b);
	CU_ASSERT_EQUAL(xnr_partner(&r, a), b);
	CU_ASSERT_EQUAL(xnr_partner(&r, b), a);
	CU_ASSERT_EQUAL(xnr_partner(&r, c), -1);
	/* a alone could go, but its partner points at an unwritten block */
	CU_ASSERT_EQUAL(xnr_writable(&r, a), -1);
	xnr_written(&r, c);
	CU_ASSERT_EQUAL(xnr_writable(&r, a), 0);
	CU_ASSERT_EQUAL(xnr_writable(&r, b), 0);
	entries[b].state = XOK_XN_VALID; /* were the partner clean... */
	CU_ASSERT_EQUAL(xnr_writable(&r, a), -1);
	entries[b].state = XOK_XN_DIRTY;
	xnr_written(&r, a);
	xnr_written(&r, b);
	CU_ASSERT_EQUAL(xnr_partner(&r, a), -1);
	CU_ASSERT_EQUAL(xnr_partner(&r, b), -1);
}

/* A pair of a block and its own child never written goes together (the
 * one write orders them), unless either waits for a third block. */
static void pair_with_own_unwritten_child(void)
{
	int root = setup(10), p, d, e;
	const struct xok_xn_pair pp[1] = { { 30, 2 } }, dd[1] = { { 31, 2 } },
				 ee[1] = { { 32, 0 } };

	xnr_add_children(&r, root, pp, 1);
	p = xnr_find(&r, 30);
	xnr_written(&r, p);
	entries[p].state = XOK_XN_DIRTY;
	xnr_add_children(&r, p, dd, 1);
	d = xnr_find(&r, 31);
	CU_ASSERT_EQUAL(xnr_writable(&r, p), -1); /* alone: d first */
	xnr_pair(&r, p, d);
	CU_ASSERT_EQUAL(xnr_writable(&r, p), 0);
	CU_ASSERT_EQUAL(xnr_writable(&r, d), 0);
	xnr_add_children(&r, d, ee, 1); /* d now points at a third */
	e = xnr_find(&r, 32);
	CU_ASSERT_EQUAL(xnr_writable(&r, p), -1);
	CU_ASSERT_EQUAL(xnr_writable(&r, d), -1);
	xnr_written(&r, e);
	CU_ASSERT_EQUAL(xnr_writable(&r, p), 0);
	xnr_written(&r, p);
	xnr_written(&r, d);
	CU_ASSERT_EQUAL(entries[p].taint, 0);
	CU_ASSERT_EQUAL(xnr_partner(&r, p), -1);
}

void add_xnreg_tests(void)
{
	static const struct unit_test tests[] = {
		{ "new_child_taints_parent", new_child_taints_parent },
		{ "freed_block_waits_for_parent", freed_block_waits_for_parent },
		{ "freed_children_counted", freed_children_counted },
		{ "unwritten_child_freed_at_once", unwritten_child_freed_at_once },
		{ "freed_chain_released_together", freed_chain_released_together },
		{ "reclaim_takes_only_clean_unmapped_childless",
		  reclaim_takes_only_clean_unmapped_childless },
		{ "children_all_or_nothing", children_all_or_nothing },
		{ "full_registry_reclaims_clean", full_registry_reclaims_clean },
		{ "bucket_chain_finds_each", bucket_chain_finds_each },
		{ "reclaim_goes_round", reclaim_goes_round },
		{ "reparent_and_pair", reparent_and_pair },
		{ "pair_with_own_unwritten_child",
		  pair_with_own_unwritten_child },
		{ 0, 0 },
	};
	add_suite("xnreg", tests);
}
