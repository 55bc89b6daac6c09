/*
 * pmap: physical memory and page tables. Owns the physical page pool, the
 * kernel's page table (the direct map and the kernel image, shared by every
 * address space) and the user halves of environments' address spaces.
 */
#ifndef KERN_PMAP_H
#define KERN_PMAP_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "page.h"

#define PTE_P   0x001ull
#define PTE_W   0x002ull
#define PTE_U   0x004ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_PS  0x080ull
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

extern struct page_pool phys_pages;

/* Takes over physical memory from the boot page tables. */
void pmap_init(const struct bootinfo *bi);

/* The physical address of a new zeroed kernel page (page tables, u-areas:
 * never mappable by user calls) with one reference, or 0. */
uint64_t pmap_page_alloc(void);
/* Drops a reference to page `pa` (freeing it with the last one). */
void page_release(uint64_t pa);
/* PTE_NX if this CPU honours it, else 0. */
uint64_t pmap_nx(void);

/* The PTE slot for `va` under the table at `table_pa` of level `level`
 * (3 = PML4 ... 0 = page table), creating tables if `create`; 0 if absent
 * or out of memory. */
uint64_t *pmap_walk_table(uint64_t table_pa, int level, uint64_t va,
			  int create);
/* Drops this CPU's translation of `va`. */
void pmap_flush(uint64_t va);
/* Shows (or with 0, hides) the page tables of another address space at
 * XOK_UVIEW in `pml4_pa`. */
void pmap_set_view(uint64_t pml4_pa, uint64_t other_pml4_pa);

/* An empty user address space: the kernel half shared, the user half
 * unmapped. Returns its PML4's physical address, or 0 if out of memory. */
uint64_t pmap_create(void);
/* Unmaps and releases every user mapping and table, then the PML4. */
void pmap_destroy(uint64_t pml4_pa);
/* Switches this CPU to the kernel's own page table. */
void pmap_load_kernel(void);

/*
 * Maps page `pa` at user address `va` with `perm` (PTE_P|PTE_U added),
 * replacing whatever was there. Takes a reference to `pa`.
 * Returns 0, E_INVAL (va unaligned or not user) or E_NOMEM (a page-table
 * page could not be allocated).
 */
int pmap_insert(uint64_t pml4_pa, uint64_t va, uint64_t pa, uint64_t perm);
/* Creates the page tables `va` needs, so a later pmap_set cannot fail:
 * the entry that will map it, or NULL (va unaligned or not user, or no
 * memory for a page-table page). */
uint64_t *pmap_prepare(uint64_t pml4_pa, uint64_t va);
/* The entry that maps `va` if its page table exists, else NULL. */
uint64_t *pmap_entry(uint64_t pml4_pa, uint64_t va);
/* pmap_insert at the entry pmap_prepare gave for `va`. */
void pmap_set(uint64_t pml4_pa, uint64_t *pte, uint64_t va, uint64_t pa,
	      uint64_t perm);
/* Unmaps user `va` if mapped, releasing the page's reference. */
void pmap_remove(uint64_t pml4_pa, uint64_t va);
/* The first present entry of table `t` at or after index `i`, or 512.
 * Tables are mostly empty: the scan passes eight absent entries at a
 * time. */
static inline unsigned pmap_next_present(const uint64_t *t, unsigned i)
{
	for (; i < 512 && (i % 8); i++)
		if (t[i] & PTE_P)
			return i;
	for (; i < 512; i += 8)
		if ((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] |
		     t[i + 5] | t[i + 6] | t[i + 7]) & PTE_P)
			break;
	for (; i < 512; i++)
		if (t[i] & PTE_P)
			return i;
	return 512;
}

/* pmap_remove at the entry `pte` (pmap_entry's) that maps `va`. */
void pmap_clear(uint64_t pml4_pa, uint64_t *pte, uint64_t va);
/* May user code read `va` in this address space (any user-visible region,
 * including the exported one)? */
int pmap_user_readable(uint64_t pml4_pa, uint64_t va);
/* Reads the aligned `size`-byte (4 or 8) word at `va` if user code may
 * read it, without switching address spaces. Returns 0 or E_FAULT. */
int pmap_read_user_word(uint64_t pml4_pa, uint64_t va, unsigned size,
			uint64_t *out);
/* The PTE for user `va`, or 0 if no page is mapped there. */
uint64_t pmap_lookup(uint64_t pml4_pa, uint64_t va);

/* Checks that every byte of user [uva, uva+len) is mapped for user access
 * (and writable if `write`). Returns 0 or E_FAULT. */
int user_check(uint64_t pml4_pa, uint64_t uva, size_t len, int write);

/* Copies between kernel memory and the user half of an address space
 * through the direct map, checking every page's PTE_U (and PTE_W to write).
 * Returns 0, or E_FAULT if any byte is not accessible. */
int copy_from_user(uint64_t pml4_pa, void *dst, uint64_t uva, size_t len);
int copy_to_user(uint64_t pml4_pa, uint64_t uva, const void *src, size_t len);

#endif
