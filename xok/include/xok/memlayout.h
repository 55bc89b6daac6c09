/*
 * The user half of every address space, as Xok fixes it. Everything user
 * code may rely on about addresses is defined here, once.
 *
 *  0x0000_7fff_ffff_ffff  top of the user half
 *  XOK_EXPORT             kernel data exported read-only to everyone:
 *                         clock, slice vectors, environment table,
 *                         u-areas, physical page table (see below)
 *  XOK_UVIEW              read-only view of another environment's page
 *                         tables (xok_pt_view)
 *  XOK_UVPT               read-only view of this environment's own page
 *                         tables (a recursive page-table entry)
 *  XOK_USER_TOP           user mappings must lie below this
 *  XOK_UAREA              this environment's u-area, mapped writable
 *  XOK_EXOS_IMAGE         where ExOS's image sits beside an unmodified
 *                         Linux binary (the kernel never maps anything
 *                         in [XOK_USTACK_TOP, XOK_UAREA): libOSes' own)
 *  XOK_USTACK_TOP         top of the stack of an environment the kernel loads
 *  0x0000_0000_0040_0000  where static programs are usually linked
 *  0                      page 0 is never mapped by the kernel
 */
#ifndef XOK_MEMLAYOUT_H
#define XOK_MEMLAYOUT_H

#include <stdint.h>

#define XOK_PAGE_SHIFT 12
#define XOK_PAGE_SIZE (1ull << XOK_PAGE_SHIFT)

/* Each region below is one top-level (PML4) slot of 512 GiB. */
#define XOK_UVPT_SLOT   253
#define XOK_UVIEW_SLOT  254
#define XOK_EXPORT_SLOT 255
#define XOK_UVPT   ((uint64_t)XOK_UVPT_SLOT << 39)
#define XOK_UVIEW  ((uint64_t)XOK_UVIEW_SLOT << 39)
#define XOK_EXPORT ((uint64_t)XOK_EXPORT_SLOT << 39)

#define XOK_USER_TOP   XOK_UVPT
#define XOK_UAREA      (XOK_USER_TOP - XOK_PAGE_SIZE)
#define XOK_USTACK_TOP 0x00007e0000000000ull
/* The ExOS image (libexos/) is linked to run here. */
#define XOK_EXOS_IMAGE 0x00007e4000000000ull
/* Pages of stack the kernel maps for an environment it loads itself. */
#define XOK_USTACK_PAGES 4

/* The exported region. */
#define XOK_UCLOCK  (XOK_EXPORT + 0x0)        /* struct xok_clock */
#define XOK_USLICES (XOK_EXPORT + 0x1000)     /* struct xok_cpu_slices[] */
#define XOK_UDISKS  (XOK_EXPORT + 0x10000)    /* struct xok_disk[XOK_NDISKS] */
#define XOK_UXN     (XOK_EXPORT + 0x20000)    /* struct xok_xn_entry[] */
#define XOK_UXNMAP  (XOK_EXPORT + 0x60000)    /* XN's free map */
#define XOK_UXNHASH (XOK_EXPORT + 0x70000)    /* uint32_t[XOK_XN_HASH] */
#define XOK_UENVS   (XOK_EXPORT + 0x100000)   /* struct xok_env[XOK_NENV] */
#define XOK_UAREAS  (XOK_EXPORT + 0x1000000)  /* u-area of env slot i at + i pages */
#define XOK_UPAGES  (XOK_EXPORT + 0x40000000) /* struct xok_ppage[], by frame */

/*
 * Reading page-table entries through XOK_UVPT (or XOK_UVIEW): the entry
 * mapping `va` at each level. A level's entry is readable only if the
 * entries above it are present, so check from the top down.
 */
static inline uint64_t xok_vpt_index(uint64_t va)
{
	return (va & 0x0000ffffffffffffull) >> 12;
}

#define XOK_VPT_PTE(base, va) \
	((const volatile uint64_t *)(base) + xok_vpt_index(va))
#define XOK_VPT_PDE(base, slot, va) \
	((const volatile uint64_t *)((base) + ((uint64_t)(slot) << 30)) + \
	 (xok_vpt_index(va) >> 9))
#define XOK_VPT_PDPTE(base, slot, va) \
	((const volatile uint64_t *)((base) + ((uint64_t)(slot) << 30) + \
				     ((uint64_t)(slot) << 21)) + \
	 (xok_vpt_index(va) >> 18))
#define XOK_VPT_PML4E(base, slot, va) \
	((const volatile uint64_t *)((base) + ((uint64_t)(slot) << 30) + \
				     ((uint64_t)(slot) << 21) + \
				     ((uint64_t)(slot) << 12)) + \
	 (xok_vpt_index(va) >> 27))

#endif
