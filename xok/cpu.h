/*
 * cpu: per-CPU state (reached through %gs in the kernel), the GDT, TSS and
 * IDT, and the syscall/sysret set-up. Uniprocessor today; nothing here
 * assumes one CPU beyond cpu_init() being called for CPU 0 only.
 */
#ifndef KERN_CPU_H
#define KERN_CPU_H

#include <stdint.h>

#include "kmemlayout.h"

struct env;

struct cpu {
	struct cpu *self;    /* offset 0: for %gs:0 */
	uint64_t kstack_top; /* CPU_KSTACK_TOP: syscall entry's stack */
	uint64_t user_rsp;   /* CPU_USER_RSP: user %rsp during syscall entry */
	struct env *cur;     /* environment running (or last run) here */
	struct env *fpu_env; /* whose FPU/SSE state the registers hold */
	/* The slice timer fired while the kernel waited with interrupts on
	 * (synchronous disk I/O in a call): end the slice on the way out. */
	int timer_missed;
	uint32_t id;
	int nx;              /* the CPU honours the no-execute PTE bit */
};

/* This CPU's state. */
static inline struct cpu *thiscpu(void)
{
	struct cpu *c;

	__asm__("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Sets up this CPU's descriptor tables, %gs, syscall MSRs and NX. */
void cpu_init(void);

/* Vectors the kernel assigns beyond the 32 exceptions. */
#define T_IRQ0     32  /* ISA IRQ n arrives at T_IRQ0 + n through the IOAPIC */
#define T_TIMER    48  /* the local APIC timer */
#define T_SPURIOUS 255

/* Triple-faults the machine on purpose (the harness's self-test). */
void cpu_triple_fault(void) __attribute__((noreturn));

#endif
