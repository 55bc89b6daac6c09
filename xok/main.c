/*
 * main: the kernel's start, from boot.S to the first environments.
 */
#include <stdint.h>

#include "../lib/string.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "console.h"
#include "cpu.h"
#include "disk.h"
#include "env.h"
#include "ioapic.h"
#include "kdebug.h"
#include "kmain.h"
#include "ktest.h"
#include "lapic.h"
#include "pmap.h"
#include "programs.h"
#include "sched.h"
#include "shutdown.h"
#include "x86.h"
#include <xok/sched.h>

#define DEFAULT_INIT "hello"

static struct bootinfo boot;

/* Starts one program of an init= list: "NAME" or "NAME:ARG". */
static struct env *start_program(const char *spec, uint64_t len, int first)
{
	const char *colon = spec;
	char arg[128] = "";
	struct env *e;

	while (colon < spec + len && *colon != ':')
		colon++;
	const struct embedded_prog *p = program_find(spec, colon - spec);
	if (!p) {
		cprintf("xok: init: no program '%.*s'\n", (int)(colon - spec),
			spec);
		return 0;
	}
	if (colon < spec + len) {
		uint64_t n = spec + len - colon - 1;

		if (n >= sizeof(arg))
			n = sizeof(arg) - 1;
		memcpy(arg, colon + 1, n);
	}
	int r = env_create(p->name, p->start, p->end - p->start, arg, &e);
	if (r < 0) {
		cprintf("xok: init: cannot start '%s' (error %d)\n", p->name, r);
		return 0;
	}
	e->is_first = first;
	return e;
}

/* Starts the init= programs and shares the slices among them. */
static void start_init(void)
{
	char list[BOOT_CMDLINE_MAX];
	struct env *started[XOK_NSLICES];
	int n = 0;

	if (cmdline_get(boot.cmdline, "init", list, sizeof(list)) != 1)
		memcpy(list, DEFAULT_INIT, sizeof(DEFAULT_INIT));
	for (const char *p = list; *p;) {
		const char *q = strchr(p, ',');
		uint64_t len = q ? (uint64_t)(q - p) : strlen(p);

		if (n == XOK_NSLICES)
			break;
		if (!(started[n] = start_program(p, len, p == list)))
			machine_exit(EXIT_FAIL);
		n++;
		p += len + (q != 0);
	}
	sched_give_slices(started, n);
}

static void crash_on_request(void)
{
	char how[16];

	if (cmdline_get(boot.cmdline, "crash", how, sizeof(how)) != 1)
		return;
	/* A pointer the compiler cannot see through, to an unmapped page. */
	volatile uint64_t *volatile unmapped = (uint64_t *)0x10;

	cprintf("xok: crashing on request (%s)\n", how);
	if (!strcmp(how, "panic"))
		*unmapped = 1; /* a page fault in kernel mode */
	if (!strcmp(how, "triple"))
		cpu_triple_fault();
	if (!strcmp(how, "hang"))
		for (;;)
			hlt();
	panic("unknown crash= mode '%s'", how);
}

void kmain(uint32_t start_info_pa)
{
	pic_disable();
	cons_init();
	cpu_init();
	bootinfo_read(start_info_pa, &boot);
	cprintf("Xok exokernel (x86-64), command line '%s'\n", boot.cmdline);
	pmap_init(&boot);
	lapic_init();
	ioapic_init();
	ioapic_enable(IRQ_COM1, lapic_id());
	lapic_timer_calibrate();
	sched_init();
	cprintf("xok: %lu MiB of RAM, %u pages free, TSC %lu MHz\n",
		boot.ram_top >> 20, phys_pages.nfree, tsc_hz / 1000000);
	disk_init();
	crash_on_request();
	ktest_run_requested(boot.cmdline);
	start_init();
	sched_next_slice();
}
