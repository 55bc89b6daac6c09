/*
 * The `syscall` instruction with 0 to 6 arguments, in the Linux x86-64
 * register convention (rax number; rdi rsi rdx r10 r8 r9; result in rax;
 * rcx and r11 clobbered), so one instruction serves Xok and reflected Linux
 * calls alike. The generated <xok/syscall.h> wraps these per call.
 */
#ifndef XOK_SYSCALL_ASM_H
#define XOK_SYSCALL_ASM_H

#include <stdint.h>

static inline int64_t xok_syscall6(uint64_t n, uint64_t a1, uint64_t a2,
				   uint64_t a3, uint64_t a4, uint64_t a5,
				   uint64_t a6)
{
	int64_t ret;
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	register uint64_t r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define xok_syscall0(n) xok_syscall6(n, 0, 0, 0, 0, 0, 0)
#define xok_syscall1(n, a) xok_syscall6(n, a, 0, 0, 0, 0, 0)
#define xok_syscall2(n, a, b) xok_syscall6(n, a, b, 0, 0, 0, 0)
#define xok_syscall3(n, a, b, c) xok_syscall6(n, a, b, c, 0, 0, 0)
#define xok_syscall4(n, a, b, c, d) xok_syscall6(n, a, b, c, d, 0, 0)
#define xok_syscall5(n, a, b, c, d, e) xok_syscall6(n, a, b, c, d, e, 0)

#endif
