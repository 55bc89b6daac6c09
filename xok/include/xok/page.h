/*
 * Physical pages as user code sees them: the exported physical page table
 * (one struct xok_ppage per frame, read-only at XOK_UPAGES) and the
 * page-table entry bits a libOS may set.
 *
 * A page is allocated under a capability and carries that capability's
 * name as its guard. It lives as long as some page table maps it: its
 * reference count is the number of mappings, and the last unmapping frees
 * it. So destroying an environment frees every page only it mapped.
 */
#ifndef XOK_PAGE_H
#define XOK_PAGE_H

#include <stdint.h>
#include <xok/cap.h>

struct xok_ppage {
	uint32_t ref;       /* mappings (and kernel references) */
	uint32_t next_free; /* the kernel's free-list link */
	uint8_t allocated;
	uint8_t kernel;     /* the kernel's own: never mappable by users */
	uint8_t pad[2];
	struct xok_guard guard;
};

/* PTE bits a libOS may ask for (present and user are implied). */
#define XOK_PTE_W  0x002ull               /* writable */
#define XOK_PTE_SW 0xe00ull               /* three bits for the libOS (COW...) */
#define XOK_PTE_NX (1ull << 63)           /* not executable */
#define XOK_PTE_USER_BITS (XOK_PTE_W | XOK_PTE_SW | XOK_PTE_NX)
#define XOK_PTE_ADDR 0x000ffffffffff000ull
#define XOK_PTE_P 0x001ull

#define XOK_PFN_ANY  (~0ull) /* page_alloc: any free frame */
#define XOK_PFN_NONE (~0ull) /* pte_batch: remove the mapping */

/* One operation of xok_pte_batch. */
struct xok_pte_op {
	uint64_t va;
	uint64_t pfn;      /* frame to map, or XOK_PFN_NONE to unmap */
	uint64_t perm;     /* XOK_PTE_USER_BITS */
	uint32_t page_cap; /* capability slot that opens the frame's guard */
	uint32_t pad;
};
#define XOK_PTE_BATCH_MAX 256

/* What xok_pte_share does with one page table's worth of the caller's
 * mappings: each present entry whose permission has every bit of `when`
 * and none of `unless` is mapped with (its permission & ~clear) | set,
 * every other one as it is. */
struct xok_pte_share {
	uint64_t va;       /* XOK_PTE_SHARE_SPAN-aligned */
	uint64_t when, unless, clear, set; /* XOK_PTE_USER_BITS */
	uint32_t page_cap; /* capability slot that opens the frames' guards */
	uint32_t both;     /* 1: the caller's own changed entries change too */
};
#define XOK_PTE_SHARE_SPAN (2ull << 20)

#endif
