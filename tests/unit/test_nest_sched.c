/*
 * libos-nest/policy: the scheduling policies decide as their papers say,
 * alone and stacked. Every test drives a policy the way a scheduler
 * environment does: pick, charge what the pick ran, block, unblock.
 * libos-nest/port: a scheduler's notifications, kept and classified.
 */
#include <math.h>
#include <stdint.h>

#include "../../libos-nest/policy.h"
#include "../../libos-nest/port.h"
#include "unit.h"

#define QUANTUM 10000000ull /* 10 ms, Xok's slice */

/* n decisions, each charged a full quantum; counts[] += wins. */
static void run_quanta(struct nest_policy *p, unsigned n, unsigned *counts)
{
	for (unsigned i = 0; i < n; i++) {
		int c = nest_policy_pick(p);

		CU_ASSERT_FATAL(c >= 0);
		counts[c]++;
		nest_policy_charge(p, (unsigned)c, QUANTUM);
	}
}

static void add_three(struct nest_policy *p, const struct nest_policy_ops *ops,
		      uint64_t a, uint64_t b, uint64_t c)
{
	nest_policy_init(p, ops, 1);
	CU_ASSERT_EQUAL(nest_policy_add(p, a), 0);
	CU_ASSERT_EQUAL(nest_policy_add(p, b), 1);
	CU_ASSERT_EQUAL(nest_policy_add(p, c), 2);
}

static void stride_321_is_exact(void)
{
	struct nest_policy p;
	unsigned counts[3] = { 0 };

	add_three(&p, &nest_stride, 3, 2, 1);
	for (int round = 1; round <= 100; round++) {
		run_quanta(&p, 6, counts);
		/* After every 6 quanta the shares are exactly 3:2:1. */
		CU_ASSERT_EQUAL(counts[0], 3u * round);
		CU_ASSERT_EQUAL(counts[1], 2u * round);
		CU_ASSERT_EQUAL(counts[2], 1u * round);
	}
}

/* Clients that use uneven parts of their quanta still get time in the
 * ratio of their tickets, to within one quantum each. */
static void stride_uneven_use_keeps_time_shares(void)
{
	struct nest_policy p;
	uint64_t used[3] = { 0 }, total = 0;

	add_three(&p, &nest_stride, 3, 2, 1);
	for (unsigned i = 0; i < 30000; i++) {
		int c = nest_policy_pick(&p);
		uint64_t ns = QUANTUM / (1 + (i * 7919u) % 13);

		used[c] += ns;
		total += ns;
		nest_policy_charge(&p, (unsigned)c, ns);
	}
	for (int c = 0; c < 3; c++) {
		double want = (double)total * (3 - c) / 6;

		CU_ASSERT(fabs((double)used[c] - want) <= QUANTUM);
	}
}

/* A client away for a while comes back at the others' pass: no burst. */
static void stride_sleeper_gets_no_credit(void)
{
	struct nest_policy p;
	unsigned counts[3] = { 0 };

	add_three(&p, &nest_stride, 1, 1, 1);
	nest_policy_block(&p, 2);
	run_quanta(&p, 300, counts);
	CU_ASSERT_EQUAL(counts[2], 0);
	nest_policy_unblock(&p, 2);
	counts[0] = counts[1] = counts[2] = 0;
	run_quanta(&p, 30, counts);
	CU_ASSERT(counts[2] >= 9 && counts[2] <= 11);
}

static void lottery_within_binomial_bound(void)
{
	const unsigned n = 60000;
	const double share[3] = { 3.0 / 6, 2.0 / 6, 1.0 / 6 };

	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct nest_policy p;
		unsigned counts[3] = { 0 };

		add_three(&p, &nest_lottery, 3, 2, 1);
		p.cursor = seed;
		run_quanta(&p, n, counts);
		/* Wins are Binomial(n, f): within 4 standard deviations
		 * (a fair generator strays further once in ~16,000). */
		for (int c = 0; c < 3; c++) {
			double mean = n * share[c];
			double sd = sqrt(n * share[c] * (1 - share[c]));

			CU_ASSERT(fabs(counts[c] - mean) <= 4 * sd);
		}
	}
}

static void lottery_repeats_with_its_seed(void)
{
	struct nest_policy a, b;

	add_three(&a, &nest_lottery, 5, 1, 1);
	add_three(&b, &nest_lottery, 5, 1, 1);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(nest_policy_pick(&a), nest_policy_pick(&b));
}

/* Equal tickets: a CPU-bound client uses each quantum it wins, an
 * I/O-bound one a quarter of it (then blocks). Compensation makes the
 * I/O-bound one win about 4 times as often, so both get half the time;
 * without it (each charged as a full quantum would be) the wins, and so
 * the time, would be even and the I/O-bound one would get a fifth. */
static void lottery_compensates_io_bound(void)
{
	struct nest_policy p;
	uint64_t used[2] = { 0 };
	unsigned wins[2] = { 0 };

	nest_policy_init(&p, &nest_lottery, 7);
	CU_ASSERT_EQUAL(nest_policy_add(&p, 100), 0);
	CU_ASSERT_EQUAL(nest_policy_add(&p, 100), 1);
	for (unsigned i = 0; i < 50000; i++) {
		int c = nest_policy_pick(&p);
		uint64_t ns = c == 0 ? QUANTUM : QUANTUM / 4;

		CU_ASSERT_FATAL(c >= 0);
		wins[c]++;
		used[c] += ns;
		nest_policy_charge(&p, (unsigned)c, ns);
	}
	CU_ASSERT(fabs((double)used[1] / (used[0] + used[1]) - 0.5) < 0.02);
	CU_ASSERT(fabs((double)wins[1] / wins[0] - 4.0) < 0.2);
	/* A client that blocked at once is inflated at most 1024 times. */
	nest_policy_charge(&p, 1, 0);
	CU_ASSERT_EQUAL(p.key[1], 100 * 1024);
	nest_policy_charge(&p, 1, QUANTUM);
	CU_ASSERT_EQUAL(p.key[1], 100);
}

static void fixed_priority_is_strict(void)
{
	struct nest_policy p;
	unsigned counts[3] = { 0 };

	add_three(&p, &nest_fixed_priority, 1, 5, 3);
	run_quanta(&p, 100, counts);
	CU_ASSERT_EQUAL(counts[1], 100);
	nest_policy_block(&p, 1);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 2);
	nest_policy_block(&p, 2);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 0);
	nest_policy_unblock(&p, 1);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 1);
	nest_policy_block(&p, 0);
	nest_policy_block(&p, 1);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), -1);
}

static void round_robin_takes_turns(void)
{
	struct nest_policy p;
	unsigned counts[4] = { 0 };
	int last = -1;

	nest_policy_init(&p, &nest_round_robin, 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(nest_policy_add(&p, 0), i);
	for (int i = 0; i < 400; i++) {
		int c = nest_policy_pick(&p);

		CU_ASSERT_NOT_EQUAL(c, last);
		CU_ASSERT(last < 0 || c == (last + 1) % 4);
		counts[c]++;
		last = c;
	}
	for (int c = 0; c < 4; c++)
		CU_ASSERT_EQUAL(counts[c], 100);
	nest_policy_block(&p, 2);
	for (int i = 0; i < 30; i++)
		CU_ASSERT_NOT_EQUAL(nest_policy_pick(&p), 2);
}

/* Periods 30, 10, 20: the shortest period runs first, each job blocking
 * when done, and a release of the shortest preempts the others. */
static void rate_monotonic_order(void)
{
	struct nest_policy p;

	add_three(&p, &nest_rate_monotonic, 30, 10, 20);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 1);
	nest_policy_block(&p, 1);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 2);
	nest_policy_unblock(&p, 1);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 1);
	nest_policy_block(&p, 1);
	nest_policy_block(&p, 2);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 0);
	CU_ASSERT_EQUAL(nest_policy_add(&p, 0), -1); /* a period of 0 */
}

/* Simulates clients with periods period[] and jobs of work[] ns under
 * rate monotonic for `span` ns: each decision is made at a release or
 * when a job ends, a loan lasts at most a quantum, and a client gives
 * its loan back when its job is done. */
static void rm_simulate(struct nest_policy *p, unsigned n,
			const uint64_t *period, const uint64_t *work,
			uint64_t span)
{
	uint64_t t = 0, left[NEST_MAXCLIENTS] = { 0 };

	nest_policy_init(p, &nest_rate_monotonic, 0);
	for (unsigned c = 0; c < n; c++)
		CU_ASSERT_EQUAL(nest_policy_add(p, period[c]), (int)c);
	while (t < span) {
		uint64_t next = nest_policy_advance(p, t), run;
		int c = nest_policy_pick(p);

		CU_ASSERT_FATAL(next > t && next != UINT64_MAX);
		if (c < 0) {
			t = next; /* every job is done: idle to a release */
			continue;
		}
		if (!left[c])
			left[c] = work[c]; /* a new job */
		run = left[c] < QUANTUM ? left[c] : QUANTUM;
		run = run < next - t ? run : next - t;
		t += run;
		left[c] -= run;
		nest_policy_charge(p, (unsigned)c, run);
		if (!left[c])
			nest_policy_done(p, (unsigned)c, t);
	}
}

#define MS 1000000ull

/* Utilization 2/3, under the Liu-Layland bound for three (0.78): every
 * deadline is met, and the shortest period's client was never late. */
static void rate_monotonic_releases_meet_deadlines(void)
{
	static const uint64_t period[3] = { 40 * MS, 60 * MS, 120 * MS };
	static const uint64_t work[3] = { 10 * MS, 15 * MS, 20 * MS };
	struct nest_policy p;

	rm_simulate(&p, 3, period, work, 1200 * MS);
	for (int c = 0; c < 3; c++) {
		CU_ASSERT_EQUAL(p.missed[c], 0);
		/* All jobs but the one under way when the run stopped. */
		CU_ASSERT(p.met[c] + 1 >= 1200 * MS / period[c]);
	}
}

/* Utilization 9/8: the client with the shorter period still meets every
 * deadline, the other misses and each miss is counted; a parked client
 * is not made runnable by the scheduler's refresh before its release. */
static void rate_monotonic_overload_misses(void)
{
	static const uint64_t period[2] = { 40 * MS, 60 * MS };
	static const uint64_t work[2] = { 25 * MS, 30 * MS };
	struct nest_policy p;

	rm_simulate(&p, 2, period, work, 1200 * MS);
	CU_ASSERT_EQUAL(p.missed[0], 0);
	CU_ASSERT(p.met[0] + 1 >= 30);
	CU_ASSERT(p.missed[1] >= 5);
	nest_policy_init(&p, &nest_rate_monotonic, 0);
	CU_ASSERT_EQUAL(nest_policy_add(&p, 10 * MS), 0);
	CU_ASSERT_EQUAL(nest_policy_advance(&p, 5 * MS), 15 * MS);
	nest_policy_done(&p, 0, 6 * MS);
	CU_ASSERT_EQUAL(p.met[0], 1);
	nest_policy_unblock(&p, 0);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), -1); /* parked */
	CU_ASSERT_EQUAL(nest_policy_advance(&p, 15 * MS), 25 * MS);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 0);
	CU_ASSERT_EQUAL(nest_policy_advance(&p, 47 * MS), 55 * MS);
	CU_ASSERT_EQUAL(p.missed[0], 3); /* deadlines 25, 35 and 45 */
	nest_policy_done(&p, 0, 48 * MS);
	CU_ASSERT_EQUAL(p.met[0], 1);
	/* Other policies have no periods. */
	nest_policy_init(&p, &nest_stride, 0);
	CU_ASSERT_EQUAL(nest_policy_advance(&p, 1), UINT64_MAX);
}

static void add_refuses_and_remove_frees(void)
{
	struct nest_policy p;

	nest_policy_init(&p, &nest_stride, 0);
	CU_ASSERT_EQUAL(nest_policy_add(&p, 0), -1);
	CU_ASSERT_EQUAL(nest_policy_add(&p, NEST_MAXTICKETS + 1), -1);
	for (int i = 0; i < NEST_MAXCLIENTS; i++)
		CU_ASSERT_EQUAL(nest_policy_add(&p, NEST_MAXTICKETS), i);
	CU_ASSERT_EQUAL(nest_policy_add(&p, 1), -1); /* full */
	nest_policy_remove(&p, 4);
	CU_ASSERT_FALSE(nest_policy_has(&p, 4));
	for (int i = 0; i < 100; i++) {
		int c = nest_policy_pick(&p);

		CU_ASSERT_NOT_EQUAL(c, 4);
		nest_policy_charge(&p, (unsigned)c, QUANTUM);
	}
	CU_ASSERT_EQUAL(nest_policy_add(&p, 1), 4);
}

/*
 * Stacking: a root policy whose clients are schedulers. Each quantum the
 * root picks a child scheduler, which picks a leaf; both charge it, as
 * the donation chain does on Xok. Leaves get the product of the shares.
 */
struct two_level {
	struct nest_policy root, child[2];
	unsigned leaf[2][2]; /* quanta each leaf ran */
};

static void run_two_level(struct two_level *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int s = nest_policy_pick(&t->root), l;

		CU_ASSERT_FATAL(s >= 0);
		l = nest_policy_pick(&t->child[s]);
		CU_ASSERT_FATAL(l >= 0);
		t->leaf[s][l]++;
		nest_policy_charge(&t->child[s], (unsigned)l, QUANTUM);
		nest_policy_charge(&t->root, (unsigned)s, QUANTUM);
	}
}

static void two_level(struct two_level *t, const struct nest_policy_ops *a,
		      const struct nest_policy_ops *b, uint64_t a0, uint64_t a1,
		      uint64_t b0, uint64_t b1)
{
	*t = (struct two_level){ 0 };
	nest_policy_init(&t->root, &nest_stride, 0);
	CU_ASSERT_EQUAL(nest_policy_add(&t->root, 3), 0);
	CU_ASSERT_EQUAL(nest_policy_add(&t->root, 1), 1);
	nest_policy_init(&t->child[0], a, 0);
	nest_policy_add(&t->child[0], a0);
	nest_policy_add(&t->child[0], a1);
	nest_policy_init(&t->child[1], b, 0);
	nest_policy_add(&t->child[1], b0);
	nest_policy_add(&t->child[1], b1);
}

static void stacked_stride_over_priority_and_round_robin(void)
{
	struct two_level t;

	two_level(&t, &nest_fixed_priority, &nest_round_robin, 2, 1, 0, 0);
	run_two_level(&t, 8000);
	/* 3/4 x 1, 3/4 x 0, 1/4 x 1/2, 1/4 x 1/2. */
	CU_ASSERT_EQUAL(t.leaf[0][0], 6000);
	CU_ASSERT_EQUAL(t.leaf[0][1], 0);
	CU_ASSERT_EQUAL(t.leaf[1][0], 1000);
	CU_ASSERT_EQUAL(t.leaf[1][1], 1000);
	/* The urgent leaf blocks: the other inherits its parent's share. */
	nest_policy_block(&t.child[0], 0);
	t.leaf[0][1] = 0;
	run_two_level(&t, 8000);
	CU_ASSERT_EQUAL(t.leaf[0][1], 6000);
}

static void stacked_stride_over_stride(void)
{
	struct two_level t;

	two_level(&t, &nest_stride, &nest_stride, 2, 1, 1, 1);
	run_two_level(&t, 8000);
	/* 3/4 x 2/3, 3/4 x 1/3, 1/4 x 1/2, 1/4 x 1/2. */
	CU_ASSERT_EQUAL(t.leaf[0][0], 4000);
	CU_ASSERT_EQUAL(t.leaf[0][1], 2000);
	CU_ASSERT_EQUAL(t.leaf[1][0], 1000);
	CU_ASSERT_EQUAL(t.leaf[1][1], 1000);
}

/* A lone runnable client is picked without the policy's call, and round
 * robin's turns go on from it when the others wake. */
static void lone_runnable_keeps_turns(void)
{
	struct nest_policy p;

	add_three(&p, &nest_round_robin, 0, 0, 0);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 0);
	nest_policy_block(&p, 0);
	nest_policy_block(&p, 2);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 1);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 1);
	nest_policy_unblock(&p, 0);
	nest_policy_unblock(&p, 2);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 2);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 0);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), 1);
	nest_policy_block(&p, 0);
	nest_policy_block(&p, 1);
	nest_policy_block(&p, 2);
	CU_ASSERT_EQUAL(nest_policy_pick(&p), -1);
}

/* A wakeup port keeps its first NEST_PORT_SIZE notifications in order
 * and counts the rest as lost; every one is counted by kind. */
static void port_keeps_order_counts_lost(void)
{
	struct nest_port port = { 0 };
	struct nest_event ev;

	for (uint32_t i = 0; i < NEST_PORT_SIZE + 8; i++)
		nest_port_post(&port, NEST_EV_BLOCKED + i % 2, i, 100 + i);
	CU_ASSERT_EQUAL(port.lost, 8);
	CU_ASSERT_EQUAL(port.count[NEST_EV_BLOCKED], (NEST_PORT_SIZE + 8) / 2);
	CU_ASSERT_EQUAL(port.count[NEST_EV_UNBLOCKED], (NEST_PORT_SIZE + 8) / 2);
	for (uint32_t i = 0; i < NEST_PORT_SIZE; i++) {
		CU_ASSERT_FATAL(nest_port_take(&port, &ev));
		CU_ASSERT_EQUAL(ev.client, i);
		CU_ASSERT_EQUAL(ev.env, 100 + i);
		CU_ASSERT_EQUAL(ev.kind, NEST_EV_BLOCKED + i % 2);
	}
	CU_ASSERT_FALSE(nest_port_take(&port, &ev));
	nest_port_post(&port, NEST_EV_SWITCHED, 3, 7);
	CU_ASSERT_TRUE(nest_port_take(&port, &ev));
	CU_ASSERT_EQUAL(ev.kind, NEST_EV_SWITCHED);
	CU_ASSERT_STRING_EQUAL(nest_event_name(NEST_EV_CONFLICT), "conflict");
	CU_ASSERT_STRING_EQUAL(nest_event_name(NEST_EV_KINDS), "?");
}

/* Two views of a scheduler's clients: who exited, blocked and woke, in
 * slot order; a client present in one view only as it came is not
 * reported (its creation is posted where it is added). */
static void port_posts_changes(void)
{
	static const uint64_t env[4] = { 10, 11, 12, 13 };
	static const uint32_t want_kind[3] = {
		NEST_EV_BLOCKED, NEST_EV_EXITED, NEST_EV_UNBLOCKED,
	};
	struct nest_port port = { 0 };
	struct nest_event ev;

	nest_port_post_changes(&port, 0x7, 0x3, 0xd, 0xc, env);
	for (uint32_t i = 0; i < 3; i++) {
		CU_ASSERT_FATAL(nest_port_take(&port, &ev));
		CU_ASSERT_EQUAL(ev.kind, want_kind[i]);
		CU_ASSERT_EQUAL(ev.client, i);
		CU_ASSERT_EQUAL(ev.env, env[i]);
	}
	CU_ASSERT_FALSE(nest_port_take(&port, &ev)); /* slot 3: new */
	nest_port_post_changes(&port, 0x5, 0x4, 0x5, 0x4, env);
	CU_ASSERT_FALSE(nest_port_take(&port, &ev)); /* nothing changed */
}

void add_nest_sched_tests(void)
{
	static const struct unit_test tests[] = {
		{ "stride_321_is_exact", stride_321_is_exact },
		{ "stride_uneven_use_keeps_time_shares",
		  stride_uneven_use_keeps_time_shares },
		{ "stride_sleeper_gets_no_credit", stride_sleeper_gets_no_credit },
		{ "lottery_within_binomial_bound", lottery_within_binomial_bound },
		{ "lottery_repeats_with_its_seed", lottery_repeats_with_its_seed },
		{ "lottery_compensates_io_bound", lottery_compensates_io_bound },
		{ "fixed_priority_is_strict", fixed_priority_is_strict },
		{ "round_robin_takes_turns", round_robin_takes_turns },
		{ "rate_monotonic_order", rate_monotonic_order },
		{ "rate_monotonic_releases_meet_deadlines",
		  rate_monotonic_releases_meet_deadlines },
		{ "rate_monotonic_overload_misses", rate_monotonic_overload_misses },
		{ "add_refuses_and_remove_frees", add_refuses_and_remove_frees },
		{ "stacked_stride_over_priority_and_round_robin",
		  stacked_stride_over_priority_and_round_robin },
		{ "stacked_stride_over_stride", stacked_stride_over_stride },
		{ "lone_runnable_keeps_turns", lone_runnable_keeps_turns },
		{ "port_keeps_order_counts_lost", port_keeps_order_counts_lost },
		{ "port_posts_changes", port_posts_changes },
		{ 0, 0 },
	};
	add_suite("nest_sched", tests);
}
