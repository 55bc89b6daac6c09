/*
 * trap: interrupts, exceptions and system calls.
 */
#include "trap.h"

#include <xok/error.h>
#include <xok/sysnum.h>

#include "console.h"
#include "cpu.h"
#include "env.h"
#include "kdebug.h"
#include "lapic.h"
#include "sched.h"
#include "syscall_table.h"
#include "x86.h"

static const char *trap_name(uint64_t trapno)
{
	static const char *const names[] = {
		"divide error", "debug", "NMI", "breakpoint", "overflow",
		"bound range", "invalid opcode", "device not available",
		"double fault", "coprocessor overrun", "invalid TSS",
		"segment not present", "stack fault", "general protection",
		"page fault", "reserved", "x87 FPU error", "alignment check",
		"machine check", "SIMD floating-point error",
	};

	if (trapno < sizeof(names) / sizeof(names[0]))
		return names[trapno];
	return "unexpected trap";
}

/* Handles a device or timer interrupt; returns 1 if `tf` was one. */
static int interrupt(const struct xok_trapframe *tf)
{
	switch (tf->trapno) {
	case T_TIMER:
		lapic_eoi();
		return 1;
	case T_IRQ0 + IRQ_COM1:
		cons_intr();
		lapic_eoi();
		return 1;
	case T_SPURIOUS:
		return 1; /* no EOI for a spurious interrupt */
	default:
		return 0;
	}
}

/* A fault in user mode: report it and end the environment. (Issue 3
 * reflects faults to the environment's own handler instead.) */
static void user_fault(struct env *e)
{
	const struct xok_trapframe *tf = &e->tf;

	if (tf->trapno == XOK_T_PGFLT)
		cprintf("xok: env %#lx (%s): page fault at %#lx (%s, %s) "
			"rip %#lx\n", e->id, e->name, rcr2(),
			tf->err & 2 ? "write" : tf->err & 16 ? "execute" : "read",
			tf->err & 1 ? "protection" : "not present", tf->rip);
	else
		cprintf("xok: env %#lx (%s): %s (trap %lu) at rip %#lx\n",
			e->id, e->name, trap_name(tf->trapno), tf->trapno,
			tf->rip);
	env_destroy(e, -(int64_t)(tf->trapno + 1));
	sched_yield();
}

void trap(struct xok_trapframe *tf)
{
	struct env *e = thiscpu()->cur;

	if (!(tf->cs & 3)) {
		if (!interrupt(tf))
			panic_trap(tf);
		return;
	}
	e->tf = *tf;
	if (!interrupt(tf))
		user_fault(e);
	if (tf->trapno == T_TIMER)
		sched_yield();
	env_run(e);
}

void syscall_trap(struct xok_trapframe *tf)
{
	struct env *e = thiscpu()->cur;
	uint64_t n = tf->rax - XOK_SYSCALL_BASE;

	e->tf = *tf;
	if (n < syscall_table_size && syscall_table[n].fn) {
		const uint64_t args[6] = { tf->rdi, tf->rsi, tf->rdx,
					   tf->r10, tf->r8,  tf->r9 };

		e->tf.rax = (uint64_t)syscall_table[n].fn(args);
	} else {
		/* Not a Xok call: issue 3 reflects it to the environment. */
		e->tf.rax = (uint64_t)(int64_t)E_NOSYS;
	}
	env_run(e);
}
