/*
 * xntest: XN through the real disk driver, with a small test libFS of two
 * metadata types ("dir": (block, type) pairs; "ptrs": data block numbers):
 * catalogues, binding through parents, checked allocation and freeing,
 * write ordering, and what an environment may not do. The harness formats
 * the disk with xn-mkfs first and runs xn-fsck on it afterwards.
 */
#include <xok/disk.h>
#include <xok/wk.h>
#include <xok/xn.h>

#include "../lib/selftest.h"
#include "rt/rt.h"
/* After rt.h, which declares memset and memcpy. */
#include "../xn/sample_types.h"

#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define HEAD ((const volatile uint32_t *)XOK_UXNHASH)
#define VIEW RT_SCRATCH /* where blocks are mapped to look at them */
#define PIN (RT_SCRATCH + 0x100000) /* where the root stays mapped */
#define PIN_PTRS (RT_SCRATCH + 0x101000) /* a ptrs block kept cached */

static int64_t root_idx; /* registry index of the root "fs" (a dir) */
static unsigned next_slot = 1; /* next free entry of the root dir */


/* A free block to allocate, from the exported free map. */
static uint64_t free_block(void)
{
	return rt_xn_free_block(64, ((const volatile struct xok_disk *)
				     XOK_UDISKS)[0].nblocks);
}

/* Adds entry (block, type) to the root dir, allocating it. */
static int64_t add_to_root(uint64_t block, uint64_t type)
{
	uint64_t entry[2] = { block, type };
	struct xok_xn_mod mod = { 16 * next_slot, 16, (uint64_t)entry };
	struct xok_xn_delta d = { .nadd = 1, .add = { { block, type } } };
	int64_t r = xok_xn_modify(0, (uint64_t)root_idx, &mod, 1, &d);

	if (r == 0)
		next_slot++;
	return r;
}

SELFTEST(mount_and_catalogues)
{
	struct xok_xn_template t;

	CHECK_EQ(xok_xn_mount(0, 0), E_BUSY); /* mounted by main */
	CHECK_EQ(REG[root_idx].state, XOK_XN_VALID);
	CHECK_EQ(REG[root_idx].type, T_DIR);
	make_ptrs_type(&t);
	CHECK_EQ(xok_xn_type_install(0, T_PTRS, &t), E_BUSY);
	CHECK_EQ(xok_xn_type_install(0, XOK_XN_DATA, &t), E_INVAL);
	CHECK_EQ(xok_xn_type_install(0, XOK_XN_MAXTYPES, &t), E_INVAL);
	t.insns[5].off = 3; /* a loop that jumps forward */
	CHECK_EQ(xok_xn_type_install(0, 5, &t), E_INVAL);
	t.insns[5].off = -5;
	t.insns[6].op = XOK_UDF_CRED; /* credentials in an owns-UDF */
	CHECK_EQ(xok_xn_type_install(0, 5, &t), E_INVAL);
	CHECK_EQ(xok_xn_type_install(0, 5, (void *)0x10), E_FAULT);
	CHECK_EQ(xok_xn_root_create(0, "fs", T_DIR), E_BUSY);
	CHECK_EQ(xok_xn_root_create(0, "x", 9), E_INVAL);
	CHECK_EQ(xok_xn_root_create(0, "", T_DIR), E_INVAL);
	/* Found by name, as a libFS finds its root after a reboot. */
	CHECK_EQ(xok_xn_root_find("fs"), REG[root_idx].root);
	CHECK_EQ(xok_xn_root_find("nope"), E_INVAL);
	CHECK_EQ(xok_xn_root_find(""), E_INVAL);
	CHECK_EQ(xok_xn_root_find("a-name-that-is-much-too-long-32b"), E_INVAL);
	CHECK_EQ(xok_xn_root_find((void *)0x10), E_FAULT);
	return 0;
}

SELFTEST(metadata_is_never_writable)
{
	CHECK_EQ(xok_xn_map(0, (uint64_t)root_idx, VIEW, 1), E_PERM);
	CHECK_EQ(xok_xn_map(0, (uint64_t)root_idx, VIEW, 0), 0);
	CHECK_EQ(rt_probe_write(VIEW), XOK_T_PGFLT);
	CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
	CHECK_EQ(xok_xn_map(0, (uint64_t)root_idx, VIEW + 1, 0), E_INVAL);
	CHECK_EQ(xok_xn_map(0, 9999, VIEW, 0), E_INVAL);
	return 0;
}

SELFTEST(allocation_is_checked)
{
	uint64_t b = free_block(), other = free_block() + 1;
	uint64_t entry[2] = { b, T_PTRS };
	struct xok_xn_mod mod = { 16 * next_slot, 16, (uint64_t)entry };
	struct xok_xn_delta none = { 0 }, wrong = { .nadd = 1,
						    .add = { { other, T_PTRS } } };

	/* Pointing at a block without declaring it: refused. */
	CHECK_EQ(xok_xn_modify(0, (uint64_t)root_idx, &mod, 1, &none), E_INVAL);
	/* Declaring another block than the one pointed at: refused. */
	CHECK_EQ(xok_xn_modify(0, (uint64_t)root_idx, &mod, 1, &wrong), E_INVAL);
	/* Claiming a block XN itself uses (the superblock): refused. */
	CHECK_EQ(add_to_root(0, XOK_XN_DATA), E_BUSY);
	CHECK_EQ(add_to_root(1, XOK_XN_DATA), E_BUSY); /* the free map */
	CHECK_EQ(add_to_root(b, 9), E_INVAL);          /* no such type */
	mod.offset = 4090; /* runs past the block */
	CHECK_EQ(xok_xn_modify(0, (uint64_t)root_idx, &mod, 1, &none), E_INVAL);
	CHECK(!rt_xn_in_use(b));
	return 0;
}

SELFTEST(write_ordering_and_claims)
{
	uint64_t ptrs = free_block(), data;
	unsigned slot = next_slot; /* the root entry it gets */
	int64_t pi, di;

	CHECK_EQ(add_to_root(ptrs, T_PTRS), 0);
	CHECK(rt_xn_in_use(ptrs));
	CHECK_EQ(add_to_root(ptrs, XOK_XN_DATA), E_BUSY); /* claimed twice */
	pi = xok_xn_bind(0, (uint64_t)root_idx, ptrs);
	CHECK(pi >= 0);
	CHECK_EQ(REG[pi].uninit, 1);
	CHECK(REG[root_idx].taint >= 1);
	/* The root points at a block never written: it may not go out,
	 * and the disk cannot be shut down cleanly yet. */
	CHECK_EQ(xok_xn_write((uint64_t)root_idx), E_STATE);
	CHECK_EQ(xok_xn_sync(1), E_BUSY);
	CHECK_EQ(xok_xn_sync(2), E_INVAL);
	CHECK_EQ(xok_xn_write((uint64_t)pi), 0);
	CHECK_EQ(rt_xn_settle(pi), XOK_XN_VALID);
	CHECK_EQ(REG[root_idx].taint, 0);
	CHECK_EQ(xok_xn_write((uint64_t)root_idx), 0);
	CHECK_EQ(rt_xn_settle(root_idx), XOK_XN_VALID);

	/* A data block under it, written through a writable mapping. */
	data = free_block();
	{
		uint64_t n = data;
		struct xok_xn_mod mod = { 0, 8, (uint64_t)&n };
		struct xok_xn_delta d = { .nadd = 1,
					  .add = { { data, XOK_XN_DATA } } };

		CHECK_EQ(xok_xn_modify(0, (uint64_t)pi, &mod, 1, &d), 0);
	}
	di = xok_xn_bind(0, (uint64_t)pi, data);
	CHECK(di >= 0);
	CHECK_EQ(xok_xn_map(0, (uint64_t)di, VIEW, 1), 0);
	*(volatile uint64_t *)VIEW = 0x5eed;
	CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
	CHECK_EQ(xok_xn_write((uint64_t)di), 0);
	CHECK_EQ(rt_xn_settle(di), XOK_XN_VALID);
	CHECK_EQ(xok_xn_write((uint64_t)pi), 0);
	CHECK_EQ(rt_xn_settle(pi), XOK_XN_VALID);

	/* Freeing: a block that still owns others cannot go. */
	{
		uint64_t zero[2] = { 0, 0 }, z = 0;
		struct xok_xn_mod clear_root = { 16 * slot, 16, (uint64_t)zero };
		struct xok_xn_mod clear_ptr = { 0, 8, (uint64_t)&z };
		struct xok_xn_delta rm_ptrs = { .nrm = 1,
						.rm = { { ptrs, T_PTRS } } };
		struct xok_xn_delta rm_data = { .nrm = 1,
						.rm = { { data, XOK_XN_DATA } } };

		CHECK_EQ(xok_xn_modify(0, (uint64_t)root_idx, &clear_root, 1,
				       &rm_ptrs), E_STATE);
		/* Free the data block; it stays in use until ptrs is written. */
		CHECK_EQ(xok_xn_modify(0, (uint64_t)pi, &clear_ptr, 1, &rm_data), 0);
		CHECK(rt_xn_in_use(data));
		CHECK_EQ(add_to_root(data, XOK_XN_DATA), E_BUSY);
		CHECK_EQ(xok_xn_write((uint64_t)pi), 0);
		CHECK_EQ(rt_xn_settle(pi), XOK_XN_VALID);
		CHECK(!rt_xn_in_use(data)); /* now reusable */
		/* Now ptrs owns nothing and can be freed from the root. */
		CHECK_EQ(xok_xn_modify(0, (uint64_t)root_idx, &clear_root, 1,
				       &rm_ptrs), 0);
		CHECK_EQ(xok_xn_write((uint64_t)root_idx), 0);
		CHECK_EQ(rt_xn_settle(root_idx), XOK_XN_VALID);
		CHECK(!rt_xn_in_use(ptrs));
	}
	return 0;
}

/* More data blocks than the registry has entries: clean ones must be
 * reclaimed to make room, and read back from disk when bound again. */
/* The word at byte `off` of cached block `idx`, through a read-only map. */
static uint64_t word_of(int64_t idx, unsigned off)
{
	uint64_t v;

	if (xok_xn_map(0, (uint64_t)idx, VIEW, 0))
		return ~0ull;
	v = *(volatile uint64_t *)(VIEW + off);
	xok_page_unmap(0, 0, VIEW);
	return v;
}

/* Binds a new ptrs block under the root; its registry index. */
static int64_t new_ptrs(void)
{
	uint64_t b = free_block();

	if (add_to_root(b, T_PTRS))
		return -1;
	return xok_xn_bind(0, (uint64_t)root_idx, b);
}

SELFTEST(pair_change_checked)
{
	int64_t p = new_ptrs(), q = new_ptrs(), r = new_ptrs();
	uint64_t d = free_block(), zero = 0;
	struct xok_xn_delta add = { .nadd = 1, .add = { { d, XOK_XN_DATA } } };
	struct xok_xn_mod put = { 0, 8, (uint64_t)&d };
	struct xok_xn_mod mods[2] = { { 0, 8, (uint64_t)&zero },
				      { 8, 8, (uint64_t)&d } };
	struct xok_xn_pair_change c = {
		.idx = { (uint64_t)p, (uint64_t)q },
		.mods = { (uint64_t)&mods[0], (uint64_t)&mods[1] },
		.nmods = { 1, 1 },
	};

	CHECK(p >= 0 && q >= 0 && r >= 0);
	CHECK_EQ(xok_xn_modify(0, (uint64_t)p, &put, 1, &add), 0);
	/* Undeclared, a move is refused and changes neither block. */
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_INVAL);
	CHECK_EQ(word_of(p, 0), d);
	CHECK_EQ(word_of(q, 8), 0);
	c.nmoved = 1;
	c.moved[0] = (struct xok_xn_pair){ d, XOK_XN_DATA };
	mods[0].bytes = (uint64_t)&d; /* p keeps it: owned by both */
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_INVAL);
	mods[0].bytes = (uint64_t)&zero;
	c.idx[1] = c.idx[0];
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_INVAL);
	c.idx[1] = (uint64_t)q;
	c.nmoved = XOK_XN_MAXMOVE + 1;
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_INVAL);
	c.nmoved = 1;
	c.nmods[1] = XOK_XN_MAXMODS + 1;
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_INVAL);
	c.nmods[1] = 1;
	c.mods[1] = 0x10;
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_FAULT);
	c.mods[1] = (uint64_t)&mods[1];
	CHECK_EQ(xok_xn_modify_pair(0, (void *)0x10), E_FAULT);
	CHECK_EQ(word_of(p, 0), d);
	/* Declared: d moves from p to q, and changes parent. */
	CHECK_EQ(xok_xn_modify_pair(0, &c), 0);
	CHECK_EQ(word_of(p, 0), 0);
	CHECK_EQ(word_of(q, 8), d);
	int64_t di = xok_xn_bind(0, (uint64_t)q, d);
	CHECK(di >= 0);
	CHECK_EQ(REG[di].parent, (uint32_t)q);
	CHECK_EQ(REG[p].pair, (uint32_t)q + 1);
	CHECK_EQ(xok_xn_bind(0, (uint64_t)p, d), E_INVAL);
	/* Paired: not with a third block, not freed, until written. */
	c.idx[0] = (uint64_t)r;
	c.nmoved = 0;
	mods[1].bytes = (uint64_t)&zero;
	CHECK_EQ(xok_xn_modify_pair(0, &c), E_STATE);
	/* Writing one writes both, through the log (once d, which q
	 * points to, is on disk); then the root pointing to them. */
	CHECK_EQ(xok_xn_write((uint64_t)p), E_STATE);
	CHECK_EQ(rt_xn_write_wait(di), 0);
	CHECK_EQ(rt_xn_write_wait(p), 0);
	CHECK_EQ(rt_xn_write_wait(r), 0);
	CHECK_EQ(rt_xn_write_wait(root_idx), 0);
	CHECK_EQ(REG[q].state, XOK_XN_VALID);
	CHECK_EQ(REG[p].pair, 0);
	CHECK_EQ(REG[q].pair, 0);
	CHECK_EQ(xok_xn_write((uint64_t)q), E_STATE); /* nothing left */
	return 0;
}

/* A new ptrs block under the root, written (with the root) so that
 * what it points to can be written; its registry index. */
static int64_t new_ptrs_block(void)
{
	uint64_t p = free_block();
	int64_t pi;

	if (add_to_root(p, T_PTRS) ||
	    (pi = xok_xn_bind(0, (uint64_t)root_idx, p)) < 0 ||
	    rt_xn_write_wait(pi) || rt_xn_write_wait(root_idx))
		return -1;
	return pi;
}

/* More data blocks than the registry has entries, each written before
 * the next is made (under ptrs blocks of 512 pointers each): XN must
 * reclaim the clean ones, and reads the first back from disk, then the
 * next two in one request. */
SELFTEST(cache_reclaims_clean_blocks)
{
	enum { N = XOK_XN_REGISTRY + 60, PER = XOK_XN_BLOCK / 8 };
	static uint64_t blocks[N];
	int64_t first = -1, pi = -1, di;

	for (unsigned k = 0; k < N; k++) {
		uint64_t b;
		struct xok_xn_mod mod = { 8 * (k % PER), 8,
					  (uint64_t)&blocks[k] };
		struct xok_xn_delta d = { .nadd = 1 };

		if (k % PER == 0) {
			CHECK(pi < 0 || rt_xn_write_wait(pi) == 0);
			CHECK((pi = new_ptrs_block()) >= 0);
		}
		if (first < 0) {
			/* Mapped, the first stays cached: its index stays. */
			first = pi;
			CHECK_EQ(xok_xn_map(0, (uint64_t)first, PIN_PTRS, 0), 0);
		}
		CHECK((b = blocks[k] = free_block()) != 0);
		d.add[0] = (struct xok_xn_pair){ b, XOK_XN_DATA };
		CHECK_EQ(xok_xn_modify(0, (uint64_t)pi, &mod, 1, &d), 0);
		di = xok_xn_bind(0, (uint64_t)pi, b);
		CHECK(di >= 0);
		CHECK_EQ(xok_xn_map(0, (uint64_t)di, VIEW, 1), 0);
		*(volatile uint64_t *)VIEW = b * 3;
		CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
		CHECK_EQ(rt_xn_write_wait(di), 0);
	}
	CHECK_EQ(rt_xn_write_wait(pi), 0);
	/* The first ones were reclaimed; binding reads them back. */
	CHECK(xok_xn_lookup(REG, HEAD, blocks[0]) < 0);
	di = xok_xn_bind(0, (uint64_t)first, blocks[0]);
	CHECK(di >= 0);
	CHECK_EQ(rt_xn_settle(di), XOK_XN_VALID);
	CHECK_EQ(xok_xn_map(0, (uint64_t)di, VIEW, 0), 0);
	CHECK_EQ(*(volatile uint64_t *)VIEW, blocks[0] * 3);
	CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
	/* The next ones, in a row, in one request (xn_bind_run). */
	CHECK_EQ(blocks[2], blocks[1] + 1);
	CHECK_EQ(xok_xn_bind_run(0, (uint64_t)first, blocks[1], 0), E_INVAL);
	CHECK_EQ(xok_xn_bind_run(0, (uint64_t)first, blocks[1],
				 XOK_DISK_MAXPAGES + 1), E_INVAL);
	CHECK_EQ(xok_xn_bind_run(0, XOK_XN_REGISTRY, blocks[1], 2), E_INVAL);
	CHECK_EQ(xok_xn_bind_run(0, (uint64_t)first, blocks[N - 2], 2),
		 E_INVAL); /* not its children */
	CHECK_EQ(xok_xn_bind_run(0, (uint64_t)first, blocks[0], 3), E_BUSY);
	CHECK_EQ(xok_xn_bind_run(0, (uint64_t)first, blocks[1], 2), 0);
	for (unsigned k = 1; k <= 2; k++) {
		CHECK((di = xok_xn_lookup(REG, HEAD, blocks[k])) >= 0);
		CHECK_EQ(rt_xn_settle(di), XOK_XN_VALID);
		CHECK_EQ(REG[di].parent, (uint32_t)first);
		CHECK_EQ(xok_xn_map(0, (uint64_t)di, VIEW, 0), 0);
		CHECK_EQ(*(volatile uint64_t *)VIEW, blocks[k] * 3);
		CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
	}
	CHECK_EQ(xok_page_unmap(0, 0, PIN_PTRS), 0);
	return 0;
}

/* `n` free blocks in a row: the first, or 0. */
static uint64_t free_row(unsigned n)
{
	uint64_t nblocks = ((const volatile struct xok_disk *)XOK_UDISKS)[0].nblocks;

	for (uint64_t b = free_block(); b && b + n <= nblocks;
	     b = rt_xn_free_block(b + 1, nblocks)) {
		unsigned k = 1;

		while (k < n && !rt_xn_in_use(b + k) &&
		       xok_xn_lookup(REG, HEAD, b + k) < 0)
			k++;
		if (k == n)
			return b;
	}
	return 0;
}

/* xn_write_run: blocks in a row, each one xn_write would take, go in one
 * request; anything else is refused whole. */
SELFTEST(write_run_checked)
{
	int64_t pi = new_ptrs_block(), di[3];
	uint64_t b = free_row(3), ptrs[3] = { b, b + 1, b + 2 };
	struct xok_xn_mod mod = { 0, sizeof(ptrs), (uint64_t)ptrs };
	struct xok_xn_delta d = { .nadd = 3 };
	uint64_t idx[XOK_DISK_MAXPAGES + 1], bad[2];

	CHECK(pi >= 0);
	CHECK(b != 0);
	for (unsigned k = 0; k < 3; k++)
		d.add[k] = (struct xok_xn_pair){ b + k, XOK_XN_DATA };
	CHECK_EQ(xok_xn_modify(0, (uint64_t)pi, &mod, 1, &d), 0);
	for (unsigned k = 0; k < 3; k++) {
		CHECK((di[k] = xok_xn_bind(0, (uint64_t)pi, b + k)) >= 0);
		CHECK_EQ(xok_xn_map(0, (uint64_t)di[k], VIEW, 1), 0);
		*(volatile uint64_t *)VIEW = b * 7 + k;
		CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
		idx[k] = (uint64_t)di[k];
	}
	CHECK_EQ(xok_xn_write_run(idx, 0), E_INVAL);
	CHECK_EQ(xok_xn_write_run(idx, XOK_DISK_MAXPAGES + 1), E_INVAL);
	CHECK_EQ(xok_xn_write_run((const uint64_t *)8, 2), E_FAULT);
	bad[0] = idx[0], bad[1] = idx[2]; /* a gap */
	CHECK_EQ(xok_xn_write_run(bad, 2), E_INVAL);
	bad[0] = idx[1], bad[1] = idx[0]; /* backwards */
	CHECK_EQ(xok_xn_write_run(bad, 2), E_INVAL);
	bad[0] = bad[1] = idx[0]; /* twice */
	CHECK_EQ(xok_xn_write_run(bad, 2), E_INVAL);
	bad[0] = idx[0], bad[1] = XOK_XN_REGISTRY; /* no such entry */
	CHECK_EQ(xok_xn_write_run(bad, 2), E_INVAL);
	/* The ptrs block points at blocks never written: it may not go. */
	CHECK_EQ(xok_xn_write_run((const uint64_t *)&pi, 1), E_STATE);
	/* The last one on disk already: not dirty, so none of them goes. */
	CHECK_EQ(rt_xn_write_wait(di[2]), 0);
	CHECK_EQ(xok_xn_write_run(idx, 3), E_STATE);
	CHECK_EQ(REG[di[0]].state, XOK_XN_DIRTY);
	CHECK_EQ(xok_xn_write_run(idx, 2), 0);
	for (unsigned k = 0; k < 2; k++)
		CHECK_EQ(rt_xn_settle(di[k]), XOK_XN_VALID);
	CHECK_EQ(REG[pi].taint, 0); /* every child written */
	CHECK_EQ(rt_xn_write_wait(pi), 0);
	for (unsigned k = 0; k < 3; k++) {
		CHECK_EQ(xok_xn_map(0, (uint64_t)di[k], VIEW, 0), 0);
		CHECK_EQ(*(volatile uint64_t *)VIEW, b * 7 + k);
		CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
	}
	return 0;
}

/* A type whose access-UDF refuses every write: its guard would allow
 * the change, the type does not. */
SELFTEST(access_udf_refuses)
{
	static const struct xok_udf_insn read_only[] = {
		{ .op = XOK_UDF_CRED, .dst = 0, .imm = XOK_XN_CRED_RIGHTS },
		{ .op = XOK_UDF_CONST, .dst = 1, .imm = XOK_CAP_W },
		{ .op = XOK_UDF_AND, .dst = 2, .a = 0, .b = 1 },
		{ .op = XOK_UDF_CONST, .dst = 3, .imm = 1 },
		{ .op = XOK_UDF_JEQ, .a = 2, .b = 4, .off = 1 },
		{ .op = XOK_UDF_RET, .a = 4 },  /* asks for W: 0, deny */
		{ .op = XOK_UDF_RET, .a = 3 },  /* else 1, allow */
	};
	struct xok_xn_template t;
	struct xok_xn_delta none = { 0 };
	uint64_t b = free_block(), z = 0;
	struct xok_xn_mod mod = { 0, 8, (uint64_t)&z };
	int64_t li;

	make_ptrs_type(&t);
	memcpy(t.insns + t.owns_len, read_only, sizeof(read_only));
	t.access_len = sizeof(read_only) / sizeof(read_only[0]);
	CHECK_EQ(xok_xn_type_install(0, 3, &t), 0);
	CHECK_EQ(add_to_root(b, 3), 0);
	li = xok_xn_bind(0, (uint64_t)root_idx, b);
	CHECK(li >= 0);
	CHECK_EQ(xok_xn_modify(0, (uint64_t)li, &mod, 1, &none), E_PERM);
	CHECK_EQ(xok_xn_map(0, (uint64_t)li, VIEW, 0), 0); /* reading: fine */
	CHECK_EQ(xok_page_unmap(0, 0, VIEW), 0);
	CHECK_EQ(rt_xn_write_wait(li), 0); /* anyone may write back */
	CHECK_EQ(rt_xn_write_wait(root_idx), 0);
	return 0;
}

static volatile uint64_t spins;

static void spinner(uint64_t unused)
{
	(void)unused;
	for (;;)
		spins++;
}

/* The kernel waits for synchronous disk I/O with interrupts on; a slice
 * timer that fires then must still end the caller's slice, or a program
 * calling xn_sync in a loop would keep the CPU from everyone else. */
SELFTEST(slices_turn_during_sync_io)
{
	const volatile struct xok_cpu_slices *v =
		(const volatile struct xok_cpu_slices *)XOK_USLICES;
	uint64_t t0 = xok_clock_ns();
	int64_t c = rt_spawn(spinner, 0), pos = -1;

	CHECK(c > 0);
	for (unsigned i = 0; i < XOK_NSLICES && pos < 0; i++)
		if (i != v->pos && v->slice[i].owner == (uint64_t)xok_getenvid())
			pos = i;
	CHECK(pos >= 0);
	CHECK_EQ(xok_slice_set(0, 0, (uint64_t)pos, (uint64_t)c), 0);
	spins = 0;
	while (xok_clock_ns() - t0 < 1000000000ull && spins < 1000)
		CHECK_EQ(xok_xn_sync(0), 0); /* no yield: only the timer */
	CHECK(spins >= 1000);
	CHECK_EQ(xok_env_destroy(0, c), 0);
	CHECK_EQ(xok_slice_alloc(0, 0, (uint64_t)pos, 0), pos);
	return 0;
}

static volatile int64_t results[8];

static void outsider(uint64_t unused)
{
	struct xok_xn_template t = { 0 };
	struct xok_xn_delta none = { 0 };

	(void)unused;
	results[0] = xok_xn_bind_root(0, 0);
	results[1] = xok_xn_map(0, (uint64_t)root_idx, VIEW, 0);
	results[2] = xok_xn_modify(0, (uint64_t)root_idx, 0, 0, &none);
	results[3] = xok_xn_type_install(0, 6, &t);
	results[4] = xok_xn_root_create(0, "mine", XOK_XN_DATA);
	results[5] = xok_xn_mount(0, 0);
	struct xok_xn_pair_change c = { .idx = { (uint64_t)root_idx,
						 (uint64_t)root_idx + 1 } };
	results[6] = xok_xn_modify_pair(0, &c);
	results[7] = xok_xn_bind_run(0, (uint64_t)root_idx, 64, 1);
}

SELFTEST(no_capability_no_blocks)
{
	int64_t c = rt_spawn(outsider, 0);

	CHECK(c > 0);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(results[i], E_PERM);
	return 0;
}

int main(const char *arg)
{
	int failed;

	rt_check_leaks = 0; /* the buffer cache keeps pages on purpose */
	if ((root_idx = rt_xn_sample_disk("fs", PIN)) < 0)
		return (int)-root_idx;
	failed = rt_run_selftests(arg);
	/* Everything written: shut the disk down cleanly for xn-fsck. */
	return failed ? failed : xok_xn_sync(1) ? 15 : 0;
}
