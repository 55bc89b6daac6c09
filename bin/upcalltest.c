/*
 * upcalltest: faults and foreign system calls reflected to the
 * environment's own handlers, which resume the interrupted code without
 * entering the kernel; nested faults; a broken exception stack.
 */
#include "../lib/selftest.h"
#include "rt/rt.h"

/* The twelve registers the tests fill and check, in their arrays' order:
 * asm text loading them from, or storing them to, the words at `sym`. */
#define LOAD_REGS(sym) \
	"mov " sym "+0(%%rip), %%rbx\n\t" \
	"mov " sym "+8(%%rip), %%rbp\n\t" \
	"mov " sym "+16(%%rip), %%rdi\n\t" \
	"mov " sym "+24(%%rip), %%rsi\n\t" \
	"mov " sym "+32(%%rip), %%rdx\n\t" \
	"mov " sym "+40(%%rip), %%r8\n\t" \
	"mov " sym "+48(%%rip), %%r9\n\t" \
	"mov " sym "+56(%%rip), %%r10\n\t" \
	"mov " sym "+64(%%rip), %%r12\n\t" \
	"mov " sym "+72(%%rip), %%r13\n\t" \
	"mov " sym "+80(%%rip), %%r14\n\t" \
	"mov " sym "+88(%%rip), %%r15\n\t"
#define STORE_REGS(sym) \
	"mov %%rbx, " sym "+0(%%rip)\n\t" \
	"mov %%rbp, " sym "+8(%%rip)\n\t" \
	"mov %%rdi, " sym "+16(%%rip)\n\t" \
	"mov %%rsi, " sym "+24(%%rip)\n\t" \
	"mov %%rdx, " sym "+32(%%rip)\n\t" \
	"mov %%r8, " sym "+40(%%rip)\n\t" \
	"mov %%r9, " sym "+48(%%rip)\n\t" \
	"mov %%r10, " sym "+56(%%rip)\n\t" \
	"mov %%r12, " sym "+64(%%rip)\n\t" \
	"mov %%r13, " sym "+72(%%rip)\n\t" \
	"mov %%r14, " sym "+80(%%rip)\n\t" \
	"mov %%r15, " sym "+88(%%rip)\n\t"

static volatile uint64_t faults, last_addr, last_err;
static rt_upcall_fn probe_handler;

/* Demand paging: maps a zeroed page where the fault was and resumes. */
static void demand_pager(struct xok_upcall_frame *f, uint64_t a0,
			 uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	if (f->tf.trapno != XOK_T_PGFLT ||
	    f->addr < RT_SCRATCH || f->addr >= RT_SCRATCH + 0x100000) {
		probe_handler(f, a0, a1, a2, a3, a4);
		return;
	}
	faults++;
	last_addr = f->addr;
	last_err = f->tf.err;
	xok_page_alloc(0, 0, f->addr & ~(XOK_PAGE_SIZE - 1), XOK_PTE_W,
		       XOK_PFN_ANY);
}

static void use_pager(void)
{
	if (!probe_handler)
		probe_handler = rt_upcall_handlers[XOK_UPCALL_FAULT];
	rt_upcall_handlers[XOK_UPCALL_FAULT] = demand_pager;
}

static void restore_handler(void)
{
	rt_upcall_handlers[XOK_UPCALL_FAULT] = probe_handler;
}

SELFTEST(page_fault_upcall_resumes)
{
	volatile uint64_t *p = (uint64_t *)(RT_SCRATCH + 0x2008);

	use_pager();
	faults = 0;
	*p = 99; /* faults, gets mapped, the store is retried */
	CHECK_EQ(*p, 99);
	CHECK_EQ(faults, 1);
	CHECK_EQ(last_addr, (uint64_t)p);
	CHECK_EQ(last_err & 2, 2); /* a write */
	restore_handler();
	CHECK_EQ(xok_page_unmap(0, 0, RT_SCRATCH + 0x2000), 0);
	return 0;
}

/* Every register survives a fault and its upcall. */
uint64_t fault_regs_in[13], fault_regs_out[13];

SELFTEST(fault_preserves_registers)
{
	use_pager();
	for (int i = 0; i < 13; i++)
		fault_regs_in[i] = 0x0101010101010101ull * (i + 3);
	fault_regs_in[12] = RT_SCRATCH + 0x3000; /* faults when touched */
	__asm__ volatile(
		"push %%rbp\n\t"
		LOAD_REGS("fault_regs_in")
		"mov fault_regs_in+96(%%rip), %%rcx\n\t"
		"mov %%rcx, (%%rcx)\n\t"
		STORE_REGS("fault_regs_out")
		"mov %%rcx, fault_regs_out+96(%%rip)\n\t"
		"pop %%rbp"
		: : : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
		  "r10", "r11", "r12", "r13", "r14", "r15", "memory");
	restore_handler();
	for (int i = 0; i < 13; i++)
		CHECK_EQ(fault_regs_out[i], fault_regs_in[i]);
	CHECK_EQ(xok_page_unmap(0, 0, RT_SCRATCH + 0x3000), 0);
	return 0;
}

static void skip_ud2(struct xok_upcall_frame *f, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	faults++;
	last_err = f->tf.trapno;
	f->tf.rip += 2; /* ud2 is two bytes */
}

SELFTEST(exception_upcall_skips_instruction)
{
	rt_upcall_fn saved = rt_upcall_handlers[XOK_UPCALL_FAULT];

	rt_upcall_handlers[XOK_UPCALL_FAULT] = skip_ud2;
	faults = 0;
	__asm__ volatile("ud2");
	__asm__ volatile("ud2");
	rt_upcall_handlers[XOK_UPCALL_FAULT] = saved;
	CHECK_EQ(faults, 2);
	CHECK_EQ(last_err, XOK_T_ILLOP);
	return 0;
}

/* A handler that itself faults (on the exception stack) nests. */
static void nesting_pager(struct xok_upcall_frame *f, uint64_t a0,
			  uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	if (f->addr == RT_SCRATCH + 0x5000)
		(void)*(volatile uint64_t *)(RT_SCRATCH + 0x6000);
	demand_pager(f, a0, a1, a2, a3, a4);
}

SELFTEST(nested_fault_in_handler)
{
	use_pager();
	rt_upcall_handlers[XOK_UPCALL_FAULT] = nesting_pager;
	faults = 0;
	*(volatile uint64_t *)(RT_SCRATCH + 0x5000) = 5;
	restore_handler();
	CHECK_EQ(faults, 2);
	CHECK_EQ(*(volatile uint64_t *)(RT_SCRATCH + 0x5000), 5);
	CHECK_EQ(xok_page_unmap(0, 0, RT_SCRATCH + 0x5000), 0);
	CHECK_EQ(xok_page_unmap(0, 0, RT_SCRATCH + 0x6000), 0);
	return 0;
}

/* Emulates Linux getpid (39) as 1000 + rdi; refuses the rest. */
static void linux_emulator(struct xok_upcall_frame *f, uint64_t a0,
			   uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	f->tf.rax = f->tf.rax == 39 ? 1000 + f->tf.rdi : (uint64_t)-38;
}

uint64_t refl_in[12], refl_out[12];

SELFTEST(foreign_syscall_reflected)
{
	struct xok_env_state st;

	CHECK_EQ(xok_syscall1(39, 5), E_NOSYS); /* no entry: fault upcall */
	rt_upcall_handlers[XOK_UPCALL_SYSCALL] = linux_emulator;
	CHECK_EQ(rt_upcalls_install(), 0);
	CHECK_EQ(xok_syscall1(39, 5), 1005);
	CHECK_EQ(xok_syscall1(9999, 0), -38);
	CHECK_EQ(xok_getenvid() > 0, 1); /* Xok calls are not reflected */
	for (int i = 0; i < 12; i++)
		refl_in[i] = 0x0202020202020202ull * (i + 1);
	__asm__ volatile(
		"push %%rbp\n\t"
		LOAD_REGS("refl_in")
		"mov $39, %%eax\n\tsyscall\n\t"
		STORE_REGS("refl_out")
		"pop %%rbp"
		: : : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
		  "r10", "r11", "r12", "r13", "r14", "r15", "memory");
	for (int i = 0; i < 12; i++)
		CHECK_EQ(refl_out[i], refl_in[i]);
	rt_upcall_handlers[XOK_UPCALL_SYSCALL] = 0;
	CHECK_EQ(rt_upcalls_install(), 0);
	CHECK_EQ(xok_env_get(0, 0, &st), 0);
	CHECK_EQ(st.upcall[XOK_UPCALL_SYSCALL], 0);
	return 0;
}

static volatile int64_t bare_result;

/* With no upcall entries at all, the kernel answers E_NOSYS itself. */
static void bare_syscall(uint64_t unused)
{
	struct xok_env_state st = { 0 };

	(void)unused;
	xok_env_set(0, 0, &st, XOK_SET_UPCALLS);
	bare_result = xok_syscall1(39, 0);
}

SELFTEST(foreign_syscall_without_upcalls)
{
	int64_t c = rt_spawn(bare_syscall, 0);

	CHECK(c > 0);
	bare_result = 0;
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK_EQ(bare_result, E_NOSYS);
	return 0;
}

static void broken_stack(uint64_t unused)
{
	struct xok_env_state st;

	(void)unused;
	xok_env_get(0, 0, &st);
	st.xstack_top = RT_SCRATCH + 0x80000; /* nothing mapped there */
	xok_env_set(0, 0, &st, XOK_SET_UPCALLS);
	(void)*(volatile uint64_t *)0; /* the kernel cannot deliver this */
}

SELFTEST(unusable_exception_stack_kills)
{
	int64_t c = rt_spawn(broken_stack, 0);

	CHECK(c > 0);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
