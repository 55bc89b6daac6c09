/*
 * diskbench: 4 KiB block throughput, raw driver (xok_disk_io) against XN
 * (bind / map / write through the buffer cache), sequential and random,
 * reading and writing, 8 requests in flight. Printed as
 *   BENCH disk_<seq|rand>_<read|write>_<raw|xn> mibps <median> <min> <max> <batches>
 * in MiB/s of guest wall-clock time (run it without -icount: disk time
 * is not instructions). Needs a disk formatted by xn-mkfs of at least
 * 64 MiB; the raw runs use its upper half, which XN's allocator (lowest
 * free block first) does not reach here. "quick": small batches.
 *
 * XN writes allocate the blocks (a checked xn_modify per 8 blocks of its
 * parent, written after them); XN random writes may read a block before
 * changing it if the cache dropped it: that is what a libFS pays.
 */
#include <xok/disk.h>
#include <xok/xn.h>

#include "rt/rt.h"
#include "../xn/sample_types.h"

#define BATCHES 4
#define DEPTH 8
#define RAW_BASE 8192 /* blocks: the upper half of a 64 MiB disk */
#define BUF RT_SCRATCH
#define VIEW (RT_SCRATCH + 0x100000)
#define PIN (RT_SCRATCH + 0x200000)
#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define DISKS ((const volatile struct xok_disk *)XOK_UDISKS)

static unsigned per_batch = 256; /* blocks */
static uint64_t order[BATCHES * 512];
static uint64_t xblock[BATCHES * 512]; /* XN's data blocks, by number */
static int64_t ptrs_idx[2], root_idx;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void shuffle(uint64_t *v, unsigned n)
{
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)(next_random() % i);
		uint64_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}


/* Prints a figure from per-batch elapsed nanoseconds. */
static void report(const char *name, uint64_t *ns)
{
	uint64_t mibps[BATCHES];

	for (int b = 0; b < BATCHES; b++)
		mibps[b] = (uint64_t)per_batch * 4096 * 1000000000ull /
			   (ns[b] ? ns[b] : 1) / (1024 * 1024);
	rt_sort_u64(mibps, BATCHES);
	printf("BENCH %s mibps %lu %lu %lu %d\n", name, mibps[BATCHES / 2],
	       mibps[0], mibps[BATCHES - 1], BATCHES);
}

/* ---- raw ---- */

/* Moves per_batch blocks, block numbers from `blocks`, DEPTH in flight. */
static int raw_batch(const uint64_t *blocks, int write)
{
	int64_t slot[DEPTH];
	unsigned head = 0;

	for (unsigned i = 0; i < per_batch; i++) {
		uint64_t pfn = (rt_pte(BUF + (i % DEPTH) * 4096) >> 12) &
			       0xffffffffffull;

		if (i >= DEPTH) {
			while (xok_disk_reap(0, (uint64_t)slot[head % DEPTH]) ==
			       E_AGAIN)
				xok_yield();
			head++;
		}
		slot[i % DEPTH] = xok_disk_io(0, 0, RAW_BASE + blocks[i], 1,
					      &pfn, (uint64_t)write);
		if (slot[i % DEPTH] < 0)
			return -1;
	}
	for (; head < per_batch; head++)
		while (xok_disk_reap(0, (uint64_t)slot[head % DEPTH]) == E_AGAIN)
			xok_yield();
	return 0;
}

static int raw_figure(const char *name, int random, int write)
{
	uint64_t ns[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		for (unsigned i = 0; i < per_batch; i++)
			order[i] = b * per_batch + i;
		if (random)
			shuffle(order, per_batch);
		uint64_t t0 = xok_clock_ns();
		if (raw_batch(order, write))
			return -1;
		ns[b] = xok_clock_ns() - t0;
	}
	report(name, ns);
	return 0;
}

/* ---- XN ---- */

static int xn_setup(void)
{
	if ((root_idx = rt_xn_sample_disk("bench", PIN)) < 0)
		return -1;
	for (int p = 0; p < 2; p++) {
		uint64_t b = rt_xn_free_block(64, RAW_BASE), e[2] = { b, T_PTRS };
		struct xok_xn_mod mod = { 16 * (p + 1), 16, (uint64_t)e };
		struct xok_xn_delta d = { .nadd = 1, .add = { { b, T_PTRS } } };

		if (xok_xn_modify(0, (uint64_t)root_idx, &mod, 1, &d) ||
		    (ptrs_idx[p] = xok_xn_bind(0, (uint64_t)root_idx, b)) < 0 ||
		    rt_xn_write_wait(ptrs_idx[p]) ||
		    xok_xn_map(0, (uint64_t)ptrs_idx[p], PIN + (p + 1) * 4096, 0))
			return -1;
	}
	return (int)rt_xn_write_wait(root_idx);
}

/* Waits for an XN entry the way the raw side waits for a request (by
 * polling), so the comparison measures XN and not sleep and wake-up. */
static void poll_settle(int64_t idx)
{
	while (REG[idx].state == XOK_XN_READING ||
	       REG[idx].state == XOK_XN_WRITING)
		xok_yield();
}

/* Waits for the oldest of the DEPTH outstanding XN entries. */
static void settle_ring(int64_t *ring, unsigned i)
{
	if (i >= DEPTH)
		poll_settle(ring[i % DEPTH]);
}

/* Allocates and writes blocks [from, from + per_batch), 8 per modify. */
static int xn_create(unsigned from)
{
	int64_t ring[DEPTH];

	for (unsigned i = from; i < from + per_batch; i += 8) {
		struct xok_xn_mod mod = { 8 * (i % 512), 64,
					  (uint64_t)&xblock[i] };
		struct xok_xn_delta d = { .nadd = 8 };
		int64_t p = ptrs_idx[i / 512];

		for (unsigned k = 0; k < 8; k++) {
			xblock[i + k] = rt_xn_free_block(64, RAW_BASE);
			d.add[k] = (struct xok_xn_pair){ 0, XOK_XN_DATA };
			/* Each needs a distinct free block: take them one by
			 * one, marking as we go through the map's order. */
			if (k && xblock[i + k] <= xblock[i + k - 1])
				xblock[i + k] = rt_xn_free_block(
					xblock[i + k - 1] + 1, RAW_BASE);
			d.add[k].block = xblock[i + k];
		}
		if (xok_xn_modify(0, (uint64_t)p, &mod, 1, &d))
			return -1;
		for (unsigned k = 0; k < 8; k++) {
			int64_t e = xok_xn_bind(0, (uint64_t)p, xblock[i + k]);

			settle_ring(ring, i + k - from);
			if (e < 0 || xok_xn_map(0, (uint64_t)e, VIEW, 1))
				return -1;
			*(volatile uint64_t *)VIEW = xblock[i + k];
			xok_page_unmap(0, 0, VIEW);
			if (xok_xn_write((uint64_t)e))
				return -1;
			ring[(i + k - from) % DEPTH] = e;
		}
	}
	for (unsigned k = 0; k < DEPTH; k++)
		poll_settle(ring[k]);
	/* The batch's blocks all hang from one parent. */
	return (int)rt_xn_write_wait(ptrs_idx[from / 512]);
}

/* Reads (binds) or rewrites the XN blocks numbered by `order`. */
static int xn_batch(int write)
{
	int64_t ring[DEPTH];

	for (unsigned i = 0; i < per_batch; i++) {
		uint64_t n = order[i];
		int64_t e = xok_xn_bind(0, (uint64_t)ptrs_idx[n / 512], xblock[n]);

		settle_ring(ring, i);
		if (e < 0)
			return -1;
		if (write) {
			poll_settle(e);
			if (xok_xn_map(0, (uint64_t)e, VIEW, 1))
				return -1;
			*(volatile uint64_t *)VIEW = n;
			xok_page_unmap(0, 0, VIEW);
			if (xok_xn_write((uint64_t)e))
				return -1;
		}
		ring[i % DEPTH] = e;
	}
	for (unsigned k = 0; k < DEPTH && k < per_batch; k++)
		poll_settle(ring[k]);
	return 0;
}

static int xn_figures(void)
{
	uint64_t ns[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = xok_clock_ns();

		if (xn_create(b * per_batch))
			return -1;
		ns[b] = xok_clock_ns() - t0;
	}
	report("disk_seq_write_xn", ns);
	for (int random = 0; random < 2; random++)
		for (int write = 0; write < 2; write++) {
			if (!random && write)
				continue; /* sequential writes: above */
			for (int b = 0; b < BATCHES; b++) {
				for (unsigned i = 0; i < per_batch; i++)
					order[i] = ((b + 1) % BATCHES) *
						   per_batch + i;
				if (random) {
					for (unsigned i = 0; i < per_batch; i++)
						order[i] = next_random() %
							   (BATCHES * per_batch);
				}
				uint64_t t0 = xok_clock_ns();
				if (xn_batch(write))
					return -1;
				ns[b] = xok_clock_ns() - t0;
			}
			report(random ? (write ? "disk_rand_write_xn"
					       : "disk_rand_read_xn")
				      : "disk_seq_read_xn", ns);
		}
	return 0;
}

int main(const char *arg)
{
	if (!strcmp(arg, "quick"))
		per_batch = 32;
	for (int i = 0; i < DEPTH; i++)
		if (xok_page_alloc(0, 0, BUF + i * 4096, XOK_PTE_W,
				   XOK_PFN_ANY) < 0)
			return 1;
	if (DISKS[0].nblocks < 2 * RAW_BASE || xn_setup()) {
		printf("diskbench: needs an xn-mkfs disk of 64 MiB\n");
		return 2;
	}
	if (raw_figure("disk_seq_write_raw", 0, 1) ||
	    raw_figure("disk_seq_read_raw", 0, 0) ||
	    raw_figure("disk_rand_read_raw", 1, 0) ||
	    raw_figure("disk_rand_write_raw", 1, 1) || xn_figures())
		return 3;
	return xok_xn_sync(1) ? 4 : 0;
}
