/*
 * trap: what happens after entry.S has saved a trap frame.
 */
#ifndef KERN_TRAP_H
#define KERN_TRAP_H

#include <xok/trapframe.h>

/* A vector from trap_common. Returns only if the trap came from kernel
 * mode (an interrupt while idle); a kernel fault panics. */
void trap(struct xok_trapframe *tf);

/* The `syscall` instruction, from syscall_entry. Never returns. */
void syscall_trap(struct xok_trapframe *tf) __attribute__((noreturn));

#endif
