/*
 * pmap: physical memory and page tables. Owns the physical page pool, the
 * kernel's page table (the direct map and the kernel image, shared by every
 * address space) and the user halves of environments' address spaces.
 */
#ifndef XOK_PMAP_H
#define XOK_PMAP_H

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

/* The physical address of a new zeroed page with one reference, or 0. */
uint64_t pmap_page_alloc(void);

/* An empty user address space: the kernel half shared, the user half
 * unmapped. Returns its PML4's physical address, or 0 if out of memory. */
uint64_t pmap_create(void);
/* Unmaps and releases everything in the user half, then the PML4. */
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
