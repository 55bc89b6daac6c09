/*
 * upcall.S: where the kernel starts an environment's upcalls.
 *
 * The kernel starts an upcall with %rsp = %rdi = a struct xok_upcall_frame
 * on the exception stack (16-byte aligned), and for IPC %rsi = caller,
 * %rdx %rcx %r8 %r9 = arguments. The stub calls the C handler in
 * rt_upcall_handlers[kind] with those registers as its arguments, then
 * resumes from the frame (which the handler may have changed) with
 * xok_resume (lib/resume.S), without entering the kernel.
 */
#include <xok/trapframe.h>

	.text
.macro STUB name, kind
	.globl \name
\name:
	mov $\kind, %eax
	jmp upcall_common
.endm
	STUB rt_upcall_fault, 0
	STUB rt_upcall_syscall, 1
	STUB rt_upcall_ipc, 2
	STUB rt_upcall_prologue, 3
	STUB rt_upcall_epilogue, 4

upcall_common:
	mov %rdi, %r12          /* the frame: callee-saved across the call */
	lea rt_upcall_handlers(%rip), %r11
	call *(%r11, %rax, 8)

	mov %r12, %rdi
	jmp xok_resume

/* First instructions of an environment made by rt_spawn: fn(arg), exit. */
	.globl rt_child_entry
rt_child_entry:
	xor %ebp, %ebp
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	xor %edi, %edi
	call rt_exit
	ud2

/*
 * rt_probe_asm(addr, write, resume): touches one byte at addr. It stores
 * the address of its own end in *resume first, so that the fault upcall
 * (rt.c: probe_fault) can continue there if the access faults.
 */
	.globl rt_probe_asm
rt_probe_asm:
	lea 2f(%rip), %rax
	mov %rax, (%rdx)
	test %esi, %esi
	jnz 1f
	movb (%rdi), %al
	jmp 2f
1:	movb $0, (%rdi)
2:	ret
