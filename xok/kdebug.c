/*
 * kdebug: reporting what went wrong in the kernel.
 */
#include "kdebug.h"

#include <stdarg.h>

#include "../lib/fmt.h"
#include "console.h"
#include "shutdown.h"
#include "x86.h"

extern const struct ksym ksyms_table[];
extern const uint64_t ksyms_count;
extern char kernel_start[], kernel_end[];

static int in_panic;

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	/* The table is sorted by address: find the last entry <= addr. */
	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= (uint64_t)kernel_end)
		return 0;
	*offset = addr - ksyms_table[lo - 1].addr;
	return ksyms_table[lo - 1].name;
}

static void print_addr(uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		cprintf("  %016lx %s+%#lx\n", addr, name, off);
	else
		cprintf("  %016lx ?\n", addr);
}

void backtrace(uint64_t rip, uint64_t rbp)
{
	cprintf("backtrace:\n");
	print_addr(rip);
	/* Follow saved frame pointers while they stay inside the kernel's
	 * image (its stacks are there) and keep going up the stack. */
	for (int depth = 0; depth < 32; depth++) {
		if (rbp < (uint64_t)kernel_start ||
		    rbp + 16 > (uint64_t)kernel_end || (rbp & 7))
			break;
		uint64_t *frame = (uint64_t *)rbp;
		if (!frame[1])
			break;
		print_addr(frame[1] - 1); /* inside the call, not after it */
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

void print_trapframe(const struct xok_trapframe *tf)
{
	cprintf("trap frame: trap %lu err %#lx\n", tf->trapno, tf->err);
	cprintf("  rip %016lx cs %04lx rflags %08lx rsp %016lx ss %04lx\n",
		tf->rip, tf->cs, tf->rflags, tf->rsp, tf->ss);
	cprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax,
		tf->rbx, tf->rcx, tf->rdx);
	cprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", tf->rsi,
		tf->rdi, tf->rbp, tf->r8);
	cprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", tf->r9,
		tf->r10, tf->r11, tf->r12);
	cprintf("  r13 %016lx r14 %016lx r15 %016lx\n", tf->r13, tf->r14,
		tf->r15);
	if (tf->trapno == XOK_T_PGFLT)
		cprintf("  cr2 %016lx\n", rcr2());
}

/* A second panic while panicking exits at once: the first report stands. */
static void enter_panic(void)
{
	cli();
	if (in_panic)
		machine_exit(EXIT_PANIC);
	in_panic = 1;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	enter_panic();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cprintf("kernel panic: %s\n", msg);
	backtrace((uint64_t)panic, read_rbp());
	machine_exit(EXIT_PANIC);
}

void panic_trap(const struct xok_trapframe *tf)
{
	enter_panic();
	cprintf("kernel panic: trap %lu in kernel mode\n", tf->trapno);
	print_trapframe(tf);
	backtrace(tf->rip, tf->rbp);
	machine_exit(EXIT_PANIC);
}
