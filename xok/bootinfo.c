/*
 * bootinfo: the Xen/PVH boot protocol's start_info, version 1 or later
 * (which carries the memory map; QEMU's PVH loader provides it).
 */
#include "bootinfo.h"

#include "../lib/string.h"
#include "kdebug.h"
#include "kmemlayout.h"

#define PVH_MAGIC 0x336ec578
#define PVH_MEMMAP_RAM 1

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

void bootinfo_read(uint64_t pa, struct bootinfo *bi)
{
	const struct hvm_start_info *si = kaddr(pa);
	const struct hvm_memmap_entry *mm;

	memset(bi, 0, sizeof(*bi));
	if (si->magic != PVH_MAGIC)
		panic("boot: no PVH start_info at %#lx (magic %#x)", pa,
		      si->magic);
	if (si->version < 1 || !si->memmap_paddr)
		panic("boot: the loader gave no memory map (start_info v%u)",
		      si->version);
	if (si->cmdline_paddr) {
		const char *cl = kaddr(si->cmdline_paddr);
		size_t n = strnlen(cl, BOOT_CMDLINE_MAX - 1);

		memcpy(bi->cmdline, cl, n);
	}
	mm = kaddr(si->memmap_paddr);
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (mm[i].type != PVH_MEMMAP_RAM || !mm[i].size)
			continue;
		if (bi->nusable == BOOT_MAX_RANGES)
			break; /* the rest of RAM goes unused, not misused */
		struct mem_range *r = &bi->usable[bi->nusable++];
		r->start = mm[i].addr;
		r->end = mm[i].addr + mm[i].size;
		if (r->end > bi->ram_top)
			bi->ram_top = r->end;
	}
	if (!bi->nusable)
		panic("boot: the memory map lists no RAM");
}
