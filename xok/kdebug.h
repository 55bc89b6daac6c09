/*
 * kdebug: panics, trap frame dumps and backtraces with symbol names.
 */
#ifndef KERN_KDEBUG_H
#define KERN_KDEBUG_H

#include <stdint.h>
#include <xok/trapframe.h>

/* One entry of the symbol table that the second link adds (see Makefile). */
struct ksym {
	uint64_t addr;
	const char *name;
};

/* Finds the function containing `addr`; returns its name and sets *offset,
 * or returns 0 if the address is outside the kernel's code. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

void print_trapframe(const struct xok_trapframe *tf);
/* Prints the call chain starting at frame pointer `rbp`, kernel frames only. */
void backtrace(uint64_t rip, uint64_t rbp);

/* Stops the machine with a message, a backtrace and the panic exit status. */
void panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* Same, for a fault taken in kernel mode, with its trap frame. */
void panic_trap(const struct xok_trapframe *tf) __attribute__((noreturn));

#endif
