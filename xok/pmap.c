/*
 * pmap: x86-64 four-level page tables.
 */
#include "pmap.h"

#include <xok/error.h>
#include <xok/memlayout.h>

#include "../lib/string.h"
#include "cpu.h"
#include "export.h"
#include "kdebug.h"
#include "kmemlayout.h"
#include "x86.h"

#define HUGE_2M 0x200000ull
#define GIB 0x40000000ull
#define PML4_KERNEL_FIRST 256 /* entries 256..511 are the kernel half */
/* Entries below this hold user mappings; the next three are the views
 * and the exported region (<xok/memlayout.h>), which are not the
 * environment's own and are never released with it. */
#define PML4_USER_ENTRIES XOK_UVPT_SLOT

struct page_pool phys_pages;
static uint64_t kern_pml4_pa;

extern char kernel_end[];

static unsigned idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

uint64_t pmap_page_alloc(void)
{
	uint32_t pfn = page_alloc(&phys_pages);

	if (pfn == PAGE_NONE)
		return 0;
	page_incref(&phys_pages, pfn);
	phys_pages.pages[pfn].kernel = 1;
	memset(kaddr((uint64_t)pfn * PAGE_SIZE), 0, PAGE_SIZE);
	return (uint64_t)pfn * PAGE_SIZE;
}

uint64_t pmap_nx(void)
{
	return thiscpu()->nx ? PTE_NX : 0;
}

void page_release(uint64_t pa)
{
	if (page_decref(&phys_pages, pa / PAGE_SIZE) < 0)
		panic("pmap: released page %#lx holds no reference", pa);
}

/* Does 2 MiB page `pa` hold any usable RAM? (If not, it is device memory
 * or a hole, and is mapped uncached.) */
static int has_ram(const struct bootinfo *bi, uint64_t pa)
{
	for (unsigned i = 0; i < bi->nusable; i++)
		if (pa < bi->usable[i].end && bi->usable[i].start < pa + HUGE_2M)
			return 1;
	return 0;
}

/* Direct map of [0, top) with 2 MiB pages, plus the kernel image. */
static void build_kernel_table(const struct bootinfo *bi, uint64_t top)
{
	uint64_t *pml4;

	if (!(kern_pml4_pa = pmap_page_alloc()))
		panic("pmap: no memory for the kernel page table");
	pml4 = kaddr(kern_pml4_pa);
	/* Every kernel-half PML4 entry gets its PDPT now, so address spaces
	 * that copy the kernel half at creation never miss a later change. */
	for (int i = PML4_KERNEL_FIRST; i < 512; i++) {
		uint64_t pdpt = pmap_page_alloc();

		if (!pdpt)
			panic("pmap: no memory for the kernel page table");
		pml4[i] = pdpt | PTE_P | PTE_W;
	}
	for (uint64_t pa = 0; pa < top; pa += HUGE_2M) {
		uint64_t va = DIRECTMAP + pa;
		uint64_t *pdpt = kaddr(pml4[idx(va, 3)] & PTE_ADDR);
		uint64_t *pd;

		if (!(pdpt[idx(va, 2)] & PTE_P)) {
			uint64_t t = pmap_page_alloc();

			if (!t)
				panic("pmap: no memory for the direct map");
			pdpt[idx(va, 2)] = t | PTE_P | PTE_W;
		}
		pd = kaddr(pdpt[idx(va, 2)] & PTE_ADDR);
		pd[idx(va, 1)] = pa | PTE_P | PTE_W | PTE_PS |
				 (has_ram(bi, pa) ? 0 : PTE_PCD | PTE_PWT);
	}
	/* The kernel image: the first GiB at KERNBASE, as at boot. */
	uint64_t *pdpt = kaddr(pml4[idx(KERNBASE, 3)] & PTE_ADDR);
	uint64_t pd = pmap_page_alloc();
	if (!pd)
		panic("pmap: no memory for the kernel page table");
	for (uint64_t pa = 0; pa < GIB; pa += HUGE_2M)
		((uint64_t *)kaddr(pd))[idx(pa, 1)] = pa | PTE_P | PTE_W | PTE_PS;
	pdpt[idx(KERNBASE, 2)] = pd | PTE_P | PTE_W;
}

void pmap_init(const struct bootinfo *bi)
{
	uint64_t npages = bi->ram_top / PAGE_SIZE;
	uint64_t table_bytes = npages * sizeof(struct xok_ppage);
	uint64_t table_pa = (paddr(kernel_end) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t top = bi->ram_top > 4 * GIB ? bi->ram_top : 4 * GIB;

	if (npages > UINT32_MAX)
		npages = UINT32_MAX;
	/* The page table sits just above the kernel, inside the first GiB
	 * that the boot page tables map. */
	if (table_pa + table_bytes > GIB)
		panic("pmap: page table of %lu pages does not fit", npages);
	struct mem_range reserved[] = {
		{ 0, 0x100000 }, /* BIOS data, option ROMs, start_info */
		{ KERNEL_PHYS_LOAD, table_pa + table_bytes },
	};
	page_pool_init(&phys_pages, kaddr(table_pa), (uint32_t)npages,
		       bi->usable, bi->nusable, reserved, 2);
	build_kernel_table(bi, top);
	pmap_load_kernel();
	export_init(kaddr(table_pa), npages);
}

void pmap_load_kernel(void)
{
	lcr3(kern_pml4_pa);
}

uint64_t pmap_create(void)
{
	uint64_t pa = pmap_page_alloc();

	if (!pa)
		return 0;
	uint64_t *pml4 = kaddr(pa), *kpml4 = kaddr(kern_pml4_pa);
	for (int i = PML4_KERNEL_FIRST; i < 512; i++)
		pml4[i] = kpml4[i];
	/* Its own page tables, read-only, through a recursive entry. */
	pml4[XOK_UVPT_SLOT] = pa | PTE_P | PTE_U | pmap_nx();
	pml4[XOK_EXPORT_SLOT] = export_pml4e();
	return pa;
}

/* Releases the table at `pa` (level 3 = PDPT ... 0 = page) and below. */
static void release_tree(uint64_t pa, int level)
{
	if (level > 0) {
		uint64_t *t = kaddr(pa);

		for (unsigned i = pmap_next_present(t, 0); i < 512;
		     i = pmap_next_present(t, i + 1))
			release_tree(t[i] & PTE_ADDR, level - 1);
	}
	page_release(pa);
}

void pmap_destroy(uint64_t pml4_pa)
{
	uint64_t *pml4 = kaddr(pml4_pa);

	if (rcr3() == pml4_pa)
		pmap_load_kernel();
	for (int i = 0; i < PML4_USER_ENTRIES; i++)
		if (pml4[i] & PTE_P)
			release_tree(pml4[i] & PTE_ADDR, 3);
	page_release(pml4_pa);
}

uint64_t *pmap_walk_table(uint64_t table_pa, int level, uint64_t va,
			  int create)
{
	uint64_t *t = kaddr(table_pa);

	for (; level > 0; level--) {
		uint64_t *e = &t[idx(va, level)];

		if (!(*e & PTE_P)) {
			uint64_t pa;

			if (!create || !(pa = pmap_page_alloc()))
				return 0;
			*e = pa | PTE_P | PTE_W | PTE_U;
		}
		t = kaddr(*e & PTE_ADDR);
	}
	return &t[idx(va, 0)];
}

static uint64_t *walk(uint64_t pml4_pa, uint64_t va, int create)
{
	return pmap_walk_table(pml4_pa, 3, va, create);
}

void pmap_flush(uint64_t va)
{
	invlpg(va);
}

void pmap_set_view(uint64_t pml4_pa, uint64_t other_pml4_pa)
{
	uint64_t *pml4 = kaddr(pml4_pa);

	pml4[XOK_UVIEW_SLOT] = other_pml4_pa ?
		other_pml4_pa | PTE_P | PTE_U | pmap_nx() : 0;
	if (rcr3() == pml4_pa)
		lcr3(pml4_pa); /* drop the old view's translations */
}

uint64_t *pmap_prepare(uint64_t pml4_pa, uint64_t va)
{
	if (va >= XOK_USER_TOP || (va & (PAGE_SIZE - 1)))
		return 0;
	return walk(pml4_pa, va, 1);
}

uint64_t *pmap_entry(uint64_t pml4_pa, uint64_t va)
{
	return va < XOK_USER_TOP ? walk(pml4_pa, va, 0) : 0;
}

int pmap_insert(uint64_t pml4_pa, uint64_t va, uint64_t pa, uint64_t perm)
{
	uint64_t *pte;

	if (va >= XOK_USER_TOP || (va & (PAGE_SIZE - 1)))
		return E_INVAL;
	if (!(pte = walk(pml4_pa, va, 1)))
		return E_NOMEM;
	pmap_set(pml4_pa, pte, va, pa, perm);
	return 0;
}

void pmap_set(uint64_t pml4_pa, uint64_t *pte, uint64_t va, uint64_t pa,
	      uint64_t perm)
{
	page_incref(&phys_pages, pa / PAGE_SIZE);
	if (*pte & PTE_P)
		page_release(*pte & PTE_ADDR);
	if (!thiscpu()->nx)
		perm &= ~PTE_NX;
	*pte = pa | perm | PTE_P | PTE_U;
	if (rcr3() == pml4_pa)
		invlpg(va);
}

void pmap_remove(uint64_t pml4_pa, uint64_t va)
{
	uint64_t *pte;

	if (va < XOK_USER_TOP && (pte = walk(pml4_pa, va, 0)))
		pmap_clear(pml4_pa, pte, va);
}

void pmap_clear(uint64_t pml4_pa, uint64_t *pte, uint64_t va)
{
	uint64_t pa = *pte & PTE_ADDR;

	if (!(*pte & PTE_P))
		return;
	*pte = 0;
	if (rcr3() == pml4_pa)
		invlpg(va);
	page_release(pa);
}

uint64_t pmap_lookup(uint64_t pml4_pa, uint64_t va)
{
	uint64_t *pte;

	if (va >= XOK_USER_TOP || !(pte = walk(pml4_pa, va, 0)))
		return 0;
	return *pte & PTE_P ? *pte : 0;
}

/* The physical address user code reaches at `va`, walking as the MMU
 * does (present and user at every level: the views and the exported
 * region count), or ~0 if it may not read there. */
static uint64_t user_translate(uint64_t pml4_pa, uint64_t va)
{
	uint64_t *t = kaddr(pml4_pa), e = 0;

	if (va >= (1ull << 47))
		return ~0ull;
	for (int level = 3; level >= 0; level--) {
		e = t[idx(va, level)];
		if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
			return ~0ull;
		t = kaddr(e & PTE_ADDR);
	}
	return (e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}

int pmap_user_readable(uint64_t pml4_pa, uint64_t va)
{
	return user_translate(pml4_pa, va) != ~0ull;
}

int pmap_read_user_word(uint64_t pml4_pa, uint64_t va, unsigned size,
			uint64_t *out)
{
	uint64_t pa = user_translate(pml4_pa, va);

	if (pa == ~0ull || (va & (size - 1)))
		return E_FAULT;
	*out = size == 8 ? *(volatile uint64_t *)kaddr(pa)
			 : *(volatile uint32_t *)kaddr(pa);
	return 0;
}

int user_check(uint64_t pml4_pa, uint64_t uva, size_t len, int write)
{
	uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);

	if (uva >= XOK_USER_TOP || len > XOK_USER_TOP - uva)
		return E_FAULT;
	if (!len)
		return 0;
	for (uint64_t va = uva & ~(PAGE_SIZE - 1); va < uva + len;
	     va += PAGE_SIZE)
		if ((pmap_lookup(pml4_pa, va) & need) != need)
			return E_FAULT;
	return 0;
}

/* Calls `fn` on each page-sized piece of user [uva, uva+len), after
 * checking the whole range, so a refused copy changes nothing. */
static int user_range(uint64_t pml4_pa, uint64_t uva, size_t len, int write,
		      void (*fn)(void *kva, size_t off, size_t n, void *arg),
		      void *arg)
{
	int r = user_check(pml4_pa, uva, len, write);

	for (size_t off = 0; !r && off < len;) {
		uint64_t va = uva + off;
		size_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		uint64_t pte = pmap_lookup(pml4_pa, va);

		if (n > len - off)
			n = len - off;
		fn(kaddr((pte & PTE_ADDR) | (va & (PAGE_SIZE - 1))), off, n, arg);
		off += n;
	}
	return r;
}

static void copy_in_piece(void *kva, size_t off, size_t n, void *dst)
{
	memcpy((char *)dst + off, kva, n);
}

static void copy_out_piece(void *kva, size_t off, size_t n, void *src)
{
	memcpy(kva, (const char *)src + off, n);
}

int copy_from_user(uint64_t pml4_pa, void *dst, uint64_t uva, size_t len)
{
	return user_range(pml4_pa, uva, len, 0, copy_in_piece, dst);
}

int copy_to_user(uint64_t pml4_pa, uint64_t uva, const void *src, size_t len)
{
	return user_range(pml4_pa, uva, len, 1, copy_out_piece,
			  (void *)src);
}
