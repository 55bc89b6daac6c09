/*
 * start: how a process's ExOS comes up — upcall entries, stacks, the
 * first process (init, started by the kernel), a native program after
 * exec — and ExOS's own console output.
 */
#include <stdarg.h>
#include <xok/error.h>
#include <xok/sched.h>
#include <xok/syscall.h>
#include <xok/xn.h>

#include "../lib/fmt.h"
#include "../lib/elf.h"
#include "../lib/string.h"
#include "../lib/uprintf.h"
#include "../libfs-cffs/xnblk.h"
#include "exos.h"
#include "stack.h"

#define XSTACK_PAGES (XOK_XSTACK_SIZE / XOK_PAGE_SIZE)

extern char exos_upcall_fault[], exos_upcall_syscall[], exos_upcall_prologue[],
	exos_upcall_ipc[];

int exos_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xok_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void exos_panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	exos_printf("exos: pid %d: %s\n", SELF->pid, buf);
	xok_exit(127);
	for (;;)
		;
}

/* Maps the pages that must exist before any upcall: the exception stack
 * and the top page of ExOS's stack (see entry.S). */
void exos_map_stacks(void)
{
	for (unsigned i = 1; i <= XSTACK_PAGES; i++)
		if (exos_map_fresh(EXOS_XSTACK_TOP - i * XOK_PAGE_SIZE,
				   XOK_PTE_W | XOK_PTE_NX) < 0)
			exos_panic("no memory for the exception stack");
	if (exos_map_fresh(EXOS_STACK_TOP - XOK_PAGE_SIZE,
			   XOK_PTE_W | XOK_PTE_NX) < 0)
		exos_panic("no memory for ExOS's stack");
}

void exos_init_upcalls(void)
{
	struct xok_env_state st = { 0 };

	st.upcall[XOK_UPCALL_FAULT] = (uint64_t)exos_upcall_fault;
	st.upcall[XOK_UPCALL_SYSCALL] = (uint64_t)exos_upcall_syscall;
	/* A slice starts in ExOS when the process has signals to take
	 * (or an alarm to check), so one that makes no system calls is
	 * reached — once there is a process (process 1 calls this again
	 * when it has made itself). */
	if (exos_pte(EXOS_SELF)) {
		st.upcall[XOK_UPCALL_PROLOGUE] = (uint64_t)exos_upcall_prologue;
		st.prologue_if = (uint64_t)&exos_proc_self()->attention;
		/* Signals from other processes (sigpct.c): anyone may call,
		 * since a call only makes the process look at its own
		 * pending word. */
		st.upcall[XOK_UPCALL_IPC] = (uint64_t)exos_upcall_ipc;
		st.ipc_accept = XOK_IPC_ANY;
	}
	st.xstack_top = EXOS_XSTACK_TOP;
	if (xok_env_set(0, 0, &st, XOK_SET_UPCALLS | XOK_SET_IPC) < 0)
		exos_panic("cannot install upcalls");
}

/* ---- The root file system, opened once per environment. ---- */

static struct xnblk xn;
static uint64_t xn_env; /* the environment `xn` was opened in */
struct cffs_blk *exos_root_fs;

static int64_t wall_clock_ns(void)
{
	return exos_now_ns();
}

/* Mappings of the buffer cache a process keeps between operations:
 * every process shares XN's registry, and a mapping pins an entry. */
#define FS_KEEP_MAPPED 32

void exos_fs_trim(void)
{
	if (xn_env)
		xnblk_trim(&xn, FS_KEEP_MAPPED);
}

/* /proc/sys/vm/drop_caches: everything written back, this process's
 * mappings, the name index and the page cache dropped. XN has no call to empty its own
 * cache: clean blocks stay there until it reclaims them. */
void exos_drop_caches(void)
{
	exos_sync();
	exos_lock();
	if (xn_env) {
		xnblk_trim(&xn, 0);
		dindex_reset(&SHARED->fs_index);
		exos_pagecache_drop();
	}
	exos_unlock();
}

void exos_fs_forget(void)
{
	xn_env = 0;
	exos_root_fs = 0;
}

void exos_fs_ready(void)
{
	int64_t root;
	uint64_t me = xok_getenvid();

	if (xn_env == me)
		return;
	/* A fork copied the parent's instance, but not its mappings: the
	 * child keeps the rest (a mount and hints), copying only what it
	 * changes. */
	if (xn_env && exos_root_fs) {
		xnblk_forked(&xn);
		xn_env = me;
		return;
	}
	exos_root_fs = 0;
	if ((root = xok_xn_root_find("files")) < 0)
		return;
	if (xnblk_open(&xn, 0, (uint64_t)root,
		       ((const volatile struct xok_disk *)XOK_UDISKS)[0].nblocks,
		       EXOS_XN_WINDOW) || cffs_mount(&xn.blk))
		return;
	xn.blk.index = &SHARED->fs_index;
	xn.blk.now = wall_clock_ns;
	exos_root_fs = &xn.blk;
	xn_env = me;
}

/* ---- The first process ---- */

extern const char __ehdr_start[];

static const char init_env[] =
	"PATH=/sbin:/usr/sbin:/bin:/usr/bin\0HOME=/\0TERM=vt100\0";

/* Builds the Linux start-up stack of the first process below `rsp`:
 * argv = { "init", arg } (arg only if non-empty). */
uint64_t exos_first_stack(const char *arg, uint64_t rsp)
{
	char args[256];
	size_t alen = strlen(arg);
	struct strvec argv = { args, 0, 1 }, envp = { init_env, 0, 3 };
	uint8_t random[16];
	uint64_t sp;
	const size_t room = 16384;
	/* The program's own headers, for the C library's TLS set-up. */
	const struct elf64_ehdr *eh = (const void *)__ehdr_start;
	struct auxv aux[] = {
		{ L_AT_PHDR, (uint64_t)__ehdr_start + eh->phoff },
		{ L_AT_PHENT, eh->phentsize },
		{ L_AT_PHNUM, eh->phnum },
		{ L_AT_PAGESZ, XOK_PAGE_SIZE },
		{ L_AT_ENTRY, eh->entry },
	};

	memcpy(args, "init", 5);
	if (alen && alen < sizeof(args) - 5) {
		memcpy(args + 5, arg, alen + 1);
		argv.n = 2;
	}
	exos_random_fill(random, sizeof(random));
	/* Well below the frames running now, which are on this stack. */
	sp = stack_build((uint8_t *)(rsp - 32768 - room), room, rsp - 32768,
			 &argv, &envp, aux, sizeof(aux) / sizeof(aux[0]), random,
			 "/sbin/init");
	if (!sp)
		exos_panic("cannot build init's stack");
	return sp;
}
