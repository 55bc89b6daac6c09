/*
 * export: the kernel data every environment may read, mapped read-only at
 * XOK_EXPORT (<xok/memlayout.h>) in every address space: the clock, the
 * slice vectors, the environment table, u-areas and the physical page
 * table. The kernel writes them in place; user code reads without a call.
 */
#ifndef KERN_EXPORT_H
#define KERN_EXPORT_H

#include <stdint.h>
#include <xok/disk.h>
#include <xok/env.h>
#include <xok/xn.h>
#include <xok/sched.h>

extern struct xok_clock exp_clock;
extern struct xok_cpu_slices exp_slices[XOK_MAXCPU];
extern struct xok_env exp_envs[XOK_NENV];
extern struct xok_disk exp_disks[XOK_NDISKS];
extern struct xok_xn_entry exp_xn[XOK_XN_REGISTRY];
extern uint8_t exp_xnmap[XOK_XN_MAXMAPBLOCKS * XOK_XN_BLOCK];
extern uint32_t exp_xnhash[XOK_XN_HASH];

/* Builds the shared page tables of the region and maps the tables above
 * and the physical page table (`npages` entries at `pages`). */
void export_init(const void *pages, uint64_t npages);

/* Maps physical page `pa` read-only at exported address `va`; 0 or E_NOMEM. */
int export_map(uint64_t va, uint64_t pa);
/* Removes the exported mapping at `va`. */
void export_unmap(uint64_t va);

/* The top-level entry that gives an address space the region. */
uint64_t export_pml4e(void);

#endif
