/*
 * The kernel half of every address space (kernel-private; user-visible
 * addresses are in <xok/memlayout.h>).
 *
 *  0xffff_ffff_8000_0000  KERNBASE: the kernel image, linked here
 *                         (-mcmodel=kernel), loaded at physical 1 MiB
 *  0xffff_8000_0000_0000  DIRECTMAP: all of physical memory (and the first
 *                         4 GiB, for device registers) mapped 1:1
 */
#ifndef KERN_KMEMLAYOUT_H
#define KERN_KMEMLAYOUT_H

#define KERNBASE  0xffffffff80000000
#define DIRECTMAP 0xffff800000000000
#define KERNEL_PHYS_LOAD 0x100000

/* GDT selectors. The order is forced by syscall/sysret: STAR makes the
 * kernel's SS follow its CS, and the user's CS follow its SS. */
#define GD_KCODE 0x08
#define GD_KDATA 0x10
#define GD_UDATA 0x18
#define GD_UCODE 0x20
#define GD_TSS   0x28

/* Offsets into struct cpu used by entry.S (checked in cpu.c). */
#define CPU_KSTACK_TOP 8
#define CPU_USER_RSP   16

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Kernel virtual address of physical address `pa`, through the direct map. */
static inline void *kaddr(uint64_t pa)
{
	return (void *)(pa + DIRECTMAP);
}

/* Physical address of a direct-map or kernel-image address. */
static inline uint64_t paddr(const void *va)
{
	uint64_t v = (uint64_t)va;

	return v >= KERNBASE ? v - KERNBASE : v - DIRECTMAP;
}
#endif

#endif
