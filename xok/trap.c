/*
 * trap: interrupts, exceptions and system calls.
 */
#include "trap.h"

#include <xok/env.h>
#include <xok/error.h>
#include <xok/sysnum.h>

#include "ata.h"
#include "console.h"
#include "cpu.h"
#include "disk.h"
#include "env.h"
#include "kdebug.h"
#include "lapic.h"
#include "sched.h"
#include "syscall_table.h"
#include "upcall.h"
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

/* Handles a device interrupt, or the timer's when no environment was
 * running; returns 1 if `tf` was one. */
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
	case T_IRQ0 + IRQ_ATA:
		ata_intr();
		lapic_eoi();
		return 1;
	case T_DISK0 ... T_DISK0 + XOK_NDISKS - 1:
		disk_intr((int)(tf->trapno - T_DISK0));
		lapic_eoi();
		return 1;
	default:
		return 0;
	}
}

/* A fault in user mode goes to the environment's fault upcall; without
 * one (or a usable exception stack), the kernel reports it and ends the
 * environment. */
static void user_fault(struct env *e)
{
	const struct xok_trapframe *tf = &e->tf;
	uint64_t addr = tf->trapno == XOK_T_PGFLT ? rcr2() : 0;
	int r = upcall_push(e, XOK_UPCALL_FAULT, tf->trapno, addr);

	if (r == 0)
		env_run(e);
	if (r == E_FAULT)
		cprintf("xok: env %#lx (%s): exception stack unusable\n",
			e->pub->id, e->pub->name);

	if (tf->trapno == XOK_T_PGFLT)
		cprintf("xok: env %#lx (%s): page fault at %#lx (%s, %s) "
			"rip %#lx\n", e->pub->id, e->pub->name, addr,
			tf->err & 2 ? "write" : tf->err & 16 ? "execute" : "read",
			tf->err & 1 ? "protection" : "not present", tf->rip);
	else
		cprintf("xok: env %#lx (%s): %s (trap %lu) at rip %#lx, "
			"error code %#lx\n", e->pub->id, e->pub->name,
			trap_name(tf->trapno), tf->trapno, tf->rip, tf->err);
	env_destroy(e, -(int64_t)(tf->trapno + 1));
	sched_after_destroy();
}

void trap(struct xok_trapframe *tf)
{
	struct env *e = thiscpu()->cur;

	if (!(tf->cs & 3)) {
		if (tf->trapno == T_TIMER)
			thiscpu()->timer_missed = 1;
		if (!interrupt(tf))
			panic_trap(tf);
		return;
	}
	e->tf = *tf;
	if (tf->trapno == T_TIMER) {
		lapic_eoi();
		sched_timer();
	}
	if (!interrupt(tf))
		user_fault(e);
	env_run(e);
}

/* A `syscall` with a number that is not Xok's: reflected to the
 * environment's syscall upcall (Linux emulation in a libOS), else to its
 * fault upcall, else refused with E_NOSYS. */
static void reflect(struct env *e)
{
	if (upcall_push(e, XOK_UPCALL_SYSCALL, XOK_TRAP_SYSCALL, 0) &&
	    upcall_push(e, XOK_UPCALL_FAULT, XOK_TRAP_SYSCALL, 0))
		e->tf.rax = (uint64_t)(int64_t)E_NOSYS;
	env_run(e);
}

void syscall_trap(struct xok_trapframe *tf)
{
	struct env *e = thiscpu()->cur;
	uint64_t n = tf->rax - XOK_SYSCALL_BASE;

	e->tf = *tf;
	if (n >= XOK_SYSCALL_SPAN)
		reflect(e);
	if (n < syscall_table_size && syscall_table[n].fn) {
		const uint64_t args[6] = { tf->rdi, tf->rsi, tf->rdx,
					   tf->r10, tf->r8,  tf->r9 };

		e->tf.rax = (uint64_t)syscall_table[n].fn(args);
	} else {
		e->tf.rax = (uint64_t)(int64_t)E_NOSYS; /* unknown Xok number */
	}
	env_run(e);
}
