/*
 * page: the physical page allocator's bookkeeping. Pure logic over an array
 * of entries, one per page frame, so the same file builds into the kernel
 * and into the CUnit tests (tests/unit/test_page.c).
 *
 * A page is free (on the free list), or allocated with a reference count:
 * the number of page-table entries and kernel references that hold it.
 * The table is struct xok_ppage (<xok/page.h>), exported read-only.
 */
#ifndef KERN_PAGE_H
#define KERN_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <xok/page.h>

#define PAGE_SIZE 4096ull
#define PAGE_NONE UINT32_MAX /* "no page": an empty free list, a failed allocation */

/* Why a page operation was refused. */
#define PAGE_E_RANGE (-1)   /* frame number outside the pool */
#define PAGE_E_STATE (-2)   /* free of a free page, or decref of a free page */
#define PAGE_E_BUSY  (-3)   /* free of a page that still has references */

/* A physical address range [start, end) in bytes. */
struct mem_range {
	uint64_t start, end;
};

struct page_pool {
	struct xok_ppage *pages; /* indexed by frame number */
	uint32_t npages;
	uint32_t free_head;
	uint32_t nfree;
};

/*
 * Makes `pool` manage frames [0, npages) with `pages` as its table. Frames
 * wholly inside a `usable` range and touching no `reserved` range become
 * free; all others stay allocated forever (firmware, the kernel, holes).
 * Lower frames are handed out first.
 */
void page_pool_init(struct page_pool *pool, struct xok_ppage *pages,
		    uint32_t npages, const struct mem_range *usable,
		    size_t nusable, const struct mem_range *reserved,
		    size_t nreserved);

/* Takes a free frame (reference count 0); PAGE_NONE when none is left. */
uint32_t page_alloc(struct page_pool *pool);

/* Takes the particular free frame `pfn` off the free list (reference
 * count 0). Returns 0, PAGE_E_RANGE, or PAGE_E_STATE if it is not free. */
int page_take(struct page_pool *pool, uint32_t pfn);

/* Returns an allocated frame with no references to the free list.
 * PAGE_E_RANGE, PAGE_E_STATE (already free), PAGE_E_BUSY (still referenced). */
int page_free(struct page_pool *pool, uint32_t pfn);

/* Adds a reference to an allocated frame. PAGE_E_RANGE, PAGE_E_STATE. */
int page_incref(struct page_pool *pool, uint32_t pfn);

/* Drops a reference; the frame is freed when the last one goes.
 * Returns the remaining count, or PAGE_E_RANGE / PAGE_E_STATE. */
int page_decref(struct page_pool *pool, uint32_t pfn);

#endif
