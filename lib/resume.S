/*
 * resume: xok_resume(frame) continues the code an upcall interrupted, from
 * a struct xok_trapframe, without entering the kernel: every register,
 * then %rflags and %rip through two words written 144 bytes under the
 * interrupted %rsp — below its 128-byte red zone — so that
 * `popfq; ret $128` lands on the interrupted %rsp exactly. The frame may
 * lie anywhere (the exception stack, a libOS's own stack).
 */
#include <xok/trapframe.h>

	.text
	.globl xok_resume
xok_resume:
	mov %rdi, %rsp
	mov XOK_TF_RSP(%rsp), %rax
	sub $144, %rax
	mov XOK_TF_RFLAGS(%rsp), %rcx
	mov %rcx, 0(%rax)
	mov XOK_TF_RIP(%rsp), %rcx
	mov %rcx, 8(%rax)
	mov %rax, XOK_TF_RSP(%rsp)
	XOK_POP_GPRS
	add $16, %rsp           /* trapno, err */
	mov XOK_TF_RSP - XOK_TF_RIP(%rsp), %rsp /* the two words above */
	popfq
	ret $128
