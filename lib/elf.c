/*
 * elf: validation of ELF64 executables. Every field that later code trusts
 * (offsets, sizes, addresses) is checked here for range and overflow.
 */
#include "elf.h"

#define PAGE 4096ull

static int seg_check(const struct elf64_phdr *ph, size_t size, uint64_t limit)
{
	if (ph->filesz > ph->memsz)
		return ELF_E_SEGMENT;
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return ELF_E_TRUNCATED;
	if (ph->align > 1 && (ph->align & (ph->align - 1)))
		return ELF_E_SEGMENT;
	if (ph->align >= PAGE && (ph->vaddr - ph->offset) % PAGE)
		return ELF_E_SEGMENT;
	if (ph->vaddr >= limit || ph->memsz > limit - ph->vaddr)
		return ELF_E_RANGE;
	return ELF_OK;
}

static int header_check(const struct elf64_ehdr *eh, size_t size)
{
	/* `size`: the bytes at eh (which hold the program header table). */
	if (size < sizeof(*eh))
		return ELF_E_TRUNCATED;
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' ||
	    eh->ident[2] != 'L' || eh->ident[3] != 'F')
		return ELF_E_MAGIC;
	/* ident[4] class 2 = 64-bit, [5] data 1 = little-endian, [6] version */
	if (eh->ident[4] != 2 || eh->ident[5] != 1 || eh->ident[6] != 1)
		return ELF_E_CLASS;
	if (eh->machine != 62)
		return ELF_E_MACHINE;
	if (eh->type != ELF_ET_EXEC && eh->type != ELF_ET_DYN)
		return ELF_E_TYPE;
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 ||
	    eh->phoff % 8)
		return ELF_E_PHDR;
	if (eh->phoff > size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return ELF_E_TRUNCATED;
	return ELF_OK;
}

int elf_check(const void *data, size_t size, uint64_t limit,
	      struct elf_info *info)
{
	return elf_check_headers(data, size, size, limit, info);
}

int elf_check_headers(const void *data, size_t size, uint64_t file_size,
		      uint64_t limit, struct elf_info *info)
{
	const struct elf64_ehdr *eh = data;
	const struct elf64_phdr *ph;
	int err, entry_ok = 0, loads = 0;
	uint64_t lo = ~0ull, hi = 0;

	if (size > file_size)
		return ELF_E_TRUNCATED;
	if ((err = header_check(eh, size)) != ELF_OK)
		return err;
	size = file_size; /* segments are checked against the whole file */
	ph = (const struct elf64_phdr *)((const uint8_t *)data + eh->phoff);
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type == ELF_PT_INTERP)
			return ELF_E_DYNAMIC;
		if (ph[i].type != ELF_PT_LOAD)
			continue;
		if ((err = seg_check(&ph[i], size, limit)) != ELF_OK)
			return err;
		loads++;
		if (ph[i].vaddr < lo)
			lo = ph[i].vaddr;
		if (ph[i].vaddr + ph[i].memsz > hi)
			hi = ph[i].vaddr + ph[i].memsz;
		if ((ph[i].flags & ELF_PF_X) && eh->entry >= ph[i].vaddr &&
		    eh->entry < ph[i].vaddr + ph[i].memsz)
			entry_ok = 1;
	}
	if (!loads)
		return ELF_E_EMPTY;
	if (!entry_ok)
		return ELF_E_ENTRY;
	info->ehdr = eh;
	info->phdrs = ph;
	info->phnum = eh->phnum;
	info->entry = eh->entry;
	info->lo = lo & ~(PAGE - 1);
	info->hi = (hi + PAGE - 1) & ~(PAGE - 1);
	info->is_pie = eh->type == ELF_ET_DYN;
	return ELF_OK;
}

const char *elf_strerror(int err)
{
	switch (err) {
	case ELF_OK: return "ok";
	case ELF_E_TRUNCATED: return "truncated file";
	case ELF_E_MAGIC: return "not an ELF file";
	case ELF_E_CLASS: return "not a 64-bit little-endian ELF";
	case ELF_E_MACHINE: return "not an x86-64 executable";
	case ELF_E_TYPE: return "not an executable";
	case ELF_E_PHDR: return "bad program header table";
	case ELF_E_SEGMENT: return "bad loadable segment";
	case ELF_E_RANGE: return "segment outside user memory";
	case ELF_E_DYNAMIC: return "dynamically linked (needs an interpreter)";
	case ELF_E_ENTRY: return "entry point outside executable code";
	case ELF_E_EMPTY: return "no loadable segment";
	default: return "unknown ELF error";
	}
}
