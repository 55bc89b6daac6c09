/*
 * The register state of an environment as the kernel saves it on a trap,
 * an interrupt or a system call.
 */
#ifndef XOK_TRAPFRAME_H
#define XOK_TRAPFRAME_H

#include <stdint.h>

struct xok_trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t trapno; /* x86 vector, or XOK_TRAP_SYSCALL */
	uint64_t err;    /* the CPU's error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* trapno of a frame saved by the `syscall` instruction (not a vector). */
#define XOK_TRAP_SYSCALL 256
/* trapno of a frame that starts an upcall handler (see <xok/env.h> for the
 * trapno values the pushed frames carry). */
#define XOK_TRAP_UPCALL 260

/* x86 exception vectors that user code can cause. */
#define XOK_T_DIVIDE 0
#define XOK_T_DEBUG  1
#define XOK_T_BRKPT  3
#define XOK_T_OFLOW  4
#define XOK_T_BOUND  5
#define XOK_T_ILLOP  6
#define XOK_T_DEVICE 7
#define XOK_T_GPFLT  13
#define XOK_T_PGFLT  14
#define XOK_T_FPERR  16
#define XOK_T_ALIGN  17
#define XOK_T_SIMDERR 19

#endif
