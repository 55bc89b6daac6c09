/*
 * entry.S: how control enters ExOS.
 *
 * A reflected Linux system call arrives on Xok's exception stack. ExOS
 * copies the frame to the top of its own, larger stack and runs there, so
 * the exception stack is free again for the faults ExOS itself takes
 * (copy-on-write, lazy stack) while it works. The top page of ExOS's stack
 * is always mapped: the copy must not fault while the frame it copies
 * still sits where a fault's frame would go.
 *
 * Faults run on the exception stack itself; they nest below each other.
 * A signal's protected control transfer moves to ExOS's stack as a
 * system call does, but only when the program was running.
 */
#include <xok/trapframe.h>

#define FRAME_SIZE 192 /* struct xok_upcall_frame */
#define EXOS_STACK_TOP 0x00007e2000000000

/* Copies the upcall frame at %rdi to the top of ExOS's stack and runs
 * there, %rdi pointing at the copy. */
.macro TO_EXOS_STACK
	movabs $EXOS_STACK_TOP - FRAME_SIZE, %rax
	mov %rdi, %rsi
	mov %rax, %rdi
	mov $FRAME_SIZE / 8, %ecx
	rep movsq
	mov %rax, %rsp
	mov %rax, %rdi
.endm

	.text
	.globl exos_upcall_syscall
exos_upcall_syscall:
	cld
	TO_EXOS_STACK
	call exos_syscall_upcall
	mov %rsp, %rdi
	jmp xok_resume

/* A protected control transfer from a process that sent this one a
 * signal (sigpct.c). exos_ipc_check returns only if the program was
 * running, so ExOS's stack is free. */
	.globl exos_upcall_ipc
exos_upcall_ipc:
	cld
	call exos_ipc_check
	mov %rsp, %rdi
	TO_EXOS_STACK
	call exos_ipc_upcall
	mov %rsp, %rdi
	jmp xok_resume

	.globl exos_upcall_fault
exos_upcall_fault:
	cld
	call exos_fault_upcall
	mov %rsp, %rdi
	jmp xok_resume

	.globl exos_upcall_prologue
exos_upcall_prologue:
	cld
	call exos_prologue_upcall
	mov %rsp, %rdi
	jmp xok_resume

/* Saves / restores the x87 and SSE state (512 bytes, 16-aligned). */
	.globl exos_fxsave
exos_fxsave:
	fxsave64 (%rdi)
	ret
	.globl exos_fxrstor
exos_fxrstor:
	fxrstor64 (%rdi)
	ret
