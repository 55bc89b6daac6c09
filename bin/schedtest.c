/*
 * schedtest: time from user mode: slices, directed yield and the reasons
 * a donation ends, wakeup predicates on memory and on the clock, prologue
 * and epilogue upcalls, the overrun penalty and critical sections.
 */
#include <xok/wk.h>

#include "../lib/selftest.h"
#include "rt/rt.h"

#define SLICES ((const volatile struct xok_cpu_slices *)XOK_USLICES)
#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

static const volatile struct xok_env *pub(int64_t id)
{
	return &ENVS[xok_env_slot((uint64_t)id)];
}

static volatile uint64_t flag, counter, prologues, epilogues, saw_pending;

/* A slice of ours other than the one running now, or -1. The kernel gave
 * the boot environment every slice, so tests lend theirs. */
static int64_t spare_slice(void)
{
	for (unsigned i = 0; i < XOK_NSLICES; i++)
		if (i != SLICES[0].pos &&
		    SLICES[0].slice[i].owner == (uint64_t)xok_getenvid())
			return i;
	return -1;
}

/* Frees a spare slice of ours and allocates it to `child`. */
static int64_t lend_slice(int64_t child)
{
	int64_t pos = spare_slice();

	if (pos < 0 || xok_slice_free(0, 0, (uint64_t)pos) < 0)
		return -1;
	return xok_slice_alloc(0, 0, XOK_SLICE_ANY, (uint64_t)child);
}

/* Takes back a lent slice after the borrower is gone (its slices were
 * freed with it). */
static int64_t reclaim_slice(int64_t pos)
{
	return xok_slice_alloc(0, 0, (uint64_t)pos, 0);
}

/* Sleeps until `*word` != `value` or `ns` pass: 0, 1, or an error. */
static int64_t sleep_until_change(const volatile uint64_t *word,
				  uint64_t value, uint64_t ns)
{
	struct xok_wk_insn prog[] = {
		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = (uint64_t)word },
		{ .op = XOK_WK_CONST, .dst = 1, .imm = value },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 1, .term = 0 },
		{ .op = XOK_WK_CLOCK, .dst = 2 },
		{ .op = XOK_WK_CONST, .dst = 3, .imm = xok_clock_ns() + ns },
		{ .op = XOK_WK_WAKE_GEU, .a = 2, .b = 3, .term = 1 },
		{ .op = XOK_WK_END },
	};
	return xok_wk_sleep(prog, sizeof(prog) / sizeof(prog[0]));
}

static void yields_back(uint64_t unused)
{
	(void)unused;
	counter++;
	xok_yield();
	counter++;
}

static void spins(uint64_t unused)
{
	(void)unused;
	for (;;)
		counter++;
}

static void waits_for_flag(uint64_t unused)
{
	(void)unused;
	sleep_until_change(&flag, 0, 10ull * 1000000000);
}

SELFTEST(yield_to_reasons)
{
	int64_t c;

	/* Children without slice upcalls (another test may have left some
	 * in the shared handler table). */
	rt_upcall_handlers[XOK_UPCALL_PROLOGUE] = 0;
	rt_upcall_handlers[XOK_UPCALL_EPILOGUE] = 0;
	c = rt_spawn(yields_back, 0);
	counter = 0;
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_RETURNED);
	CHECK_EQ(counter, 1);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK_EQ(counter, 2);

	flag = 0;
	c = rt_spawn(waits_for_flag, 0);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_BLOCKED);
	CHECK_EQ(pub(c)->status, XOK_ENV_SLEEPING);
	CHECK_EQ(xok_yield_to((uint64_t)c), E_STATE); /* asleep */
	flag = 1;
	while (pub(c)->status == XOK_ENV_SLEEPING)
		xok_yield(); /* predicates are checked as slices turn */
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);

	c = rt_spawn(spins, 0);
	CHECK_EQ(xok_yield_to((uint64_t)c), XOK_YIELD_SLICE_END);
	CHECK(counter > 2);
	CHECK_EQ(xok_env_destroy(0, c), 0);
	return 0;
}

#define CLOCK ((const volatile struct xok_clock *)XOK_UCLOCK)

/* Status changes counted beyond the slices started since `*mark`, which
 * is then moved to now. */
static uint64_t changes_since(uint64_t mark[2])
{
	uint64_t changes = CLOCK->status_changes - mark[0];
	uint64_t slices = CLOCK->slices - mark[1];

	mark[0] = CLOCK->status_changes;
	mark[1] = CLOCK->slices;
	return changes - slices;
}

/* The exported count a scheduler compares to skip reading its clients:
 * creation, sleeping and exit are counted, a directed-yield loan and its
 * return are not (only the slices that start meanwhile). */
SELFTEST(status_changes_counted)
{
	uint64_t mark[2];
	int64_t c;

	changes_since(mark);
	c = rt_spawn(yields_back, 0);
	CHECK(changes_since(mark) >= 1); /* created, started */
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_RETURNED);
	CHECK_EQ(changes_since(mark), 0);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK(changes_since(mark) >= 1);
	flag = 0;
	c = rt_spawn(waits_for_flag, 0);
	changes_since(mark);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_BLOCKED);
	CHECK_EQ(changes_since(mark), 1); /* it sleeps */
	CHECK_EQ(xok_env_destroy(0, c), 0);
	CHECK_EQ(changes_since(mark), 1); /* it is gone */
	return 0;
}

SELFTEST(yield_to_errors)
{
	int64_t stopped = xok_env_alloc(0, 0);

	CHECK_EQ(xok_yield_to(xok_getenvid()), E_STATE);
	CHECK_EQ(xok_yield_to(0x6f6f), E_BADENV);
	CHECK_EQ(xok_yield_to((uint64_t)stopped), E_STATE);
	CHECK_EQ(xok_env_destroy(0, stopped), 0);
	return 0;
}

SELFTEST(slice_alloc_set_free)
{
	int64_t c = rt_spawn(spins, 0), pos;
	uint64_t before;

	CHECK(c > 0);
	pos = lend_slice(c);
	CHECK(pos >= 0);
	CHECK_EQ(SLICES[0].slice[pos].owner, c);
	CHECK_EQ(SLICES[0].slice[pos].guard.len, 0);
	CHECK_EQ(xok_slice_alloc(0, 0, (uint64_t)pos, 0), E_BUSY);
	before = counter;
	xok_yield(); /* the slices turn: the child gets its own */
	while (counter == before)
		xok_yield();
	CHECK_EQ(xok_slice_set(0, 0, (uint64_t)pos, 0), 0); /* take it */
	CHECK_EQ(SLICES[0].slice[pos].owner, xok_getenvid());
	CHECK_EQ(xok_slice_free(0, 0, (uint64_t)pos), 0);
	CHECK_EQ(SLICES[0].slice[pos].owner, 0);
	CHECK_EQ(xok_slice_free(0, 0, (uint64_t)pos), E_INVAL); /* free */
	CHECK_EQ(xok_slice_alloc(0, 1, XOK_SLICE_ANY, 0), E_INVAL); /* cpu */
	CHECK_EQ(xok_slice_alloc(0, 0, XOK_NSLICES, 0), E_INVAL);
	CHECK_EQ(xok_slice_alloc(8, 0, XOK_SLICE_ANY, 0), E_PERM);
	CHECK_EQ(xok_slice_alloc(0, 0, XOK_SLICE_ANY, 0x5a5a), E_BADENV);
	CHECK_EQ(xok_slice_set(0, 0, 99, 0), E_INVAL);
	CHECK_EQ(xok_slice_set(0, 0, (uint64_t)spare_slice(), 0x5a5a),
		 E_BADENV);
	CHECK_EQ(reclaim_slice(pos), pos);
	CHECK_EQ(xok_env_destroy(0, c), 0);
	return 0;
}

static volatile int64_t child_result;

static void steals_slice(uint64_t pos)
{
	child_result = xok_slice_free(0, 0, pos);
}

SELFTEST(slices_need_capability)
{
	unsigned mine = SLICES[0].pos; /* running now: ours */
	int64_t c = rt_spawn(steals_slice, mine);

	CHECK_EQ(SLICES[0].slice[mine].owner, xok_getenvid());
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK_EQ(child_result, E_PERM);
	CHECK_EQ(SLICES[0].slice[mine].owner, xok_getenvid());
	return 0;
}

SELFTEST(predicate_memory_wakeup)
{
	int64_t c = rt_spawn(yields_back, 0), pos;

	counter = 0;
	pos = lend_slice(c);
	CHECK(pos >= 0);
	/* The child increments counter in its own slice: term 0 fires. */
	CHECK_EQ(sleep_until_change(&counter, 0, 5ull * 1000000000), 0);
	CHECK(counter >= 1);
	CHECK_EQ(xok_env_destroy(0, c), 0);
	CHECK_EQ(reclaim_slice(pos), pos);
	return 0;
}

SELFTEST(predicate_clock_wakeup)
{
	uint64_t t0 = xok_clock_ns();

	flag = 0;
	CHECK_EQ(sleep_until_change(&flag, 0, 30000000), 1); /* 30 ms */
	CHECK(xok_clock_ns() - t0 >= 30000000);
	flag = 7;
	CHECK_EQ(sleep_until_change(&flag, 0, 30000000), 0); /* at once */
	return 0;
}

SELFTEST(predicate_errors)
{
	struct xok_wk_insn bad[2] = {
		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = 0xffffffff80100000ull },
		{ .op = XOK_WK_END },
	}, clock_page[3] = {
		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = XOK_UCLOCK },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 0, .term = 5 },
		{ .op = XOK_WK_END },
	}, end = { .op = XOK_WK_END };
	static struct xok_wk_insn big[XOK_WK_MAXINSNS + 1];

	CHECK_EQ(xok_wk_sleep(bad, 2), E_INVAL); /* kernel word */
	bad[0].imm = RT_SCRATCH + 0x100000; /* unmapped */
	CHECK_EQ(xok_wk_sleep(bad, 2), E_INVAL);
	bad[0].imm = (uint64_t)&flag + 1; /* misaligned */
	CHECK_EQ(xok_wk_sleep(bad, 2), E_INVAL);
	bad[0].op = 0; /* no such opcode (there is no store) */
	CHECK_EQ(xok_wk_sleep(bad, 2), E_INVAL);
	CHECK_EQ(xok_wk_sleep(&end, 0), E_INVAL);
	CHECK_EQ(xok_wk_sleep(big, XOK_WK_MAXINSNS + 1), E_INVAL);
	CHECK_EQ(xok_wk_sleep((void *)0x8, 1), E_FAULT);
	/* The exported region may be read; r0 != r0 never fires. The
	 * clock page's tsc_hz == tsc_hz: use NE on two loads instead. */
	clock_page[1] = (struct xok_wk_insn){ .op = XOK_WK_WAKE_EQ, .a = 0,
					      .b = 0, .term = 5 };
	CHECK_EQ(xok_wk_sleep(clock_page, 3), 5);
	return 0;
}

static void polite(uint64_t unused)
{
	(void)unused;
	for (;;)
		counter++;
}

static void on_epilogue(struct xok_upcall_frame *f, uint64_t a0,
			uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)f, (void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	epilogues++;
	xok_yield();
}

static void on_prologue(struct xok_upcall_frame *f, uint64_t a0,
			uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)f, (void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	prologues++;
}

static void stubborn_epilogue(struct xok_upcall_frame *f, uint64_t a0,
			      uint64_t a1, uint64_t a2, uint64_t a3,
			      uint64_t a4)
{
	(void)f, (void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	epilogues++;
	for (;;)
		; /* never yields: the kernel must take the CPU back */
}

static int64_t lent;

/* Runs `fn` in a child with the given upcalls and one slice (lent until
 * finish() destroys it), until `*until` reaches `n` or 10 s go by;
 * returns the child. */
static int64_t run_with_upcalls(void (*fn)(uint64_t), rt_upcall_fn pro,
				rt_upcall_fn epi, const volatile uint64_t *until,
				uint64_t n)
{
	uint64_t t0 = xok_clock_ns();
	int64_t c;

	/* The child gets entries for these; the table itself is shared
	 * memory, so it stays set (our own entries do not change). */
	rt_upcall_handlers[XOK_UPCALL_PROLOGUE] = pro;
	rt_upcall_handlers[XOK_UPCALL_EPILOGUE] = epi;
	c = rt_spawn(fn, 0);
	if (c < 0 || (lent = lend_slice(c)) < 0)
		return -1;
	while (*until < n && xok_clock_ns() - t0 < 10000000000ull)
		xok_yield();
	return c;
}

static int64_t finish(int64_t c)
{
	int64_t r = xok_env_destroy(0, c);

	rt_upcall_handlers[XOK_UPCALL_PROLOGUE] = 0;
	rt_upcall_handlers[XOK_UPCALL_EPILOGUE] = 0;
	return r ? r : reclaim_slice(lent) == lent ? 0 : -1;
}

SELFTEST(epilogue_and_prologue_upcalls)
{
	int64_t c;

	epilogues = prologues = 0;
	c = run_with_upcalls(polite, on_prologue, on_epilogue, &epilogues, 3);
	CHECK(c > 0);
	CHECK(epilogues >= 3);
	CHECK(prologues >= 3);
	CHECK_EQ(pub(c)->overruns, 0);
	CHECK_EQ(finish(c), 0);
	return 0;
}

static volatile uint64_t prologue_wanted;

/* With prologue_if, a slice's prologue upcall comes only while the word
 * says so. */
SELFTEST(prologue_only_when_asked)
{
	struct xok_env_state st;
	uint64_t seen;
	int64_t c;

	epilogues = prologues = 0;
	prologue_wanted = 0;
	c = run_with_upcalls(polite, on_prologue, on_epilogue, &epilogues, 1);
	CHECK(c > 0);
	CHECK_EQ(xok_env_get(0, (uint64_t)c, &st), 0);
	st.prologue_if = (uint64_t)&prologue_wanted; /* the image is shared */
	CHECK_EQ(xok_env_set(0, (uint64_t)c, &st, XOK_SET_UPCALLS), 0);
	CHECK_EQ(pub(c)->prologue_if, (uint64_t)&prologue_wanted);
	seen = prologues;
	for (uint64_t e = epilogues; epilogues < e + 3;)
		xok_yield();
	CHECK_EQ(prologues, seen);
	prologue_wanted = 1;
	for (uint64_t e = epilogues; epilogues < e + 3;)
		xok_yield();
	CHECK(prologues >= seen + 2);
	CHECK_EQ(finish(c), 0);
	return 0;
}

SELFTEST(epilogue_overrun_penalty)
{
	int64_t c;

	epilogues = 0;
	c = run_with_upcalls(polite, 0, stubborn_epilogue, &epilogues, 2);
	CHECK(c > 0);
	/* Each slice it overran its grace period and was preempted anyway,
	 * and forfeited a later slice for it. */
	CHECK(epilogues >= 2);
	CHECK(pub(c)->overruns >= 1);
	CHECK_EQ(finish(c), 0);
	return 0;
}

static void critical_worker(uint64_t unused)
{
	(void)unused;
	for (;;) {
		rt_critical_enter();
		while (!RT_UAREA->epilogue_pending)
			counter++;
		saw_pending++;
		rt_critical_leave(); /* yields, as the kernel asked */
	}
}

SELFTEST(critical_section_defers_epilogue)
{
	int64_t c;

	saw_pending = epilogues = 0;
	c = run_with_upcalls(critical_worker, 0, on_epilogue, &saw_pending, 2);
	CHECK(c > 0);
	CHECK(saw_pending >= 2);
	CHECK_EQ(epilogues, 0); /* deferred, never delivered */
	CHECK_EQ(pub(c)->overruns, 0);
	CHECK_EQ(finish(c), 0);
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
