/*
 * pagetest: physical pages and page tables from user mode: allocation,
 * sharing, batches, the exported page table and page-table views, with
 * every documented error.
 */
#include "../lib/selftest.h"
#include "rt/rt.h"

#define PAGES ((const volatile struct xok_ppage *)XOK_UPAGES)
#define CLOCK ((const volatile struct xok_clock *)XOK_UCLOCK)
#define A RT_SCRATCH
#define B (RT_SCRATCH + XOK_PAGE_SIZE)

static uint64_t frame_of(uint64_t va)
{
	return (rt_pte(va) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT;
}

/* A frame the kernel holds for itself (its page tables, u-areas). */
static uint64_t kernel_frame(void)
{
	return frame_of(XOK_UAREA);
}

static uint64_t free_frame(void)
{
	for (uint64_t i = CLOCK->npages; i-- > 0;)
		if (!PAGES[i].allocated)
			return i;
	return 0;
}

SELFTEST(alloc_write_unmap)
{
	int64_t pfn = xok_page_alloc(0, 0, A, XOK_PTE_W, XOK_PFN_ANY);

	CHECK(pfn > 0);
	CHECK_EQ(frame_of(A), pfn);
	CHECK(rt_pte(A) & XOK_PTE_W);
	CHECK_EQ(PAGES[pfn].ref, 1);
	CHECK_EQ(PAGES[pfn].kernel, 0);
	CHECK_EQ(*(volatile uint64_t *)A, 0); /* zeroed */
	*(volatile uint64_t *)A = 0xfeed;
	CHECK_EQ(xok_page_unmap(0, 0, A), 0);
	CHECK_EQ(rt_pte(A), 0);
	CHECK_EQ(PAGES[pfn].allocated, 0); /* last mapping gone: freed */
	CHECK_EQ(rt_probe_read(A), XOK_T_PGFLT);
	CHECK_EQ(xok_page_unmap(0, 0, A), 0); /* nothing there: fine */
	return 0;
}

SELFTEST(alloc_errors)
{
	uint64_t mine;

	CHECK_EQ(xok_page_alloc(0, 0, A + 1, XOK_PTE_W, XOK_PFN_ANY), E_INVAL);
	CHECK_EQ(xok_page_alloc(0, 0, XOK_USER_TOP, 0, XOK_PFN_ANY), E_INVAL);
	CHECK_EQ(xok_page_alloc(0, 0, XOK_UAREA, 0, XOK_PFN_ANY), E_INVAL);
	CHECK_EQ(xok_page_alloc(0, 0, 0xffffffff80000000ull, 0, XOK_PFN_ANY),
		 E_INVAL);
	CHECK_EQ(xok_page_alloc(0, 0, A, 0x4, XOK_PFN_ANY), E_INVAL); /* U */
	CHECK_EQ(xok_page_alloc(0, 0, A, 0x10, XOK_PFN_ANY), E_INVAL); /* PCD */
	CHECK_EQ(xok_page_alloc(0, 0, A, 0, CLOCK->npages), E_INVAL);
	CHECK(xok_page_alloc(0, 0, B, XOK_PTE_W, XOK_PFN_ANY) > 0);
	mine = frame_of(B);
	CHECK_EQ(xok_page_alloc(0, 0, A, 0, mine), E_BUSY);
	CHECK_EQ(xok_page_alloc(0, 0, A, 0, kernel_frame()), E_BUSY);
	CHECK_EQ(xok_page_alloc(9, 0, A, 0, XOK_PFN_ANY), E_PERM);
	CHECK_EQ(xok_page_alloc(99, 0, A, 0, XOK_PFN_ANY), E_INVAL);
	CHECK_EQ(xok_page_alloc(0, 0x5151, A, 0, XOK_PFN_ANY), E_BADENV);
	CHECK_EQ(rt_pte(A), 0); /* no refused call mapped anything */
	CHECK_EQ(xok_page_unmap(0, 0, B), 0);
	return 0;
}

SELFTEST(alloc_named_frame)
{
	uint64_t want = free_frame();

	CHECK(want > 0);
	CHECK_EQ(xok_page_alloc(0, 0, A, XOK_PTE_W, want), (int64_t)want);
	CHECK_EQ(frame_of(A), want);
	CHECK_EQ(xok_page_unmap(0, 0, A), 0);
	return 0;
}

SELFTEST(map_shares_a_frame)
{
	int64_t pfn = xok_page_alloc(0, 0, A, XOK_PTE_W, XOK_PFN_ANY);

	CHECK(pfn > 0);
	CHECK_EQ(xok_page_map(0, 0, B, 0, pfn, 0), 0); /* read-only alias */
	CHECK_EQ(PAGES[pfn].ref, 2);
	*(volatile uint64_t *)A = 1234;
	CHECK_EQ(*(volatile uint64_t *)B, 1234);
	CHECK_EQ(rt_probe_write(B), XOK_T_PGFLT); /* read-only */
	CHECK_EQ(xok_page_map(0, 0, B, 0, pfn, XOK_PTE_W), 0); /* upgrade */
	CHECK_EQ(rt_probe_write(B), 0);
	CHECK_EQ(PAGES[pfn].ref, 2); /* remapping did not add a reference */
	CHECK_EQ(xok_page_unmap(0, 0, A), 0);
	CHECK_EQ(PAGES[pfn].allocated, 1); /* B still maps it */
	CHECK_EQ(xok_page_unmap(0, 0, B), 0);
	CHECK_EQ(PAGES[pfn].allocated, 0);
	return 0;
}

SELFTEST(map_errors)
{
	struct xok_cap other = { .valid = 1, .len = 1, .rights = XOK_CAP_RIGHTS,
				 .name = { 9 } },
		       ro = { .valid = 1, .len = 0, .rights = XOK_CAP_R };
	int64_t pfn = xok_page_alloc(0, 0, A, XOK_PTE_W, XOK_PFN_ANY);

	CHECK(pfn > 0);
	CHECK_EQ(xok_page_map(0, 0, B, 0, kernel_frame(), 0), E_INVAL);
	CHECK_EQ(xok_page_map(0, 0, B, 0, free_frame(), 0), E_INVAL);
	CHECK_EQ(xok_page_map(0, 0, B, 0, CLOCK->npages + 5, 0), E_INVAL);
	CHECK_EQ(xok_page_map(0, 0, B, 0, 0, 0), E_INVAL); /* firmware */
	CHECK_EQ(xok_page_map(0, 0, XOK_UAREA, 0, pfn, 0), E_INVAL);
	CHECK_EQ(xok_page_map(0, 0, B, 0, pfn, 0x80), E_INVAL); /* PS bit */
	CHECK_EQ(xok_cap_grant(0, 0, 0, 4, &other), 0);
	CHECK_EQ(xok_cap_grant(0, 0, 0, 5, &ro), 0);
	CHECK_EQ(xok_page_map(0, 0, B, 4, pfn, 0), E_PERM); /* /9: no */
	CHECK_EQ(xok_page_map(0, 0, B, 5, pfn, XOK_PTE_W), E_PERM);
	CHECK_EQ(xok_page_map(0, 0, B, 5, pfn, 0), 0); /* read-only: yes */
	CHECK_EQ(xok_page_map(0, 0, B, 12, pfn, 0), E_PERM); /* empty slot */
	xok_cap_clear(0, 0, 4);
	xok_cap_clear(0, 0, 5);
	CHECK_EQ(xok_page_unmap(0, 0, B), 0);
	CHECK_EQ(xok_page_unmap(0, 0, A), 0);
	CHECK_EQ(xok_page_unmap(0, 0, A + 8), E_INVAL);
	return 0;
}

SELFTEST(batch_all_or_nothing)
{
	static struct xok_pte_op ops[XOK_PTE_BATCH_MAX + 1];
	int64_t pfn = xok_page_alloc(0, 0, A, XOK_PTE_W, XOK_PFN_ANY);

	CHECK(pfn > 0);
	for (int i = 0; i < 8; i++)
		ops[i] = (struct xok_pte_op){ .va = B + i * XOK_PAGE_SIZE,
					      .pfn = (uint64_t)pfn,
					      .perm = XOK_PTE_W | XOK_PTE_NX };
	ops[8] = ops[0];
	ops[8].va = XOK_UAREA; /* one bad operation spoils the batch */
	CHECK_EQ(xok_pte_batch(0, 0, ops, 9), E_INVAL);
	CHECK_EQ(rt_pte(B), 0);
	CHECK_EQ(PAGES[pfn].ref, 1);
	CHECK_EQ(xok_pte_batch(0, 0, ops, 8), 0);
	CHECK_EQ(PAGES[pfn].ref, 9);
	CHECK(rt_pte(B + 7 * XOK_PAGE_SIZE) & XOK_PTE_NX);
	for (int i = 0; i < 8; i++)
		ops[i].pfn = XOK_PFN_NONE;
	CHECK_EQ(xok_pte_batch(0, 0, ops, 8), 0);
	CHECK_EQ(PAGES[pfn].ref, 1);
	CHECK_EQ(xok_pte_batch(0, 0, ops, XOK_PTE_BATCH_MAX + 1), E_INVAL);
	CHECK_EQ(xok_pte_batch(0, 0, (void *)0xffff800000000000ull, 2),
		 E_FAULT);
	CHECK_EQ(xok_pte_batch(0, 0x6161, ops, 1), E_BADENV);
	CHECK_EQ(xok_page_unmap(0, 0, A), 0);
	return 0;
}

SELFTEST(own_page_tables_readable)
{
	uint64_t code = rt_pte((uint64_t)main), data = rt_pte((uint64_t)PAGES);

	CHECK(code & XOK_PTE_P);
	CHECK(!(code & XOK_PTE_W));
	CHECK(!(code & XOK_PTE_NX));
	/* The view shows the exported region's entries too: read-only. */
	CHECK(data & XOK_PTE_P);
	CHECK(!(data & XOK_PTE_W));
	CHECK(rt_pte(XOK_UAREA) & XOK_PTE_W);
	CHECK_EQ(rt_probe_write(XOK_UVPT), XOK_T_PGFLT); /* read-only */
	return 0;
}

SELFTEST(exported_region_read_only)
{
	CHECK_EQ(rt_probe_read(XOK_UENVS), 0);
	CHECK_EQ(rt_probe_write(XOK_UENVS), XOK_T_PGFLT);
	CHECK_EQ(rt_probe_write(XOK_UPAGES), XOK_T_PGFLT);
	CHECK_EQ(rt_probe_write(XOK_UCLOCK), XOK_T_PGFLT);
	CHECK_EQ(rt_probe_write(XOK_UAREAS), XOK_T_PGFLT);
	CHECK_EQ(rt_probe_read(0xffff800000000000ull), XOK_T_PGFLT);
	CHECK_EQ(rt_probe_read(0xffffffff80100000ull), XOK_T_PGFLT);
	return 0;
}

static void idle(uint64_t unused)
{
	(void)unused;
	for (;;)
		xok_yield();
}

SELFTEST(view_other_page_tables)
{
	int64_t child = rt_spawn(idle, 0);
	uint64_t stack = XOK_USTACK_TOP - XOK_PAGE_SIZE;

	CHECK(child > 0);
	CHECK_EQ(xok_pt_view((uint64_t)child), 0);
	CHECK(*XOK_VPT_PML4E(XOK_UVIEW, XOK_UVPT_SLOT, stack) & XOK_PTE_P);
	/* The child's stack frame is its own, not ours. */
	CHECK(*XOK_VPT_PTE(XOK_UVIEW, stack) & XOK_PTE_P);
	CHECK((*XOK_VPT_PTE(XOK_UVIEW, stack) & XOK_PTE_ADDR) !=
	      (rt_pte(stack) & XOK_PTE_ADDR));
	/* Its code is ours, shared. */
	CHECK_EQ(*XOK_VPT_PTE(XOK_UVIEW, (uint64_t)main) & XOK_PTE_ADDR,
		 rt_pte((uint64_t)main) & XOK_PTE_ADDR);
	CHECK_EQ(rt_probe_write(XOK_UVIEW + ((uint64_t)main >> 9)),
		 XOK_T_PGFLT);
	CHECK_EQ(xok_pt_view(0x7171), E_BADENV);
	CHECK_EQ(xok_env_destroy(0, child), 0);
	/* Destroying it took the view away: its tables are free memory. */
	CHECK_EQ(rt_probe_read(XOK_UVIEW + ((uint64_t)main >> 9)),
		 XOK_T_PGFLT);
	CHECK_EQ(xok_pt_view(0), 0);
	return 0;
}

/* pte_share: one page table's worth of mappings into another
 * environment, permissions changed where asked (here as a fork would:
 * private writable pages become read-only with a libOS bit, in both). */
#define SHARE_VA RT_SCRATCH /* page tables there already */
#define SW_COPY 0x200ull
#define SW_KEEP 0x400ull

SELFTEST(share_page_table)
{
	struct xok_pte_share rq = { .va = SHARE_VA, .when = XOK_PTE_W,
				    .unless = SW_KEEP, .clear = XOK_PTE_W,
				    .set = SW_COPY, .both = 1 }, bad;
	uint64_t rw = SHARE_VA, ro = rw + XOK_PAGE_SIZE,
		 keep = rw + 2 * XOK_PAGE_SIZE;
	int64_t child = xok_env_alloc(0, 0);

	CHECK(child > 0);
	CHECK(xok_page_alloc(0, 0, rw, XOK_PTE_W | XOK_PTE_NX,
			     XOK_PFN_ANY) > 0);
	CHECK(xok_page_alloc(0, 0, ro, XOK_PTE_NX, XOK_PFN_ANY) > 0);
	CHECK(xok_page_alloc(0, 0, keep, XOK_PTE_W | XOK_PTE_NX | SW_KEEP,
			     XOK_PFN_ANY) > 0);
	bad = rq;
	bad.va += XOK_PAGE_SIZE;
	CHECK_EQ(xok_pte_share(0, (uint64_t)child, &bad), E_INVAL);
	bad = rq;
	bad.set = XOK_PTE_P; /* not a bit a libOS may ask for */
	CHECK_EQ(xok_pte_share(0, (uint64_t)child, &bad), E_INVAL);
	bad = rq;
	bad.both = 2;
	CHECK_EQ(xok_pte_share(0, (uint64_t)child, &bad), E_INVAL);
	CHECK_EQ(xok_pte_share(0, 0, &rq), E_INVAL); /* with itself */
	bad = rq;
	bad.page_cap = XOK_NCAPS - 1; /* an empty slot opens nothing */
	CHECK_EQ(xok_pte_share(0, (uint64_t)child, &bad), E_PERM);
	CHECK_EQ(xok_pte_share(0, (uint64_t)child,
			       (void *)0xffff800000000000ull), E_FAULT);
	CHECK_EQ(xok_pte_share(0, 0x6161, &rq), E_BADENV);
	CHECK(rt_pte(rw) & XOK_PTE_W); /* the refusals changed nothing */
	CHECK_EQ(xok_pte_share(0, (uint64_t)child, &rq), 3);
	CHECK(!(rt_pte(rw) & XOK_PTE_W) && (rt_pte(rw) & SW_COPY));
	CHECK(!(rt_pte(ro) & (XOK_PTE_W | SW_COPY)));
	CHECK((rt_pte(keep) & XOK_PTE_W) && !(rt_pte(keep) & SW_COPY));
	CHECK_EQ(PAGES[frame_of(rw)].ref, 2);
	CHECK_EQ(xok_pt_view((uint64_t)child), 0);
	for (uint64_t va = rw; va <= keep; va += XOK_PAGE_SIZE)
		CHECK_EQ(*XOK_VPT_PTE(XOK_UVIEW, va) & (XOK_PTE_ADDR |
							XOK_PTE_USER_BITS),
			 rt_pte(va) & (XOK_PTE_ADDR | XOK_PTE_USER_BITS));
	rq.va += XOK_PTE_SHARE_SPAN; /* nothing mapped there */
	CHECK_EQ(xok_pte_share(0, (uint64_t)child, &rq), 0);
	CHECK_EQ(xok_env_destroy(0, (uint64_t)child), 0);
	CHECK_EQ(xok_pt_view(0), 0);
	for (uint64_t va = rw; va <= keep; va += XOK_PAGE_SIZE)
		CHECK_EQ(xok_page_unmap(0, 0, va), 0);
	return 0;
}

/* page_unmap_span: a page table's worth of mappings gone in one call,
 * the frames freed with their last mapping, the u-area kept. */
SELFTEST(unmap_span)
{
	uint64_t top_span = XOK_USER_TOP - XOK_PTE_SHARE_SPAN;
	int64_t shared = xok_page_alloc(0, 0, SHARE_VA, XOK_PTE_W | XOK_PTE_NX,
					XOK_PFN_ANY);

	CHECK(shared > 0);
	CHECK(xok_page_alloc(0, 0, SHARE_VA + 5 * XOK_PAGE_SIZE, XOK_PTE_NX,
			     XOK_PFN_ANY) > 0);
	CHECK_EQ(xok_page_map(0, 0, SHARE_VA + 9 * XOK_PAGE_SIZE, 0,
			      (uint64_t)shared, XOK_PTE_NX), 0);
	CHECK_EQ(PAGES[shared].ref, 2);
	CHECK_EQ(xok_page_unmap_span(0, 0, SHARE_VA + XOK_PAGE_SIZE), E_INVAL);
	CHECK_EQ(xok_page_unmap_span(0, 0, XOK_USER_TOP), E_INVAL);
	CHECK_EQ(xok_page_unmap_span(0, 0x6161, SHARE_VA), E_BADENV);
	CHECK_EQ(xok_page_unmap_span(0, 0, SHARE_VA), 3);
	CHECK_EQ(rt_pte(SHARE_VA) | rt_pte(SHARE_VA + 5 * XOK_PAGE_SIZE) |
		 rt_pte(SHARE_VA + 9 * XOK_PAGE_SIZE), 0);
	CHECK(!PAGES[shared].allocated);
	CHECK_EQ(xok_page_unmap_span(0, 0, SHARE_VA), 0);
	CHECK_EQ(xok_page_unmap_span(0, 0, top_span), 0); /* not the u-area */
	CHECK(rt_pte(XOK_UAREA) & XOK_PTE_P);
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
