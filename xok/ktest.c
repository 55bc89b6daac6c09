/*
 * ktest: tests of kernel mechanisms that need the real machine: the page
 * pool as booted, page tables, user-memory checks, loading. Each test must
 * leave the free-page count as it found it (the runner checks).
 */
#include "ktest.h"

#include <xok/error.h>
#include <xok/memlayout.h>

#include "../lib/fmt.h"
#include "../lib/selftest.h"
#include "../lib/string.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "console.h"
#include "env.h"
#include "kdebug.h"
#include "kmain.h"
#include "kmemlayout.h"
#include "pmap.h"
#include "programs.h"
#include "shutdown.h"

extern const struct selftest __start_selftests[], __stop_selftests[];

static long free_pages(void)
{
	return phys_pages.nfree;
}

SELFTEST(page_alloc_free)
{
	long before = free_pages();
	uint64_t pa = pmap_page_alloc();

	CHECK(pa != 0);
	CHECK_EQ(free_pages(), before - 1);
	CHECK_EQ(phys_pages.pages[pa / PAGE_SIZE].ref, 1);
	CHECK_EQ(page_decref(&phys_pages, pa / PAGE_SIZE), 0);
	CHECK_EQ(free_pages(), before);
	CHECK_EQ(page_decref(&phys_pages, pa / PAGE_SIZE), PAGE_E_STATE);
	return 0;
}

SELFTEST(pmap_insert_lookup)
{
	uint64_t as = pmap_create(), pa = pmap_page_alloc();
	uint64_t va = 0x400000;

	CHECK(as && pa);
	CHECK_EQ(pmap_lookup(as, va), 0);
	CHECK_EQ(pmap_insert(as, va, pa, PTE_W), 0);
	CHECK_EQ(pmap_lookup(as, va) & PTE_ADDR, pa);
	CHECK(pmap_lookup(as, va) & PTE_W);
	CHECK_EQ(phys_pages.pages[pa / PAGE_SIZE].ref, 2);
	CHECK_EQ(pmap_insert(as, va + 1, pa, 0), E_INVAL);
	CHECK_EQ(pmap_insert(as, XOK_USER_TOP, pa, 0), E_INVAL);
	page_decref(&phys_pages, pa / PAGE_SIZE);
	pmap_destroy(as); /* releases the page with the mapping */
	return 0;
}

SELFTEST(copy_user_checks)
{
	uint64_t as = pmap_create(), rw = pmap_page_alloc(),
		 ro = pmap_page_alloc();
	char buf[16] = "xok";

	CHECK(as && rw && ro);
	CHECK_EQ(pmap_insert(as, 0x10000, rw, PTE_W), 0);
	CHECK_EQ(pmap_insert(as, 0x11000, ro, 0), 0);
	page_decref(&phys_pages, rw / PAGE_SIZE);
	page_decref(&phys_pages, ro / PAGE_SIZE);
	CHECK_EQ(copy_to_user(as, 0x10ffe, buf, 4), E_FAULT); /* into r/o */
	CHECK_EQ(copy_to_user(as, 0x10000, buf, 4), 0);
	CHECK_EQ(copy_from_user(as, buf + 8, 0x10000, 4), 0);
	CHECK(!memcmp(buf + 8, "xok", 4));
	CHECK_EQ(copy_from_user(as, buf, 0x10ffe, 4), 0);   /* r/o is readable */
	CHECK_EQ(copy_from_user(as, buf, 0x11ffe, 4), E_FAULT); /* unmapped */
	CHECK_EQ(copy_from_user(as, buf, 0, 1), E_FAULT);
	CHECK_EQ(copy_from_user(as, buf, XOK_USER_TOP - 2, 4), E_FAULT);
	CHECK_EQ(copy_from_user(as, buf, ~0ull - 1, 4), E_FAULT);
	CHECK_EQ(copy_from_user(as, buf, KERNBASE, 4), E_FAULT);
	pmap_destroy(as);
	return 0;
}

SELFTEST(env_refuses_bad_elf)
{
	static const uint8_t junk[64] __attribute__((aligned(8))) = "not elf";
	struct env *e;

	CHECK_EQ(env_create("junk", junk, sizeof(junk), "", &e), E_INVAL);
	return 0;
}

SELFTEST(env_create_destroy)
{
	const struct embedded_prog *p = program_find("hello", 5);
	struct env *e;

	CHECK(p != 0);
	CHECK_EQ(env_create("hello", p->start, p->end - p->start, "", &e), 0);
	CHECK(env_lookup(e->pub->id) == e);
	uint64_t id = e->pub->id;
	env_destroy(e, 0);
	CHECK(env_lookup(id) == 0);
	return 0;
}

SELFTEST(ksym_names_kernel_code)
{
	uint64_t off = ~0ull;
	const char *name = ksym_lookup((uint64_t)kmain + 3, &off);

	CHECK(name && !strcmp(name, "kmain"));
	CHECK_EQ(off, 3);
	CHECK(ksym_lookup(0x1000, &off) == 0);
	return 0;
}

SELFTEST(kernel_fmt)
{
	char buf[32];

	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%s=%5d|%-3x|%p", "v", -42,
			      0xa, (void *)0x10),
		 16);
	CHECK(!strcmp(buf, "v=  -42|a  |0x10"));
	return 0;
}

void ktest_run_requested(const char *cmdline)
{
	static const struct selftest_env env = {
		.print = cprintf,
		.resource_count = free_pages,
		.resource_name = "pages",
	};
	char select[BOOT_CMDLINE_MAX], init[8];
	int failed;

	if (cmdline_get(cmdline, "ktest", select, sizeof(select)) != 1)
		return;
	failed = selftest_run(__start_selftests, __stop_selftests, select,
			      &env);
	cprintf("ktest: %s\n", failed ? "FAILED" : "all passed");
	if (failed)
		machine_exit(EXIT_FAIL);
	if (cmdline_get(cmdline, "init", init, sizeof(init)) == 0)
		machine_exit(EXIT_PASS);
}
