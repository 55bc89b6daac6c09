/*
 * sched: a scheduler environment's loop (see sched.h): refresh what the
 * kernel's exported tables say about the clients, let the policy pick,
 * lend the CPU by directed yield, charge what the loan lasted.
 */
#include "sched.h"

#include "mutex.h"

#include <xok/env.h>
#include <xok/error.h>
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

/* The holder of the donating mutex `id` sleeps on, or 0. */
static uint64_t sleeps_for(uint64_t id)
{
	uint64_t holder;

	return env_of(id)->status == XOK_ENV_SLEEPING &&
	       nest_mutex_waits(id, &holder) && holder != id ? holder : 0;
}

/* The first environment in `id`'s chain of calls and mutex holders that
 * is not waiting for a reply or sleeping on a donating mutex (`id` itself
 * if it is neither), or 0 if one is gone or the chain is a cycle. */
static uint64_t chain_end(uint64_t id)
{
	for (int hops = 0; hops < XOK_NENV && alive(id); hops++) {
		uint64_t holder;

		if (env_of(id)->status == XOK_ENV_WAITING)
			id = env_of(id)->ipc_callee;
		else if ((holder = sleeps_for(id)))
			id = holder;
		else
			return id;
	}
	return 0;
}

/* Is `id` asleep on a donating mutex that is free now? It wakes at the
 * next slice's start, and should take the mutex before anyone its
 * waiting held back runs. */
static int wakes_soon(uint64_t id)
{
	uint64_t holder;

	return env_of(id)->status == XOK_ENV_SLEEPING &&
	       nest_mutex_waits(id, &holder) && !holder;
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
	*s = (struct nest_sched){ .until = UINT64_MAX,
		.next_release = UINT64_MAX };
	nest_policy_init(&s->policy, ops, seed);
}

int nest_sched_add(struct nest_sched *s, uint64_t env, uint64_t param)
{
	int c = nest_policy_add(&s->policy, param);

	if (c < 0)
		return c;
	s->env[c] = env;
	s->sensitivity[c] = NEST_ON_BLOCK;
	if (s->port)
		nest_port_post(s->port, NEST_EV_CREATED, (unsigned)c, env);
	return c;
}

int nest_sched_sensitivity(struct nest_sched *s, unsigned c,
			   unsigned sensitivity)
{
	if (!nest_policy_has(&s->policy, c) ||
	    (sensitivity & ~(unsigned)XOK_LOAN_FLAGS))
		return -1;
	s->sensitivity[c] = (uint8_t)sensitivity;
	return 0;
}

static int is_client(const struct nest_sched *s, uint64_t env)
{
	for (uint32_t set = s->policy.present; set;)
		if (s->env[nest_next_slot(&set)] == env)
			return 1;
	return 0;
}

/* Makes a client of each environment a client created that is not one
 * yet: how a scheduler hears of a creation. */
static void adopt_children(struct nest_sched *s)
{
	for (unsigned i = 0; i < XOK_NENV; i++) {
		uint64_t id = ENVS[i].id;

		if (id && is_client(s, ENVS[i].parent) && !is_client(s, id) &&
		    nest_sched_add(s, id, s->adopt_param) >= 0)
			s->seen_changes--; /* look at it before it runs */
	}
}

/* The kernel's tables are the truth: forget clients that are gone, and
 * mark each one runnable or blocked as its chain of calls allows. The
 * common case (a live client runnable by itself) costs two loads.
 * Returns whether a client waits to wake (wakes_soon). */
static int look(struct nest_sched *s)
{
	uint32_t present = s->policy.present, runnable = s->policy.runnable;
	int waking = 0;

	s->seen_changes = CLOCK->status_changes;
	s->slice_end = SLICES[0].start_ns + CLOCK->slice_ns;
	for (uint32_t set = s->policy.present; set;) {
		unsigned c = nest_next_slot(&set);
		const volatile struct xok_env *e = env_of(s->env[c]);

		if (e->id == s->env[c] && e->status == XOK_ENV_RUNNABLE) {
			if (!nest_policy_is_runnable(&s->policy, c))
				nest_policy_unblock(&s->policy, c);
		} else if (!alive(s->env[c])) {
			/* env[c] stays, for the port to name. */
			nest_policy_remove(&s->policy, c);
		} else if (nest_runs_for(s->env[c])) {
			nest_policy_unblock(&s->policy, c);
		} else {
			nest_policy_block(&s->policy, c);
			waking |= wakes_soon(s->env[c]);
		}
	}
	if (s->port)
		nest_port_post_changes(s->port, present, runnable,
				       s->policy.present, s->policy.runnable,
				       s->env);
	if (s->adopt)
		adopt_children(s);
	return waking;
}

/* Looks, and while a client waits to wake (its mutex's holder let go on
 * its loan and gave it back), yields to the next slice's start first,
 * where Xok wakes it: the rest of this slice (or loan) would go to a
 * client its waiting held back. */
static __attribute__((noinline)) void refresh(struct nest_sched *s)
{
	while (look(s))
		xok_yield();
}

/* Sleeps until some client's chain end changes status (it wakes, exits,
 * its server replies), or a periodic client's release is due: the
 * client block/unblock notification. */
static void wait_for_clients(const struct nest_sched *s)
{
	struct xok_wk_insn prog[3 * NEST_MAXCLIENTS + 4];
	uint64_t recheck;
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
	recheck = xok_clock_ns() + IDLE_RECHECK_NS;
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_CONST, .dst = 3,
		.imm = s->next_release < recheck ? s->next_release : recheck };
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_WAKE_GEU, .a = 2,
		.b = 3, .term = 1 };
	prog[n++] = (struct xok_wk_insn){ .op = XOK_WK_END };
	xok_wk_sleep(prog, n);
}

/* A loan to `client`'s chain of calls, when it waits for a reply itself:
 * why it ended, or an error (nothing runnable there). Out of line, as
 * refresh: the loop's common path keeps its registers. */
static __attribute__((noinline)) int64_t lend_to_chain(uint64_t client,
						      unsigned sensitivity)
{
	uint64_t end = nest_runs_for(client);

	return end && end != client ? xok_yield_loan(end, sensitivity)
				    : E_STATE;
}

/* A loan with a sensitivity, out of line too: why it ended, posted to
 * `wakeup` when it tells what the status words do not (a switch, a
 * conflict; refresh posts blocking, waking and exits). */
static __attribute__((noinline)) int64_t
sensitive_loan(uint64_t client, struct nest_port *wakeup,
	       unsigned sensitivity, unsigned slot)
{
	int64_t why = xok_yield_loan(client, sensitivity);

	if (why < 0)
		why = lend_to_chain(client, sensitivity);
	if (why > XOK_YIELD_GONE && wakeup)
		nest_port_post(wakeup, why == XOK_YIELD_SWITCHED ?
			       NEST_EV_SWITCHED : NEST_EV_CONFLICT,
			       slot, client);
	return why;
}

/* nest_schedule, inline in the scheduler's loop, where a loan that ends
 * only as it blocks is the common case. */
static inline int64_t schedule(uint64_t client, struct nest_port *wakeup,
			       unsigned sensitivity, unsigned slot)
{
	int64_t why;

	if (sensitivity)
		return sensitive_loan(client, wakeup, sensitivity, slot);
	why = xok_yield_to(client);
	return why < 0 ? lend_to_chain(client, NEST_ON_BLOCK) : why;
}

int64_t nest_schedule(uint64_t client, struct nest_port *wakeup,
		      unsigned sensitivity, unsigned slot)
{
	return schedule(client, wakeup, sensitivity, slot);
}

/* The ticks of a loan from t0 that the slice's end cut off (at t1, when
 * this scheduler ran again): up to the slice's end only. Out of line:
 * a loan that ends otherwise is the common case. */
static __attribute__((noinline)) uint64_t
until_slice_end(const struct nest_sched *s, uint64_t t0, uint64_t t1)
{
	uint64_t end_ns = s->slice_end, t0_ns = xok_tsc_ns(t0);

	if (xok_tsc_ns(t1) <= end_ns)
		return t1 - t0;
	return end_ns > t0_ns ?
	       (uint64_t)((unsigned __int128)(end_ns - t0_ns) *
			  CLOCK->tsc_hz / 1000000000u) : 0;
}

/* What a policy is told after a loan: the time charged, and that the
 * client gave its loan back (its job is done). Out of line: round robin
 * and fixed priority want neither, and the loop skips it for them. */
static __attribute__((noinline)) void tell_policy(struct nest_sched *s,
						  unsigned c, uint64_t ticks,
						  int64_t why, uint64_t t1)
{
	const struct nest_policy_ops *ops = s->policy.ops;

	if (ops->charge)
		ops->charge(&s->policy, c, xok_ticks_ns(ticks));
	if (ops->done && why == XOK_YIELD_RETURNED)
		ops->done(&s->policy, c, xok_tsc_ns(t1));
}

/* Lends the CPU to client c (to the server it waits on, if it does) from
 * TSC value t0 and charges it the time the loan lasted, which a slice's
 * end cut off at the slice's end, not when this scheduler ran again; the
 * policy hears of it if it `listens`. Returns the TSC when the loan
 * ended (the next one starts then, if this scheduler has run ever
 * since), or t0 if none was made. */
static uint64_t lend(struct nest_sched *s, int listens, unsigned c,
		     uint64_t t0)
{
	uint64_t t1, ticks;
	int64_t why;

	s->decisions++;
	if ((why = schedule(s->env[c], s->port, s->sensitivity[c], c)) < 0) {
		s->seen_changes--; /* it changed since refresh: look again */
		return t0;
	}
	t1 = xok_tsc();
	ticks = t1 - t0;
	if (why == XOK_YIELD_SLICE_END)
		ticks = until_slice_end(s, t0, t1);
	if (listens)
		tell_policy(s, c, ticks, why, t1);
	s->charged_ticks[c] += ticks;
	s->total_ticks += ticks;
	return t1;
}

/* Refreshes when the kernel's count of status changes moved since the
 * last refresh (an environment changed status, a slice started) or a
 * loan failed; else nothing the clients' status depends on has changed,
 * and no one but this scheduler ran since the last loan ended, so the
 * clock is read once a decision. */
void nest_sched_run(struct nest_sched *s,
		    int (*stop)(const struct nest_sched *s, void *arg),
		    void *arg)
{
	uint64_t t = 0; /* the TSC when the next loan starts */
	/* Fixed while the loop runs, and tested once each: whether the
	 * policy hears of loans, and whether anything (a stop callback, a
	 * periodic policy's releases) runs before each decision. */
	const struct nest_policy_ops *const ops = s->policy.ops;
	const int listens = ops->charge || ops->done,
		  before = stop || ops->advance;

	s->seen_changes = CLOCK->status_changes - 1;
	for (;;) {
		int c;

		if (s->seen_changes != CLOCK->status_changes) {
			refresh(s);
			t = xok_tsc();
		}
		if (s->decisions == s->until)
			return;
		if (before) {
			if (stop && stop(s, arg))
				return;
			if (ops->advance)
				s->next_release =
					ops->advance(&s->policy,
						     xok_clock_ns());
		}
		if ((c = nest_policy_pick(&s->policy)) >= 0) {
			t = lend(s, listens, (unsigned)c, t);
		} else if (!s->policy.present) {
			return;
		} else {
			wait_for_clients(s);
			s->seen_changes--; /* look again */
		}
	}
}
