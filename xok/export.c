/*
 * export: one set of page tables for the exported region, shared by every
 * address space through the same top-level entry (without the writable
 * bit, so every page below it is read-only to user code).
 *
 * The exported tables live in their own page-aligned section (.export in
 * kernel.ld), so no other kernel data shares their pages.
 */
#include "export.h"

#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/page.h>

#include "kdebug.h"
#include "kmemlayout.h"
#include "pmap.h"

#define EXPORTED __attribute__((section(".export"), aligned(4096)))

struct xok_clock exp_clock EXPORTED;
struct xok_cpu_slices exp_slices[XOK_MAXCPU] EXPORTED;
struct xok_env exp_envs[XOK_NENV] EXPORTED;
struct xok_disk exp_disks[XOK_NDISKS] EXPORTED;
struct xok_xn_entry exp_xn[XOK_XN_REGISTRY] EXPORTED;
uint8_t exp_xnmap[XOK_XN_MAXMAPBLOCKS * XOK_XN_BLOCK] EXPORTED;
uint32_t exp_xnhash[XOK_XN_HASH] EXPORTED;

/* Each exported table ends before the next one's address. */
_Static_assert(XOK_UXN + sizeof(exp_xn) <= XOK_UXNMAP, "registry overlaps");
_Static_assert(XOK_UXNMAP + sizeof(exp_xnmap) <= XOK_UXNHASH, "map overlaps");
_Static_assert(XOK_UXNHASH + sizeof(exp_xnhash) <= XOK_UENVS, "hash overlaps");

static uint64_t export_pdpt_pa;

int export_map(uint64_t va, uint64_t pa)
{
	uint64_t *pte = pmap_walk_table(export_pdpt_pa, 2, va, 1);

	if (!pte)
		return E_NOMEM;
	*pte = pa | PTE_P | PTE_U | pmap_nx();
	return 0;
}

void export_unmap(uint64_t va)
{
	uint64_t *pte = pmap_walk_table(export_pdpt_pa, 2, va, 0);

	if (pte)
		*pte = 0;
	pmap_flush(va);
}

/* Maps `len` bytes of the kernel image or direct map at `kva` to `va`. */
static void map_range(uint64_t va, const void *kva, uint64_t len)
{
	uint64_t pa = paddr(kva);

	for (uint64_t off = 0; off < len; off += XOK_PAGE_SIZE)
		if (export_map(va + off, pa + off))
			panic("export: no memory to map %#lx", va + off);
}

void export_init(const void *pages, uint64_t npages)
{
	if (!(export_pdpt_pa = pmap_page_alloc()))
		panic("export: no memory");
	map_range(XOK_UCLOCK, &exp_clock, sizeof(exp_clock));
	map_range(XOK_USLICES, exp_slices, sizeof(exp_slices));
	map_range(XOK_UENVS, exp_envs, sizeof(exp_envs));
	map_range(XOK_UDISKS, exp_disks, sizeof(exp_disks));
	map_range(XOK_UXN, exp_xn, sizeof(exp_xn));
	map_range(XOK_UXNMAP, exp_xnmap, sizeof(exp_xnmap));
	map_range(XOK_UXNHASH, exp_xnhash, sizeof(exp_xnhash));
	map_range(XOK_UPAGES, pages, npages * sizeof(struct xok_ppage));
	/* The u-areas come and go with environments; their page tables are
	 * made now, so that creating an environment never grows shared
	 * structure (and a leak check around it balances). */
	for (unsigned i = 0; i < XOK_NENV; i++)
		if (!pmap_walk_table(export_pdpt_pa, 2,
				     XOK_UAREAS + i * XOK_PAGE_SIZE, 1))
			panic("export: no memory for u-area tables");
}

uint64_t export_pml4e(void)
{
	return export_pdpt_pa | PTE_P | PTE_U;
}
