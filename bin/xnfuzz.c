/*
 * xnfuzz: XN's promise under a libFS that is wrong on purpose. Seeded
 * random operations on a mounted XN disk: sensible allocations and frees
 * in the sample types, garbage modifications and deltas, data writes,
 * write-backs in any order. Most garbage is refused; whatever XN accepts
 * must keep the disk consistent. At the end everything cached is written
 * back (children before parents, as XN insists) and the disk shut down
 * cleanly: the harness's xn-fsck must then accept it.
 * Argument: "OPS:SEED" (default 3000:1).
 */
#include <xok/xn.h>

#include "rt/rt.h"
#include "../xn/sample_types.h"

#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define VIEW RT_SCRATCH
#define NBLOCKS 4096

static uint64_t rng;
static uint64_t accepted, refused;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : rng;
}

static int is_meta(unsigned i)
{
	return REG[i].pfn && !REG[i].freed && REG[i].type != XOK_XN_DATA &&
	       REG[i].state != XOK_XN_READING;
}

static int is_data(unsigned i)
{
	return REG[i].pfn && REG[i].type == XOK_XN_DATA;
}

static int is_cached(unsigned i)
{
	return REG[i].pfn != 0;
}

/* A random entry that `fits`, or -1. The registry is much larger than
 * what the fuzzer caches: pick among those that fit, not at random. */
static int64_t pick(int (*fits)(unsigned))
{
	static unsigned found[XOK_XN_REGISTRY];
	unsigned n = 0;

	for (unsigned i = 0; i < XOK_XN_REGISTRY; i++)
		if (fits(i))
			found[n++] = i;
	return n ? (int64_t)found[rnd(n)] : -1;
}

/* The 64-bit word `w` of cached block `i` (mapped read-only to look). */
static uint64_t peek(int64_t i, unsigned w)
{
	uint64_t v = 0;

	if (!xok_xn_map(0, (uint64_t)i, VIEW, 0)) {
		v = ((volatile uint64_t *)VIEW)[w];
		xok_page_unmap(0, 0, VIEW);
	}
	return v;
}

static void count(int64_t r)
{
	if (r == 0)
		accepted++;
	else
		refused++;
}

/* Points a free slot of a metadata block at a free block, declared. */
static void allocate(void)
{
	int64_t i = pick(is_meta);
	uint64_t b = rt_xn_free_block(64 + rnd(NBLOCKS - 64), NBLOCKS);

	if (i < 0 || !b)
		return;
	int dir = REG[i].type == T_DIR;
	unsigned slot = (unsigned)rnd(dir ? 256 : 512);
	uint64_t type = dir ? rnd(3) : XOK_XN_DATA, v[2] = { b, type };
	struct xok_xn_mod mod = { (dir ? 16 : 8) * slot, dir ? 16 : 8,
				  (uint64_t)v };
	struct xok_xn_delta d = { .nadd = 1, .add = { { b, type } } };

	if (peek(i, dir ? 2 * slot : slot))
		return; /* taken: that would be a change of pointer */
	count(xok_xn_modify(0, (uint64_t)i, &mod, 1, &d));
	if (rnd(2))
		xok_xn_bind(0, (uint64_t)i, b);
}

/* Clears a pointer of a metadata block, declaring the free. */
static void release(void)
{
	int64_t i = pick(is_meta);

	if (i < 0)
		return;
	int dir = REG[i].type == T_DIR;
	unsigned slot = (unsigned)rnd(dir ? 256 : 512);
	uint64_t b = peek(i, dir ? 2 * slot : slot), zero[2] = { 0, 0 };
	uint64_t type = dir ? peek(i, 2 * slot + 1) : XOK_XN_DATA;
	struct xok_xn_mod mod = { (dir ? 16 : 8) * slot, dir ? 16 : 8,
				  (uint64_t)zero };
	struct xok_xn_delta d = { .nrm = 1, .rm = { { b, type } } };

	if (!b)
		return;
	xok_xn_bind(0, (uint64_t)i, b); /* a free needs the block cached */
	rt_xn_settle(xok_xn_bind(0, (uint64_t)i, b));
	count(xok_xn_modify(0, (uint64_t)i, &mod, 1, &d));
}

/* Random bytes and a random delta: XN must refuse what is not exact. */
static void garbage(void)
{
	int64_t i = rnd(4) ? pick(is_meta) : (int64_t)rnd(XOK_XN_REGISTRY + 4);
	uint64_t bytes[4] = { rnd(NBLOCKS), rnd(0), rnd(NBLOCKS), rnd(16) };
	struct xok_xn_mod mod = { (uint32_t)(rnd(4100) & ~7u),
				  (uint32_t)(8 * (1 + rnd(4))), (uint64_t)bytes };
	struct xok_xn_delta d = { .nadd = rnd(3), .nrm = rnd(2) };

	for (unsigned k = 0; k < d.nadd; k++)
		d.add[k] = (struct xok_xn_pair){ rnd(NBLOCKS), rnd(4) };
	for (unsigned k = 0; k < d.nrm; k++)
		d.rm[k] = (struct xok_xn_pair){ rnd(NBLOCKS), rnd(4) };
	if (i >= 0)
		count(xok_xn_modify(0, (uint64_t)i, &mod, rnd(3), &d));
}

/* Writes bytes into a cached data block through a writable mapping. */
static void scribble(void)
{
	int64_t i = pick(is_data);

	if (i < 0 || xok_xn_map(0, (uint64_t)i, VIEW, 1))
		return;
	((volatile uint64_t *)VIEW)[rnd(512)] = rnd(0);
	xok_page_unmap(0, 0, VIEW);
}

/* Writes everything back: any entry XN lets go, until none is dirty. */
static int flush(void)
{
	for (int pass = 0; pass < 64; pass++) {
		int dirty = 0;

		for (unsigned i = 0; i < XOK_XN_REGISTRY; i++) {
			if (!REG[i].pfn || REG[i].state != XOK_XN_DIRTY)
				continue;
			dirty = 1;
			if (xok_xn_write(i) == 0)
				rt_xn_settle(i);
		}
		if (!dirty)
			return 0;
	}
	return -1;
}

int main(const char *arg)
{
	uint64_t ops = 3000, seed = 1;

	if (*arg) {
		ops = 0;
		for (; *arg >= '0' && *arg <= '9'; arg++)
			ops = ops * 10 + (uint64_t)(*arg - '0');
		seed = 0;
		if (*arg == ':')
			for (arg++; *arg >= '0' && *arg <= '9'; arg++)
				seed = seed * 10 + (uint64_t)(*arg - '0');
	}
	rng = (seed ? seed : 1) * 0x9e3779b97f4a7c15ull;
	if (rt_xn_sample_disk("fuzz", VIEW + 0x100000) < 0)
		return 11;
	for (uint64_t n = 0; n < ops; n++) {
		switch (rnd(6)) {
		case 0: case 1: allocate(); break;
		case 2: release(); break;
		case 3: garbage(); break;
		case 4: scribble(); break;
		default: /* anything, in any order */
			xok_xn_write((uint64_t)pick(is_cached));
			break;
		}
	}
	if (flush() || xok_xn_sync(1)) {
		printf("xnfuzz: could not write everything back\n");
		return 12;
	}
	printf("xnfuzz: %lu operations (seed %lu): %lu changes accepted, "
	       "%lu refused; disk shut down cleanly\n", ops, seed, accepted,
	       refused);
	return 0;
}
