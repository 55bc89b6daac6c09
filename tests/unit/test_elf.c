/*
 * lib/elf: the ELF checks shared by the kernel's loader and ExOS's exec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/elf.h"
#include "unit.h"

#define LIMIT 0x00007f8000000000ull

struct image {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[2];
	uint8_t code[64];
} __attribute__((aligned(8)));

static struct image img;
static struct elf_info info;

/* A small valid static executable: one R+X segment holding the file. */
static void make_valid(void)
{
	memset(&img, 0, sizeof(img));
	memcpy(img.eh.ident, "\177ELF\2\1\1", 7);
	img.eh.type = ELF_ET_EXEC;
	img.eh.machine = 62;
	img.eh.version = 1;
	img.eh.entry = 0x400000 + offsetof(struct image, code);
	img.eh.phoff = offsetof(struct image, ph);
	img.eh.ehsize = sizeof(img.eh);
	img.eh.phentsize = sizeof(struct elf64_phdr);
	img.eh.phnum = 1;
	img.ph[0] = (struct elf64_phdr){
		.type = ELF_PT_LOAD, .flags = ELF_PF_R | ELF_PF_X,
		.offset = 0, .vaddr = 0x400000, .filesz = sizeof(img),
		.memsz = sizeof(img) + 0x2000, .align = 0x1000,
	};
}

static int check(size_t size)
{
	return elf_check(&img, size, LIMIT, &info);
}

static void accepts_valid(void)
{
	make_valid();
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_OK);
	CU_ASSERT_EQUAL(info.entry, img.eh.entry);
	CU_ASSERT_EQUAL(info.lo, 0x400000);
	CU_ASSERT_EQUAL(info.hi, 0x403000);
	CU_ASSERT_EQUAL(info.is_pie, 0);
	img.eh.type = ELF_ET_DYN; /* static PIE: fine, the caller biases it */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_OK);
	CU_ASSERT_EQUAL(info.is_pie, 1);
}

static void refuses_bad_headers(void)
{
	make_valid();
	CU_ASSERT_EQUAL(check(10), ELF_E_TRUNCATED);
	img.eh.ident[1] = 'X';
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_MAGIC);
	make_valid();
	img.eh.ident[4] = 1; /* 32-bit */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_CLASS);
	make_valid();
	img.eh.ident[5] = 2; /* big-endian */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_CLASS);
	make_valid();
	img.eh.machine = 183; /* AArch64 */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_MACHINE);
	make_valid();
	img.eh.type = 1; /* relocatable object */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_TYPE);
}

static void refuses_bad_program_headers(void)
{
	make_valid();
	img.eh.phentsize = 32;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_PHDR);
	make_valid();
	img.eh.phnum = 0;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_PHDR);
	make_valid();
	img.eh.phoff = sizeof(img) - 8;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_TRUNCATED);
	make_valid();
	img.eh.phoff = ~0ull - 7; /* offset arithmetic must not wrap */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_TRUNCATED);
	make_valid();
	img.eh.phnum = 0xffff;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_TRUNCATED);
}

static void refuses_bad_segments(void)
{
	make_valid();
	img.ph[0].filesz = img.ph[0].memsz + 1;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_SEGMENT);
	make_valid();
	img.ph[0].offset = 8; /* file bytes past the end */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_TRUNCATED);
	make_valid();
	img.ph[0].offset = ~0ull;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_TRUNCATED);
	make_valid();
	img.ph[0].align = 3000;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_SEGMENT);
	make_valid();
	img.ph[0].vaddr = 0x400010; /* vaddr and offset disagree mod page */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_SEGMENT);
	make_valid();
	img.ph[0].vaddr = 0xffffffff80000000ull; /* kernel half */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_RANGE);
	make_valid();
	img.ph[0].memsz = LIMIT; /* runs past the limit */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_RANGE);
	make_valid();
	img.ph[0].vaddr = LIMIT - 0x1000;
	img.ph[0].memsz = ~0ull - 0x100; /* would wrap */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_RANGE);
}

static void refuses_dynamic_entry_and_empty(void)
{
	make_valid();
	img.eh.phnum = 2;
	img.ph[1] = (struct elf64_phdr){ .type = ELF_PT_INTERP };
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_DYNAMIC);
	make_valid();
	img.eh.entry = 0x500000;
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_ENTRY);
	make_valid();
	img.ph[0].flags = ELF_PF_R | ELF_PF_W; /* entry in non-exec data */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_ENTRY);
	make_valid();
	img.ph[0].type = 4; /* PT_NOTE only */
	CU_ASSERT_EQUAL(check(sizeof(img)), ELF_E_EMPTY);
	CU_ASSERT_STRING_EQUAL(elf_strerror(ELF_E_DYNAMIC),
			       "dynamically linked (needs an interpreter)");
	CU_ASSERT_STRING_EQUAL(elf_strerror(12345), "unknown ELF error");
}

/* This test program is itself a dynamically linked host executable. */
static void refuses_this_dynamic_host_binary(void)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t cap = 1 << 20, n = 0, got;
	uint8_t *buf = malloc(cap);

	CU_ASSERT_FATAL(f && buf);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	CU_ASSERT_EQUAL(elf_check(buf, n, LIMIT, &info), ELF_E_DYNAMIC);
	/* Every truncation of its first page is refused, never accepted. */
	for (size_t len = 0; len < 4096 && len < n; len += 7)
		CU_ASSERT(elf_check(buf, len, LIMIT, &info) < 0);
	free(buf);
}

void add_elf_tests(void)
{
	static const struct unit_test tests[] = {
		{ "accepts_valid", accepts_valid },
		{ "refuses_bad_headers", refuses_bad_headers },
		{ "refuses_bad_program_headers", refuses_bad_program_headers },
		{ "refuses_bad_segments", refuses_bad_segments },
		{ "refuses_dynamic_entry_and_empty", refuses_dynamic_entry_and_empty },
		{ "refuses_this_dynamic_host_binary", refuses_this_dynamic_host_binary },
		{ 0, 0 },
	};
	add_suite("elf", tests);
}
