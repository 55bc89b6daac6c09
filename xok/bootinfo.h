/*
 * bootinfo: what the loader tells the kernel (PVH start_info): the physical
 * memory map and the command line. Copied out early, before the memory
 * holding it can be reused.
 */
#ifndef KERN_BOOTINFO_H
#define KERN_BOOTINFO_H

#include <stdint.h>

#include "page.h"

#define BOOT_MAX_RANGES 32
#define BOOT_CMDLINE_MAX 512

struct bootinfo {
	struct mem_range usable[BOOT_MAX_RANGES]; /* RAM the kernel may use */
	unsigned nusable;
	uint64_t ram_top; /* end of the highest usable range */
	char cmdline[BOOT_CMDLINE_MAX];
};

/* Reads the PVH start_info at physical `pa`; panics if it is not one. */
void bootinfo_read(uint64_t pa, struct bootinfo *bi);

#endif
