/*
 * sched: a scheduler environment's loop (see sched.h): refresh what the
 * kernel's exported tables say about the clients, let the policy pick,
 * lend the CPU by directed yield, charge what the loan lasted.
 */
#include "sched.h"

#include <xok/env.h>
#include <xok/sched.h>
#include <xok/syscall.h>
#include <xok/wk.h>

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
#define SLICES ((const volatile struct xok_cpu_slices *)XOK_USLICES)
#define CLOCK ((const volatile struct xok_clock *)XOK_UCLOCK)

/* How long an idle scheduler sleeps at most: its watch covers every way a
 * client becomes runnable that it knows of; this bounds the cost of one
 * it does not. */
#define IDLE_RECHECK_NS 100000000ull

static const volatile struct xok_env *env_of(uint64_t id)
{
	return &ENVS[xok_env_slot(id)];
}

static int alive(uint64_t id)
{
	return id && env_of(id)->id == id;
}

/* The first environment in `id`'s chain of calls that is not waiting for
 * a reply (`id` itself if it is not waiting), or 0 if one is gone. */
static uint64_t chain_end(uint64_t id)
{
	for (int hops = 0; hops < XOK_NENV && alive(id); hops++) {
		if (env_of(id)->status != XOK_ENV_WAITING)
			return id;
		id = env_of(id)->ipc_callee;
	}
	return 0;
}

uint64_t nest_runs_for(uint64_t env)
{
	uint64_t end = chain_end(env);

	return end && env_of(end)->status == XOK_ENV_RUNNABLE ? end : 0;
}

void nest_sleep_while(const volatile uint64_t *word, uint64_t value)
{
	const struct xok_wk_insn prog[] = {
		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = (uint64_t)word },
		{ .op = XOK_WK_CONST, .dst = 1, .imm = value },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 1, .term = 0 },
		{ .op = XOK_WK_END },
	};

	xok_wk_sleep(prog, sizeof(prog) / sizeof(prog[0]));
}

void nest_sched_init(struct nest_sched *s, const struct nest_policy_ops *ops,
		     uint64_t seed)
{
	*s = (struct nest_sched){ 0 };
	nest_policy_init(&s->policy, ops, seed);
}

int nest_sched_add(struct nest_sched *s, uint64_t env, uint64_t param)
{
	int c = nest_policy_add(&s->policy, param);

	if (c >= 0)
		s->env[c] = env;
	return c;
}

/* The kernel's tables are the truth: forget clients that are gone, and
 * mark each one runnable or blocked as its chain of calls allows. */
static void refresh(struct nest_sched *s)
{
	for (unsigned c = 0; c < NEST_MAXCLIENTS; c++) {
		if (!nest_policy_has(&s->policy, c))
			continue;
		if (!alive(s->env[c])) {
			nest_policy_remove(&s->policy, c);
			s->env[c] = 0;
		} else if (nest_runs_for(s->env[c])) {
			nest_policy_unblock(&s->policy, c);
		} else {
			nest_policy_block(&s->policy, c);
		}
	}
}

/* Sleeps until some client's chain end changes status (it wakes, exits,
 * its server replies): the client block/unblock notification. */
static void wait_for_clients(const struct nest_sched *s)
{
	struct xok_wk_insn prog[3 * NEST_MAXCLIENTS + 4];
	unsigned n = 0;

	for (unsigned c = 0; c < NEST_MAXCLIENTS; c++) {
		uint64_t end = chain_end(s->env[c]);

		if (!nest_policy_has(&s->policy, c) || !end)
			continue;
		prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_LOAD32, .dst = 0,
			.imm = (uint64_t)&env_of(end)->status };
		prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_CONST, .dst = 1,
			.imm = env_of(end)->status };
		prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_WAKE_NE, .a = 0,
			.b = 1, .term = 0 };
	}
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_CLOCK, .dst = 2 };
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_CONST, .dst = 3,
		.imm = xok_clock_ns() + IDLE_RECHECK_NS };
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_WAKE_GEU, .a = 2,
		.b = 3, .term = 1 };
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_END };
	xok_wk_sleep(prog, n);
}

/* Lends the CPU to client c (to the server it waits on, if it does) and
 * charges it the time the loan lasted. A loan the slice's end cut off
 * lasted until the slice's end, not until this scheduler ran again. */
static void lend(struct nest_sched *s, unsigned c)
{
	uint64_t target = nest_runs_for(s->env[c]);
	uint64_t slice_end = SLICES[0].start_ns + CLOCK->slice_ns;
	uint64_t t0 = xok_clock_ns(), t1;
	int64_t why;

	s->decisions++;
	if (!target || (why = xok_yield_to(target)) < 0)
		return; /* it changed since refresh: the next one sees how */
	t1 = xok_clock_ns();
	if (why == XOK_YIELD_SLICE_END && t1 > slice_end)
		t1 = slice_end;
	if (t1 < t0)
		t1 = t0;
	nest_policy_charge(&s->policy, c, t1 - t0);
	s->charged_ns[c] += t1 - t0;
	s->total_ns += t1 - t0;
	s->loans[c]++;
}

void nest_sched_run(struct nest_sched *s,
		    int (*stop)(const struct nest_sched *s, void *arg),
		    void *arg)
{
	for (;;) {
		int c;

		refresh(s);
		if (!s->policy.present || (stop && stop(s, arg)))
			return;
		if ((c = nest_policy_pick(&s->policy)) < 0)
			wait_for_clients(s);
		else
			lend(s, (unsigned)c);
	}
}
