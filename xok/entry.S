/*
 * entry.S: every way into the kernel and back out to user mode.
 *
 * Traps and interrupts arrive through 256 stubs, 16 bytes apart, that make
 * the stack look the same for every vector (an error code, then the vector)
 * and jump to trap_common, which completes a struct xok_trapframe. The
 * `syscall` instruction arrives at syscall_entry, which builds the same
 * frame by hand on this CPU's kernel stack. Either way the kernel keeps one
 * stack per CPU, not per environment: it is not preemptible, and an
 * environment's saved state lives in its struct env.
 */
#include <xok/trapframe.h>

#include "kmemlayout.h"


	.text
	.balign 16
	.globl trap_vectors
trap_vectors:
	.set vec, 0
	.rept 256
	.balign 16
	/* The CPU pushes an error code for these vectors only. */
	.if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
	.else
	push $0
	.endif
	push $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	testb $3, XOK_TF_CS - XOK_TF_TRAPNO(%rsp) /* from user mode? */
	jz 1f
	swapgs
1:	XOK_PUSH_GPRS
	cld
	mov %rsp, %rdi
	testb $3, XOK_TF_CS(%rsp)
	jz 2f
	xor %ebp, %ebp          /* a user trap ends the kernel backtrace */
2:	call trap
	/* trap() returns only for a trap taken in kernel mode. */
	XOK_POP_GPRS
	add $16, %rsp
	iretq

	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:CPU_USER_RSP
	mov %gs:CPU_KSTACK_TOP, %rsp
	push $(GD_UDATA | 3)    /* ss */
	push %gs:CPU_USER_RSP   /* rsp */
	push %r11               /* rflags */
	push $(GD_UCODE | 3)    /* cs */
	push %rcx               /* rip */
	push $0                 /* err */
	push $XOK_TRAP_SYSCALL
	XOK_PUSH_GPRS
	cld
	mov %rsp, %rdi
	xor %ebp, %ebp
	call syscall_trap
	ud2                     /* syscall_trap never returns */

/* env_pop_iret(tf): restores a user frame with iretq. */
	.globl env_pop_iret
env_pop_iret:
	mov %rdi, %rsp
	XOK_POP_GPRS
	add $16, %rsp
	swapgs
	iretq

/* env_pop_sysret(tf): restores a frame saved by `syscall`, faster; the
 * caller has checked that its %rip is canonical (sysret would otherwise
 * fault in ring 0 on the user's stack). %rcx and %r11 are lost, as the
 * syscall convention allows. */
	.globl env_pop_sysret
env_pop_sysret:
	mov %rdi, %rsp
	XOK_POP_GPRS
	mov 16(%rsp), %rcx      /* rip */
	mov 32(%rsp), %r11      /* rflags */
	mov 40(%rsp), %rsp      /* user rsp */
	swapgs
	sysretq
