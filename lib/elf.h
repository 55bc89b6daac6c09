/*
 * elf: checks an ELF64 x86-64 executable before anything is loaded from it.
 * Pure logic on a byte buffer; the kernel's first-environment loader, ExOS's
 * exec and host tests share it, so a malformed file is refused the same way
 * everywhere.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_PT_LOAD   1
#define ELF_PT_INTERP 3
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4
#define ELF_ET_EXEC 2
#define ELF_ET_DYN  3

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* Why a file was refused. */
enum elf_error {
	ELF_OK = 0,
	ELF_E_TRUNCATED = -1, /* shorter than its headers say */
	ELF_E_MAGIC = -2,     /* not an ELF file */
	ELF_E_CLASS = -3,     /* not 64-bit little-endian, version 1 */
	ELF_E_MACHINE = -4,   /* not x86-64 */
	ELF_E_TYPE = -5,      /* neither ET_EXEC nor ET_DYN */
	ELF_E_PHDR = -6,      /* program header table malformed */
	ELF_E_SEGMENT = -7,   /* a PT_LOAD segment is malformed */
	ELF_E_RANGE = -8,     /* a segment lies outside [0, limit) */
	ELF_E_DYNAMIC = -9,   /* needs a dynamic linker (PT_INTERP) */
	ELF_E_ENTRY = -10,    /* entry point not in an executable segment */
	ELF_E_EMPTY = -11,    /* no PT_LOAD segment */
};

/* What elf_check learned about a well-formed file. */
struct elf_info {
	const struct elf64_ehdr *ehdr;
	const struct elf64_phdr *phdrs;
	unsigned phnum;
	uint64_t entry;
	uint64_t lo, hi; /* page-aligned span of all PT_LOAD segments */
	int is_pie;      /* ET_DYN: the caller picks a load bias */
};

/*
 * Checks `size` bytes at `data` (which must be 8-byte aligned) as an x86-64
 * static executable whose segments must fit below `limit` (for ET_DYN, the
 * span from 0 must). Fills `info` and returns ELF_OK, or an elf_error.
 */
int elf_check(const void *data, size_t size, uint64_t limit,
	      struct elf_info *info);

/* The same, when only the first `size` bytes of a `file_size`-byte
 * file are at `data`: they must hold the headers; segments are checked
 * against the file's size. */
int elf_check_headers(const void *data, size_t size, uint64_t file_size,
		      uint64_t limit, struct elf_info *info);

/* A short message for an elf_error. */
const char *elf_strerror(int err);

/* Where the pages of PT_LOAD `ph`, placed `bias` above its address, end:
 * all of them, or (file_only) those holding bytes of the file — the rest
 * are zeros (bss) a loader may leave for first touch. */
static inline uint64_t elf_pages_end(const struct elf64_phdr *ph,
				     uint64_t bias, int file_only)
{
	return (ph->vaddr + bias + (file_only ? ph->filesz : ph->memsz) +
		4095) & ~4095ull;
}

#endif
