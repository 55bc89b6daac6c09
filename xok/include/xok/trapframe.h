/*
 * The register state of an environment as the kernel saves it on a trap,
 * an interrupt or a system call.
 */
#ifndef XOK_TRAPFRAME_H
#define XOK_TRAPFRAME_H

/* Offsets in struct xok_trapframe, for assembly. */
#define XOK_TF_TRAPNO 120
#define XOK_TF_RIP    136
#define XOK_TF_CS     144
#define XOK_TF_RFLAGS 152
#define XOK_TF_RSP    160

#ifdef __ASSEMBLER__
/* Saves / restores the general registers as the first 15 fields of a
 * struct xok_trapframe (r15 lowest): the kernel's entry code and the user
 * runtime's resume code both use these. */
.macro XOK_PUSH_GPRS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro XOK_POP_GPRS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm
#else
#include <stdint.h>

struct xok_trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t trapno; /* x86 vector, or XOK_TRAP_SYSCALL */
	uint64_t err;    /* the CPU's error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(__builtin_offsetof(struct xok_trapframe, trapno) ==
	       XOK_TF_TRAPNO, "XOK_TF_*");
_Static_assert(__builtin_offsetof(struct xok_trapframe, rip) == XOK_TF_RIP,
	       "XOK_TF_*");
_Static_assert(__builtin_offsetof(struct xok_trapframe, rsp) == XOK_TF_RSP,
	       "XOK_TF_*");
#endif

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
