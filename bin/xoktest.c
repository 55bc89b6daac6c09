/*
 * xoktest: in-guest tests of the Xok call interface from user mode, each
 * registered with SELFTEST and selectable by name (init=xoktest:NAME,...).
 */
#include <xok/memlayout.h>

#include "../lib/selftest.h"
#include "rt/rt.h"

SELFTEST(cputs_writes)
{
	CHECK_EQ(xok_cputs("[cputs]\n", 8), 8);
	CHECK_EQ(xok_cputs("", 0), 0);
	return 0;
}

SELFTEST(cputs_bad_pointers)
{
	CHECK_EQ(xok_cputs(0, 1), E_FAULT);
	CHECK_EQ(xok_cputs((char *)0xffffffff80100000, 8), E_FAULT);
	CHECK_EQ(xok_cputs((char *)0xffff800000000000, 8), E_FAULT);
	CHECK_EQ(xok_cputs((char *)0x0000800000000000, 8), E_FAULT);
	CHECK_EQ(xok_cputs((char *)(XOK_USER_TOP - 4), 8), E_FAULT);
	CHECK_EQ(xok_cputs((char *)~0ull, 2), E_FAULT);
	/* Starts mapped (the stack's top page) and runs off the end. */
	CHECK_EQ(xok_cputs((char *)(XOK_USTACK_TOP - 4), 8), E_FAULT);
	return 0;
}

SELFTEST(cputs_too_long)
{
	CHECK_EQ(xok_cputs("x", (1u << 20) + 1), E_INVAL);
	return 0;
}

SELFTEST(getenvid_stable)
{
	int64_t id = xok_getenvid();

	CHECK(id > 0);
	CHECK_EQ(xok_getenvid(), id);
	return 0;
}

SELFTEST(yield_returns)
{
	for (int i = 0; i < 10; i++)
		CHECK_EQ(xok_yield(), 0);
	return 0;
}

SELFTEST(cgetc_empty)
{
	CHECK_EQ(xok_cgetc(), E_AGAIN);
	return 0;
}

SELFTEST(unknown_calls_refused)
{
	CHECK_EQ(xok_syscall0(XOK_SYSCALL_BASE + 511), E_NOSYS);
	CHECK_EQ(xok_syscall0(XOK_SYSCALL_BASE - 1), E_NOSYS);
	CHECK_EQ(xok_syscall0(~0ull), E_NOSYS);
	CHECK_EQ(xok_syscall0(39), E_NOSYS); /* Linux getpid: not reflected yet */
	return 0;
}

/* A system call preserves every register but %rax, %rcx and %r11. The
 * values travel through globals so the asm needs no register operands. */
uint64_t regs_in[12], regs_out[12];

SELFTEST(syscall_preserves_registers)
{
	for (int i = 0; i < 12; i++)
		regs_in[i] = 0x1111111111111111ull * (i + 1);
	__asm__ volatile(
		"push %%rbp\n\t"
		"mov regs_in+0(%%rip), %%rbx\n\tmov regs_in+8(%%rip), %%rbp\n\t"
		"mov regs_in+16(%%rip), %%rdi\n\tmov regs_in+24(%%rip), %%rsi\n\t"
		"mov regs_in+32(%%rip), %%rdx\n\tmov regs_in+40(%%rip), %%r8\n\t"
		"mov regs_in+48(%%rip), %%r9\n\tmov regs_in+56(%%rip), %%r10\n\t"
		"mov regs_in+64(%%rip), %%r12\n\tmov regs_in+72(%%rip), %%r13\n\t"
		"mov regs_in+80(%%rip), %%r14\n\tmov regs_in+88(%%rip), %%r15\n\t"
		"mov %0, %%eax\n\tsyscall\n\t"
		"mov %%rbx, regs_out+0(%%rip)\n\tmov %%rbp, regs_out+8(%%rip)\n\t"
		"mov %%rdi, regs_out+16(%%rip)\n\tmov %%rsi, regs_out+24(%%rip)\n\t"
		"mov %%rdx, regs_out+32(%%rip)\n\tmov %%r8, regs_out+40(%%rip)\n\t"
		"mov %%r9, regs_out+48(%%rip)\n\tmov %%r10, regs_out+56(%%rip)\n\t"
		"mov %%r12, regs_out+64(%%rip)\n\tmov %%r13, regs_out+72(%%rip)\n\t"
		"mov %%r14, regs_out+80(%%rip)\n\tmov %%r15, regs_out+88(%%rip)\n\t"
		"pop %%rbp"
		:
		: "i"(XOK_SYS_getenvid)
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		  "r11", "r12", "r13", "r14", "r15", "memory");
	for (int i = 0; i < 12; i++)
		CHECK_EQ(regs_out[i], regs_in[i]);
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
