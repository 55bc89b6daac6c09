/*
 * disktest: raw block I/O through Xok's disk calls, on disk 0 whichever
 * driver serves it (virtio-blk or ATA): asynchronous requests
 * waited on with a wakeup predicate, multi-block transfers, the simulated
 * power cut, and every error.
 */
#include <xok/disk.h>
#include <xok/wk.h>

#include "../lib/selftest.h"
#include "rt/rt.h"

#define DISKS ((const volatile struct xok_disk *)XOK_UDISKS)
#define BUF RT_SCRATCH /* 8 pages of transfer buffer */

static uint64_t frame(uint64_t va)
{
	return (rt_pte(va) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT;
}

static int map_buffers(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (xok_page_alloc(0, 0, BUF + i * XOK_PAGE_SIZE, XOK_PTE_W,
				   XOK_PFN_ANY) < 0)
			return -1;
	return 0;
}

static void unmap_buffers(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		xok_page_unmap(0, 0, BUF + i * XOK_PAGE_SIZE);
}

/* Sleeps until request `slot` of disk 0 is no longer pending, then reaps
 * it: its result. */
static int64_t wait_request(int64_t slot)
{
	struct xok_wk_insn prog[] = {
		{ .op = XOK_WK_LOAD32, .dst = 0,
		  .imm = (uint64_t)&DISKS[0].req[slot].state },
		{ .op = XOK_WK_CONST, .dst = 1, .imm = XOK_REQ_PENDING },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 1, .term = 0 },
		{ .op = XOK_WK_END },
	};

	if (slot < 0)
		return slot;
	if (xok_wk_sleep(prog, 4) < 0)
		return -100;
	return xok_disk_reap(0, (uint64_t)slot);
}

/* Moves `n` blocks at `block` between the disk and the buffers. */
static int64_t io(uint64_t block, unsigned n, int write)
{
	uint64_t pfns[XOK_DISK_MAXPAGES];

	for (unsigned i = 0; i < n; i++)
		pfns[i] = frame(BUF + i * XOK_PAGE_SIZE);
	return wait_request(xok_disk_io(0, 0, block, n, pfns, write));
}

static void fill(unsigned n, uint64_t tag)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 512; w++)
			((volatile uint64_t *)(BUF + i * XOK_PAGE_SIZE))[w] =
				tag ^ (i << 16) ^ w;
}

static int check(unsigned n, uint64_t tag)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 512; w++)
			if (((volatile uint64_t *)(BUF + i * XOK_PAGE_SIZE))[w] !=
			    (tag ^ (i << 16) ^ w))
				return 0;
	return 1;
}

SELFTEST(disk_present)
{
	CHECK(DISKS[0].kind == XOK_DISK_VIRTIO || DISKS[0].kind == XOK_DISK_ATA);
	CHECK(DISKS[0].nblocks >= 1024);
	return 0;
}

SELFTEST(write_then_read_back)
{
	CHECK_EQ(map_buffers(8), 0);
	fill(8, 0x1111);
	CHECK_EQ(io(100, 8, 1), 0);
	fill(8, 0); /* forget it in memory */
	CHECK_EQ(io(100, 8, 0), 0);
	CHECK(check(8, 0x1111));
	fill(1, 0x2222);
	CHECK_EQ(io(103, 1, 1), 0); /* overwrite one block in the middle */
	CHECK_EQ(io(100, 8, 0), 0);
	CHECK(check(3, 0x1111));
	/* Block 103 now holds what buffer page 0 held when written. */
	CHECK_EQ(((volatile uint64_t *)(BUF + 3 * XOK_PAGE_SIZE))[5],
		 0x2222 ^ 5);
	CHECK_EQ(((volatile uint64_t *)(BUF + 4 * XOK_PAGE_SIZE))[5],
		 0x1111 ^ (4 << 16) ^ 5);
	unmap_buffers(8);
	return 0;
}

SELFTEST(requests_run_concurrently)
{
	uint64_t pfn;
	int64_t slots[4];

	CHECK_EQ(map_buffers(4), 0);
	for (int i = 0; i < 4; i++) {
		pfn = frame(BUF + i * XOK_PAGE_SIZE);
		slots[i] = xok_disk_io(0, 0, 200 + i, 1, &pfn, 1);
		CHECK(slots[i] >= 0);
	}
	for (int i = 0; i < 4; i++)
		CHECK_EQ(wait_request(slots[i]), 0);
	unmap_buffers(4);
	return 0;
}

SELFTEST(io_errors)
{
	uint64_t pfns[XOK_DISK_MAXPAGES + 1], kernel_pfn = frame(XOK_UAREA);
	uint64_t n = DISKS[0].nblocks;
	struct xok_cap ro = { .valid = 1, .rights = XOK_CAP_R };

	CHECK_EQ(map_buffers(1), 0);
	pfns[0] = frame(BUF);
	CHECK_EQ(xok_disk_io(0, 3, 0, 1, pfns, 0), E_INVAL);   /* no disk 3 */
	CHECK_EQ(xok_disk_io(0, 0, n, 1, pfns, 0), E_INVAL);   /* past end */
	CHECK_EQ(xok_disk_io(0, 0, n - 1, 2, pfns, 0), E_INVAL);
	CHECK_EQ(xok_disk_io(0, 0, 0, 0, pfns, 0), E_INVAL);
	CHECK_EQ(xok_disk_io(0, 0, 0, XOK_DISK_MAXPAGES + 1, pfns, 0), E_INVAL);
	CHECK_EQ(xok_disk_io(0, 0, 0, 1, pfns, 2), E_INVAL);
	CHECK_EQ(xok_disk_io(0, 0, 0, 1, &kernel_pfn, 0), E_INVAL);
	CHECK_EQ(xok_disk_io(0, 0, 0, 1, (void *)0x10, 0), E_FAULT);
	CHECK_EQ(xok_disk_io(9, 0, 0, 1, pfns, 0), E_PERM);    /* empty slot */
	CHECK_EQ(xok_cap_grant(0, 0, 0, 9, &ro), 0);
	CHECK_EQ(xok_disk_io(9, 0, 0, 1, pfns, 1), E_PERM);    /* R: no write */
	CHECK_EQ(xok_disk_io(9, 0, 0, 1, pfns, 0), E_PERM);    /* frame: no W */
	xok_cap_clear(0, 0, 9);
	CHECK_EQ(xok_disk_reap(0, XOK_DISK_SLOTS), E_INVAL);
	CHECK_EQ(xok_disk_reap(0, 0), E_INVAL);                /* free slot */
	CHECK_EQ(xok_disk_reap(7, 0), E_INVAL);
	CHECK_EQ(xok_disk_fault(0, 7, 0), E_INVAL);
	CHECK_EQ(xok_disk_fault(9, 0, 0), E_PERM);
	unmap_buffers(1);
	return 0;
}

static volatile int64_t stranger_result;

static void stranger(uint64_t slot)
{
	stranger_result = xok_disk_reap(0, slot);
}

SELFTEST(reap_only_your_own)
{
	uint64_t pfn;
	int64_t slot, c;

	CHECK_EQ(map_buffers(1), 0);
	pfn = frame(BUF);
	slot = xok_disk_io(0, 0, 7, 1, &pfn, 0);
	CHECK(slot >= 0);
	c = rt_spawn(stranger, (uint64_t)slot);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK_EQ(stranger_result, E_PERM);
	CHECK_EQ(wait_request(slot), 0);
	unmap_buffers(1);
	return 0;
}

SELFTEST(frames_outlive_their_mapping)
{
	const volatile struct xok_ppage *pages =
		(const volatile struct xok_ppage *)XOK_UPAGES;
	uint64_t pfn;
	int64_t slot;
	int allocated;

	CHECK_EQ(map_buffers(1), 0);
	pfn = frame(BUF);
	slot = xok_disk_io(0, 0, 9, 1, &pfn, 0);
	CHECK(slot >= 0);
	unmap_buffers(1); /* the kernel still pins it for the device */
	/* Sampled in this order, a pending request proves the pin whatever
	 * moment the device finishes. */
	allocated = pages[pfn].allocated;
	if (DISKS[0].req[slot].state == XOK_REQ_PENDING)
		CHECK(allocated);
	CHECK_EQ(wait_request(slot), 0);
	CHECK_EQ(pages[pfn].allocated, 0); /* released at completion */
	return 0;
}

SELFTEST(power_cut_drops_later_writes)
{
	uint64_t dropped = DISKS[0].dropped;

	CHECK_EQ(map_buffers(1), 0);
	for (int i = 0; i < 4; i++) {
		fill(1, 0x100 + i);
		CHECK_EQ(io(300 + i, 1, 1), 0);
	}
	CHECK_EQ(xok_disk_fault(0, 0, 2), 0); /* two more writes, then dark */
	for (int i = 0; i < 4; i++) {
		fill(1, 0x200 + i);
		CHECK_EQ(io(300 + i, 1, 1), 0); /* acknowledged either way */
	}
	CHECK_EQ(DISKS[0].dropped, dropped + 2);
	CHECK_EQ(xok_disk_fault(0, 0, ~0ull), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(io(300 + i, 1, 0), 0);
		CHECK(check(1, (i < 2 ? 0x200 : 0x100) + (uint64_t)i));
	}
	unmap_buffers(1);
	return 0;
}

/* XN on a disk that is not formatted for it, or before any mount. */
SELFTEST(xn_refuses_unformatted_disk)
{
	CHECK_EQ(xok_xn_write(0), E_STATE);      /* nothing mounted */
	CHECK_EQ(xok_xn_sync(0), E_STATE);
	CHECK_EQ(xok_xn_root_find("fs"), E_STATE);
	CHECK_EQ(xok_xn_bind_root(0, 0), E_STATE);
	CHECK_EQ(xok_xn_mount(0, 3), E_INVAL);   /* no such disk */
	CHECK_EQ(xok_xn_mount(9, 0), E_PERM);    /* empty capability slot */
	CHECK_EQ(xok_xn_mount(0, 0), E_INVAL);   /* zeros: not an XN disk */
	CHECK_EQ(xok_xn_write(0), E_STATE);      /* still nothing mounted */
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
