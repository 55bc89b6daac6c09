/*
 * rt: printf through the Xok console call, and the self-test driver.
 */
#include "rt.h"

#include <stdarg.h>
#include <xok/wk.h>

#include "../../lib/fmt.h"
#include "../../lib/selftest.h"
#include "../../lib/uprintf.h"

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xok_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void rt_exit(int64_t status)
{
	xok_exit(status);
	for (;;)
		; /* exit never returns; this keeps the compiler sure of it */
}

rt_upcall_fn volatile rt_upcall_handlers[XOK_NUPCALLS];

/* The entry stubs in upcall.S, by upcall kind. */
extern char rt_upcall_fault[], rt_upcall_syscall[], rt_upcall_ipc[],
	rt_upcall_prologue[], rt_upcall_epilogue[], rt_child_entry[];
static char *const upcall_stubs[XOK_NUPCALLS] = {
	rt_upcall_fault, rt_upcall_syscall, rt_upcall_ipc,
	rt_upcall_prologue, rt_upcall_epilogue,
};

/* The image of a static program, from the linker. */
extern char __executable_start[], _end[];

#define XSTACK_PAGES (XOK_XSTACK_SIZE / XOK_PAGE_SIZE)

/* Allocates `n` zeroed writable pages below `top` in environment `env`. */
static int64_t alloc_pages(uint64_t env, uint64_t top, unsigned n)
{
	for (unsigned i = 1; i <= n; i++) {
		int64_t r = xok_page_alloc(0, env, top - i * XOK_PAGE_SIZE,
					   XOK_PTE_W | XOK_PTE_NX, XOK_PFN_ANY);
		if (r < 0)
			return r;
	}
	return 0;
}

static void fill_upcalls(struct xok_env_state *st)
{
	for (int k = 0; k < XOK_NUPCALLS; k++)
		st->upcall[k] = rt_upcall_handlers[k] ?
			(uint64_t)upcall_stubs[k] : 0;
	st->xstack_top = RT_XSTACK_TOP;
	st->prologue_if = 0; /* every slice's prologue */
}

int rt_upcalls_install(void)
{
	struct xok_env_state st;
	int64_t r;

	if (!rt_pte(RT_XSTACK_TOP - XOK_PAGE_SIZE) &&
	    (r = alloc_pages(0, RT_XSTACK_TOP, XSTACK_PAGES)) < 0)
		return (int)r;
	fill_upcalls(&st);
	return (int)xok_env_set(0, 0, &st, XOK_SET_UPCALLS);
}

/* The entry mapping `va` in the page tables seen at `base` (slot `slot`
 * of the top level), checked from the top down. */
static uint64_t pte_at(uint64_t base, uint64_t slot, uint64_t va)
{
	if (!(*XOK_VPT_PML4E(base, slot, va) & XOK_PTE_P) ||
	    !(*XOK_VPT_PDPTE(base, slot, va) & XOK_PTE_P) ||
	    !(*XOK_VPT_PDE(base, slot, va) & XOK_PTE_P))
		return 0;
	return *XOK_VPT_PTE(base, va);
}

uint64_t rt_pte(uint64_t va)
{
	return pte_at(XOK_UVPT, XOK_UVPT_SLOT, va);
}

uint64_t rt_pte_of(uint64_t env, uint64_t va)
{
	if (xok_pt_view(env) < 0)
		return 0;
	/* The viewed tables map themselves through their own recursive
	 * slot, so the upper levels are found through XOK_UVPT_SLOT. */
	return pte_at(XOK_UVIEW, XOK_UVPT_SLOT, va);
}

/* Maps every page of this program's image into `child`, in batches. */
static int64_t share_image(uint64_t child)
{
	static struct xok_pte_op ops[64];
	uint64_t va = (uint64_t)__executable_start & ~(XOK_PAGE_SIZE - 1);
	unsigned n = 0;
	int64_t r;

	for (; va < (uint64_t)_end; va += XOK_PAGE_SIZE) {
		uint64_t pte = rt_pte(va);

		if (!(pte & XOK_PTE_P))
			continue;
		ops[n++] = (struct xok_pte_op){
			.va = va, .pfn = (pte & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT,
			.perm = pte & XOK_PTE_USER_BITS, .page_cap = 0,
		};
		if (n == 64 || va + XOK_PAGE_SIZE >= (uint64_t)_end) {
			if ((r = xok_pte_batch(0, child, ops, n)) < 0)
				return r;
			n = 0;
		}
	}
	return n ? xok_pte_batch(0, child, ops, n) : 0;
}

int64_t rt_spawn(void (*fn)(uint64_t), uint64_t arg)
{
	struct xok_env_state st = { 0 };
	int64_t id = xok_env_alloc(0, 0), r;

	if (id < 0)
		return id;
	if ((r = share_image(id)) < 0 ||
	    (r = alloc_pages(id, XOK_USTACK_TOP, RT_CHILD_STACK_PAGES)) < 0 ||
	    (r = alloc_pages(id, RT_XSTACK_TOP, XSTACK_PAGES)) < 0)
		goto fail;
	st.tf.rip = (uint64_t)rt_child_entry;
	st.tf.rsp = XOK_USTACK_TOP;
	st.tf.rdi = (uint64_t)fn;
	st.tf.rsi = arg;
	fill_upcalls(&st);
	if ((r = xok_env_set(0, id, &st, XOK_SET_REGS | XOK_SET_UPCALLS)) < 0 ||
	    (r = xok_env_status(0, id, XOK_ENV_RUNNABLE)) < 0)
		goto fail;
	return id;
fail:
	xok_env_destroy(0, id);
	return r;
}

int64_t rt_donate(uint64_t id)
{
	int64_t r;

	while ((r = xok_yield_to(id)) == XOK_YIELD_SLICE_END)
		;
	return r;
}

void rt_sleep_forever(void)
{
	static const struct xok_wk_insn never[] = {
		{ .op = XOK_WK_CONST, .dst = 0, .imm = 0 },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 0, .term = 0 },
		{ .op = XOK_WK_END },
	};

	for (;;)
		xok_wk_sleep(never, 3); /* E_AGAIN after each IPC upcall */
}

void rt_sort_u64(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

void rt_critical_enter(void)
{
	RT_UAREA->critical = 1;
}

void rt_critical_leave(void)
{
	RT_UAREA->critical = 0;
	if (RT_UAREA->epilogue_pending) {
		RT_UAREA->epilogue_pending = 0;
		xok_yield();
	}
}

extern const struct selftest __start_selftests[] __attribute__((weak));
extern const struct selftest __stop_selftests[] __attribute__((weak));

long rt_free_pages(void)
{
	const volatile struct xok_ppage *pages =
		(const volatile struct xok_ppage *)XOK_UPAGES;
	const volatile struct xok_clock *clock =
		(const volatile struct xok_clock *)XOK_UCLOCK;
	long n = 0;

	for (uint64_t i = 0; i < clock->npages; i++)
		n += !pages[i].allocated;
	return n;
}

/* Where a probe resumes after a fault (0: no probe in progress). */
static volatile uint64_t probe_resume;
static volatile int probe_trap;
int rt_probe_asm(uint64_t addr, int write, volatile uint64_t *resume);

/* The fault upcall of test programs: a fault inside a probe resumes after
 * it; any other is reported and ends the program. */
static void probe_fault(struct xok_upcall_frame *f, uint64_t a0,
			uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	if (f->tf.trapno == XOK_TRAP_SYSCALL) {
		/* A foreign system call, with no syscall upcall to take it. */
		f->tf.rax = (uint64_t)(int64_t)E_NOSYS;
		return;
	}
	if (!probe_resume) {
		printf("rt: unexpected trap %lu at rip %#lx addr %#lx\n",
		       f->tf.trapno, f->tf.rip, f->addr);
		xok_exit(100 + (int64_t)f->tf.trapno);
	}
	probe_trap = (int)f->tf.trapno;
	f->tf.rip = probe_resume;
}

static int probe(uint64_t addr, int write)
{
	probe_trap = 0;
	rt_probe_asm(addr, write, &probe_resume);
	probe_resume = 0;
	return probe_trap;
}

int rt_probe_read(uint64_t addr)
{
	return probe(addr, 0);
}

int rt_probe_write(uint64_t addr)
{
	return probe(addr, 1);
}

int rt_check_leaks = 1;

int rt_run_selftests(const char *select)
{
	const struct selftest_env env = {
		.print = printf,
		.resource_count = rt_check_leaks ? rt_free_pages : 0,
		.resource_name = "physical pages",
	};

	rt_upcall_handlers[XOK_UPCALL_FAULT] = probe_fault;
	if (rt_upcalls_install() < 0 ||
	    xok_page_alloc(0, 0, RT_SCRATCH, XOK_PTE_W, XOK_PFN_ANY) < 0 ||
	    xok_page_unmap(0, 0, RT_SCRATCH) < 0) {
		printf("rt: cannot set up the test environment\n");
		return 1;
	}
	return selftest_run(__start_selftests, __stop_selftests,
			    *select ? select : "all", &env) != 0;
}
