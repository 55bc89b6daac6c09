/*
 * crt0: entry of a native Xok program that the kernel loads itself.
 * The kernel passes the program's argument string in %rdi.
 */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call main
	mov %rax, %rdi
	call rt_exit
	ud2
