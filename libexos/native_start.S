/*
 * native_start: libexos.a only (see native.c).
 */
/*
 * exos_native_start: the entry of a native program linked with libexos
 * (-e exos_native_start). exos_native_init sets ExOS up — for the first
 * process from nothing, with %rdi the kernel's argument string; after
 * exec from what exec left — and returns the stack pointer at which the C
 * library's own _start finds argc, argv, envp and the auxiliary vector.
 */
	.globl exos_native_start
exos_native_start:
	mov %rsp, %rsi
	and $-16, %rsp
	call exos_native_init
	mov %rax, %rsp
	xor %eax, %eax
	xor %edx, %edx
	xor %ebp, %ebp
	jmp _start

/*
 * The ELF note that marks a native program (ExOS linked in), so
 * exec loads it without the ExOS image beside it. Only libexos.a carries
 * it, never the image.
 */
	.section .note.exos, "a"
	.balign 4
	.long 5          /* name size: "ExOS\0" */
	.long 0          /* no description */
	.long 0x45584f53 /* type */
	.asciz "ExOS"
	.balign 4
