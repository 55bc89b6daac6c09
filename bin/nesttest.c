/*
 * nesttest: CPU-inheritance scheduling (libos-nest/sched.c) on Xok. This
 * program's environment is the root scheduler: it owns every slice and
 * lends them to its clients (spawned environments with no slices of their
 * own) by directed yield. Runs are counted in scheduling decisions and
 * work units, never in seconds.
 *   stride_shares     stride 3:2:1 gives 50/33/17% of the CPU
 *   stacked_shares    stride 3:1 over a stride 2:1 and a round-robin
 *                     scheduler: leaves get 50/25/12.5/12.5%
 *   priority_inversion
 *                     high blocks on a mutex low holds while medium
 *                     spins: with donation high finishes before medium
 *                     starts, charged the time the holder ran on its
 *                     loans (with loans sensitive to switches too: the
 *                     scheduler lends to the holder high waits for);
 *                     without, only after medium is done
 *   pct_server        a server with no slices runs only on its two
 *                     clients' loans, charged to them, 2:1
 *   sensitivity_on_switch
 *                     a client calling a server: its loans end at each
 *                     call only if it is sensitive to switches
 *   sensitivity_on_conflict
 *                     a client calling a server busy with another's
 *                     call: its loan ends there only if it is
 *                     sensitive to conflicts
 *   adopts_children   a scheduler adopts what its client creates; its
 *                     port hears each creation and exit
 *   rate_monotonic_releases
 *                     the scheduler releases periodic clients each
 *                     period: a schedulable pair meets every deadline,
 *                     an overloaded one misses and is counted
 * "sensitivities" runs the last three. With the argument "demo", a
 * hierarchy prints its live shares instead.
 */
#include <xok/memlayout.h>
#include <xok/sched.h>

#include "../lib/selftest.h"
#include "../libos-nest/call.h"
#include "../libos-nest/mutex.h"
#include "../libos-nest/port.h"
#include "../libos-nest/sched.h"
#include "rt/rt.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
#define SLICES ((const volatile struct xok_cpu_slices *)XOK_USLICES)

#define MAXLEAVES 4

/* Work each leaf did: shared memory (rt_spawn shares globals). */
static volatile uint64_t work[MAXLEAVES];

static void spin_counting(uint64_t leaf)
{
	for (;;)
		work[leaf]++;
}

/* Percent of `part` in `whole`, to 0.01. */
static uint64_t hundredths(uint64_t part, uint64_t whole)
{
	return whole ? part * 10000 / whole : 0;
}

/* |got - want| in hundredths of a percent. */
static uint64_t off_by(uint64_t got, uint64_t want)
{
	return got > want ? got - want : want - got;
}

static void print_share(const char *who, uint64_t ticks, uint64_t total_ticks,
			uint64_t units, uint64_t total_units, uint64_t want)
{
	uint64_t t = hundredths(ticks, total_ticks),
		 u = hundredths(units, total_units);

	printf("  %s: time %lu.%02lu%%, work %lu.%02lu%% (want %lu.%02lu%%)\n",
	       who, t / 100, t % 100, u / 100, u % 100, want / 100, want % 100);
}

static uint64_t sum(const volatile uint64_t *v, int n)
{
	uint64_t t = 0;

	for (int i = 0; i < n; i++)
		t += v[i];
	return t;
}

static struct nest_sched root;

/* Spawns `n` counting leaves as clients of `s` with params[]. */
static int add_leaves(struct nest_sched *s, int first, int n,
		      const uint64_t *params, int64_t *ids)
{
	for (int i = 0; i < n; i++) {
		work[first + i] = 0;
		ids[i] = rt_spawn(spin_counting, (uint64_t)(first + i));
		if (ids[i] < 0 || nest_sched_add(s, (uint64_t)ids[i], params[i]) < 0)
			return -1;
	}
	return 0;
}

static void destroy_all(const int64_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ids[i] > 0)
			xok_env_destroy(0, (uint64_t)ids[i]);
}

/* Shares within 2 percentage points (200 hundredths). */
#define SHARE_SLACK 200

SELFTEST(stride_shares)
{
	static const uint64_t tickets[3] = { 3, 2, 1 };
	static const uint64_t want[3] = { 5000, 3333, 1667 };
	uint64_t total_units;
	int64_t ids[3];

	nest_sched_init(&root, &nest_stride, 0);
	CHECK_EQ(add_leaves(&root, 0, 3, tickets, ids), 0);
	root.until = 600;
	nest_sched_run(&root, 0, 0);
	destroy_all(ids, 3);
	total_units = sum(work, 3);
	printf("stride 3:2:1 over %lu decisions:\n", root.decisions);
	for (int i = 0; i < 3; i++)
		print_share(i == 0 ? "3 tickets" : i == 1 ? "2 tickets" :
			    "1 ticket", root.charged_ticks[i], root.total_ticks,
			    work[i], total_units, want[i]);
	/* The shares of time lent within 2 points (the figure);
	 * the work done, a check of what the clients really got, within 6:
	 * without -icount, a host that stalls QEMU in one client's loan
	 * charges it time it could not compute in (4 points seen once). */
	for (int i = 0; i < 3; i++) {
		CHECK(off_by(hundredths(root.charged_ticks[i], root.total_ticks),
			     want[i]) <= SHARE_SLACK);
		CHECK(off_by(hundredths(work[i], total_units), want[i]) <=
		      3 * SHARE_SLACK);
	}
	return 0;
}

static struct nest_sched sub[2];

static void run_sub_scheduler(uint64_t which)
{
	nest_sched_run(&sub[which], 0, 0);
}

/* Root stride 3:1 over sub[0] (stride 2:1) and sub[1] (round robin). */
static int build_hierarchy(int64_t *ids)
{
	static const uint64_t two_one[2] = { 2, 1 }, equal[2] = { 0, 0 };

	nest_sched_init(&root, &nest_stride, 0);
	nest_sched_init(&sub[0], &nest_stride, 0);
	nest_sched_init(&sub[1], &nest_round_robin, 0);
	if (add_leaves(&sub[0], 0, 2, two_one, ids) ||
	    add_leaves(&sub[1], 2, 2, equal, ids + 2))
		return -1;
	ids[4] = rt_spawn(run_sub_scheduler, 0);
	ids[5] = rt_spawn(run_sub_scheduler, 1);
	if (ids[4] < 0 || ids[5] < 0 ||
	    nest_sched_add(&root, (uint64_t)ids[4], 3) < 0 ||
	    nest_sched_add(&root, (uint64_t)ids[5], 1) < 0)
		return -1;
	return 0;
}

static uint64_t leaf_ticks(int leaf)
{
	return sub[leaf / 2].charged_ticks[leaf % 2];
}

/* Prints each leaf's share of the time and work so far. */
static void print_leaves(const uint64_t *want)
{
	static const char *const names[MAXLEAVES] = {
		"stride 2/3 of 3/4", "stride 1/3 of 3/4", "rr 1/2 of 1/4",
		"rr 1/2 of 1/4",
	};
	uint64_t total = sub[0].total_ticks + sub[1].total_ticks;
	uint64_t total_units = sum(work, MAXLEAVES);

	for (int i = 0; i < MAXLEAVES; i++)
		print_share(names[i], leaf_ticks(i), total, work[i],
			    total_units, want[i]);
}

static const uint64_t leaf_want[MAXLEAVES] = { 5000, 2500, 1250, 1250 };

SELFTEST(stacked_shares)
{
	uint64_t total;
	int64_t ids[6] = { 0 };

	CHECK_EQ(build_hierarchy(ids), 0);
	root.until = 800;
	nest_sched_run(&root, 0, 0);
	destroy_all(ids, 6);
	total = sub[0].total_ticks + sub[1].total_ticks;
	printf("stacked over %lu root decisions:\n", root.decisions);
	print_leaves(leaf_want);
	for (int i = 0; i < MAXLEAVES; i++)
		CHECK(off_by(hundredths(leaf_ticks(i), total), leaf_want[i]) <=
		      SHARE_SLACK);
	/* Each level charged its client the time lent through it. */
	CHECK(sub[0].total_ticks <= root.charged_ticks[0]);
	CHECK(sub[1].total_ticks <= root.charged_ticks[1]);
	return 0;
}

/* Priority inversion: low takes the lock, then high and medium wake. */
#define CRITICAL_UNITS 3000000ull
#define MEDIUM_UNITS 3000000ull

static struct nest_mutex lock;
static volatile uint64_t low_holds, medium_units, medium_units_seen_by_high;
static uint64_t high_charged_ns; /* of the last run */

/* The critical section lasts its units and at least three slices, so
 * however fast the host runs QEMU, the scheduler decides while the lock
 * is held (and, without donation, the medium gets to run). */
static void low(uint64_t unused)
{
	const volatile struct xok_clock *clock = (const void *)XOK_UCLOCK;
	uint64_t until;

	(void)unused;
	nest_mutex_lock(&lock);
	low_holds = 1;
	until = xok_clock_ns() + 3 * clock->slice_ns;
	for (volatile uint64_t i = 0; i < CRITICAL_UNITS; i++)
		;
	while (xok_clock_ns() < until)
		;
	nest_mutex_unlock(&lock);
}

static void medium(uint64_t unused)
{
	(void)unused;
	nest_sleep_while(&low_holds, 0);
	while (medium_units < MEDIUM_UNITS)
		medium_units++;
}

static void high(uint64_t unused)
{
	(void)unused;
	nest_sleep_while(&low_holds, 0);
	nest_mutex_lock(&lock);
	medium_units_seen_by_high = medium_units;
	nest_mutex_unlock(&lock);
}

/* Runs the three under fixed priority until all have exited; returns the
 * medium's progress when the high got the lock. */
static uint64_t inversion(int donate, unsigned sensitivity)
{
	void (*const fn[3])(uint64_t) = { low, medium, high };
	int c;

	nest_mutex_init(&lock, donate);
	low_holds = medium_units = 0;
	medium_units_seen_by_high = ~0ull;
	nest_sched_init(&root, &nest_fixed_priority, 0);
	for (int prio = 0; prio < 3; prio++) {
		int64_t id = rt_spawn(fn[prio], 0);

		if (id < 0 ||
		    (c = nest_sched_add(&root, (uint64_t)id, prio)) < 0 ||
		    nest_sched_sensitivity(&root, (unsigned)c, sensitivity) < 0)
			return ~0ull;
	}
	nest_sched_run(&root, 0, 0);
	high_charged_ns = xok_ticks_ns(root.charged_ticks[c]);
	printf("inversion, donation %s%s: medium had done %lu of %llu units "
	       "when high got the lock (%lu decisions, high charged %lu ms)\n",
	       donate ? "on" : "off",
	       sensitivity == NEST_ON_SWITCH ? ", loans on-switch" : "",
	       medium_units_seen_by_high, MEDIUM_UNITS, root.decisions,
	       high_charged_ns / 1000000);
	return medium_units_seen_by_high;
}

SELFTEST(priority_inversion)
{
	const volatile struct xok_clock *clock = (const void *)XOK_UCLOCK;

	CHECK_EQ(inversion(1, NEST_ON_BLOCK), 0);
	CHECK(high_charged_ns >= clock->slice_ns); /* low ran on its loans */
	CHECK_EQ(inversion(0, NEST_ON_BLOCK), MEDIUM_UNITS); /* the control */
	CHECK(high_charged_ns < clock->slice_ns);
	/* A loan sensitive to switches cannot be lent on: the waiter
	 * blocks, and the scheduler lends to the holder it publishes. */
	CHECK_EQ(inversion(1, NEST_ON_SWITCH), 0);
	CHECK(high_charged_ns >= clock->slice_ns);
	CHECK_EQ(inversion(0, NEST_ON_SWITCH), MEDIUM_UNITS);
	return 0;
}

/* A server with no slices; each call is `a0` units of work. */
#define CALL_UNITS 200000ull

static volatile uint64_t server_id, served_units, calls[2];

static void serve_work(struct xok_upcall_frame *f, uint64_t caller,
		       uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)caller, (void)a1, (void)a2, (void)a3;
	for (uint64_t i = 0; i < a0; i++)
		served_units++;
	xok_ipc_return(a0, 0, 0, 0, f);
}

static void server(uint64_t unused)
{
	struct xok_env_state st = { .ipc_accept = XOK_IPC_ANY };

	(void)unused;
	xok_env_set(0, 0, &st, XOK_SET_IPC);
	rt_sleep_forever();
}

static void client(uint64_t which)
{
	for (;;)
		if (nest_call(server_id, CALL_UNITS, 0, 0, 0) ==
		    (int64_t)CALL_UNITS)
			calls[which]++;
}

/* Starts a slice-less server running `handler`, run into its wait; its
 * id, or -1. */
static int64_t start_server(rt_upcall_fn handler)
{
	int64_t id;

	rt_upcall_handlers[XOK_UPCALL_IPC] = handler;
	id = rt_spawn(server, 0);
	if (id < 0)
		return -1;
	server_id = (uint64_t)id;
	if (rt_donate(server_id) != XOK_YIELD_BLOCKED) {
		xok_env_destroy(0, (uint64_t)id);
		return -1;
	}
	return id;
}

static void stop_server(int64_t id)
{
	xok_env_destroy(0, (uint64_t)id);
	rt_upcall_handlers[XOK_UPCALL_IPC] = 0;
}

static int owns_a_slice(uint64_t id)
{
	for (int i = 0; i < XOK_NSLICES; i++)
		if (SLICES[0].slice[i].owner == id)
			return 1;
	return 0;
}

SELFTEST(pct_server)
{
	uint64_t total;
	int64_t ids[3];

	ids[0] = start_server(serve_work);
	CHECK(ids[0] > 0);
	calls[0] = calls[1] = served_units = 0;
	nest_sched_init(&root, &nest_stride, 0);
	for (int i = 0; i < 2; i++) {
		ids[1 + i] = rt_spawn(client, (uint64_t)i);
		CHECK(ids[1 + i] > 0);
		CHECK_EQ(nest_sched_add(&root, (uint64_t)ids[1 + i], 2 - i), i);
	}
	root.until = 300;
	nest_sched_run(&root, 0, 0);
	CHECK(!owns_a_slice(server_id));
	CHECK(ENVS[xok_env_slot(server_id)].ticks > 0); /* it ran */
	destroy_all(ids + 1, 2);
	stop_server(ids[0]);
	total = calls[0] + calls[1];
	printf("server on loans: %lu calls (%lu units served); client 2 "
	       "tickets:\n", total, served_units);
	print_share("client 2 tickets", root.charged_ticks[0], root.total_ticks,
		    calls[0], total, 6667);
	print_share("client 1 ticket", root.charged_ticks[1], root.total_ticks,
		    calls[1], total, 3333);
	CHECK(total > 10);
	/* The clients did nothing but call: the time charged to them is
	 * the server's work, and it went 2:1 as their tickets. */
	CHECK(off_by(hundredths(root.charged_ticks[0], root.total_ticks), 6667) <=
	      SHARE_SLACK);
	CHECK(off_by(hundredths(calls[0], total), 6667) <= 3 * SHARE_SLACK);
	return 0;
}

static struct nest_port port;

/* Runs `n` clients fn[i](i) under round robin, each with `sensitivity`,
 * the port listening, until all have exited. */
static int run_sensitive(void (*const *fn)(uint64_t), int n,
			 unsigned sensitivity,
			 int (*stop)(const struct nest_sched *s, void *arg))
{
	port = (struct nest_port){ 0 };
	nest_sched_init(&root, &nest_round_robin, 0);
	root.port = &port;
	for (int i = 0; i < n; i++) {
		int64_t id = rt_spawn(fn[i], (uint64_t)i);
		int c;

		if (id < 0 || (c = nest_sched_add(&root, (uint64_t)id, 0)) < 0 ||
		    nest_sched_sensitivity(&root, (unsigned)c, sensitivity) < 0)
			return -1;
	}
	nest_sched_run(&root, stop, 0);
	return 0;
}

static void print_port(const char *run)
{
	printf("%s: %lu decisions; heard", run, root.decisions);
	for (uint32_t k = 1; k < NEST_EV_KINDS; k++)
		printf(" %s %lu", nest_event_name(k), port.count[k]);
	printf("\n");
}

#define SWITCH_CALLS 20

static volatile uint64_t calls_done;

static void calls_server(uint64_t unused)
{
	(void)unused;
	for (int i = 0; i < SWITCH_CALLS; i++)
		if (nest_call(server_id, 1000, 0, 0, 0) == 1000)
			calls_done++;
}

SELFTEST(sensitivity_on_switch)
{
	static void (*const one[1])(uint64_t) = { calls_server };
	int64_t s = start_server(serve_work), c, why;

	CHECK(s > 0);
	calls_done = 0;
	CHECK_EQ(run_sensitive(one, 1, NEST_ON_BLOCK, 0), 0);
	print_port("on-block");
	CHECK_EQ(calls_done, SWITCH_CALLS);
	CHECK_EQ(port.count[NEST_EV_SWITCHED], 0); /* loans follow calls */
	CHECK_EQ(port.count[NEST_EV_CREATED], 1);
	CHECK_EQ(port.count[NEST_EV_EXITED], 1);
	calls_done = 0;
	CHECK_EQ(run_sensitive(one, 1, NEST_ON_SWITCH, 0), 0);
	print_port("on-switch");
	CHECK_EQ(calls_done, SWITCH_CALLS);
	CHECK_EQ(port.count[NEST_EV_SWITCHED], SWITCH_CALLS);
	/* Each call: a loan to the client, another to the server. */
	CHECK(root.decisions >= 2 * SWITCH_CALLS);
	CHECK_EQ(port.count[NEST_EV_EXITED], 1);
	/* The primitive alone: schedule() until the client is gone. */
	calls_done = 0;
	port = (struct nest_port){ 0 };
	c = rt_spawn(calls_server, 0);
	CHECK(c > 0);
	while ((why = nest_schedule((uint64_t)c, &port, NEST_ON_SWITCH, 0)) !=
	       XOK_YIELD_GONE)
		CHECK(why > 0);
	CHECK_EQ(calls_done, SWITCH_CALLS);
	CHECK_EQ(port.count[NEST_EV_SWITCHED], SWITCH_CALLS);
	stop_server(s);
	return 0;
}

static volatile uint64_t release, replies[2];

/* Sleeps mid-call until `release`, then replies 7. */
static void serve_when_released(struct xok_upcall_frame *f, uint64_t caller,
				uint64_t a0, uint64_t a1, uint64_t a2,
				uint64_t a3)
{
	(void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
	nest_sleep_while(&release, 0);
	xok_ipc_return(7, 0, 0, 0, f);
}

static void calls_once(uint64_t which)
{
	replies[which] = (uint64_t)nest_call(server_id, 0, 0, 0, 0);
}

/* Lets the server reply once the second client met it busy: as a
 * conflict, or by blocking (both clients blocked). */
static int release_on_contention(const struct nest_sched *s, void *unused)
{
	(void)s, (void)unused;
	if (port.count[NEST_EV_CONFLICT] || port.count[NEST_EV_BLOCKED] >= 2)
		release = 1;
	return 0;
}

SELFTEST(sensitivity_on_conflict)
{
	static void (*const two[2])(uint64_t) = { calls_once, calls_once };
	static const unsigned sens[2] = { NEST_ON_BLOCK, NEST_ON_CONFLICT };
	int64_t s = start_server(serve_when_released);

	CHECK(s > 0);
	for (int i = 0; i < 2; i++) {
		release = replies[0] = replies[1] = 0;
		CHECK_EQ(run_sensitive(two, 2, sens[i], release_on_contention),
			 0);
		print_port(i ? "on-conflict" : "on-block");
		CHECK_EQ(replies[0], 7);
		CHECK_EQ(replies[1], 7);
		CHECK_EQ(port.count[NEST_EV_CONFLICT], (uint64_t)i);
		CHECK_EQ(port.count[NEST_EV_EXITED], 2);
	}
	stop_server(s);
	return 0;
}

static volatile uint64_t child_ran;

static void child(uint64_t unused)
{
	(void)unused;
	child_ran = 1;
}

/* Creates a child and waits for it: it runs only if adopted. */
static void creates_child(uint64_t unused)
{
	(void)unused;
	if (rt_spawn(child, 0) > 0)
		nest_sleep_while(&child_ran, 0);
}

SELFTEST(adopts_children)
{
	int64_t parent = rt_spawn(creates_child, 0);
	struct xok_cap root_cap;

	CHECK(parent > 0);
	/* It needs a capability to create an environment: this one's. */
	root_cap = *(const struct xok_cap *)&ENVS[xok_env_slot(
		(uint64_t)xok_getenvid())].caps[0];
	CHECK_EQ(xok_cap_grant(0, 0, (uint64_t)parent, 0, &root_cap), 0);
	child_ran = 0;
	nest_sched_init(&root, &nest_round_robin, 0);
	root.adopt = 1;
	port = (struct nest_port){ 0 };
	root.port = &port;
	CHECK(nest_sched_add(&root, (uint64_t)parent, 0) >= 0);
	nest_sched_run(&root, 0, 0);
	print_port("adopting");
	CHECK_EQ(child_ran, 1);
	CHECK_EQ(port.count[NEST_EV_CREATED], 2);
	CHECK_EQ(port.count[NEST_EV_EXITED], 2);
	return 0;
}

/* Periodic clients under rate monotonic, released by the scheduler: a
 * job spins for its length of clock time from when it starts, then gives
 * the loan back; the scheduler parks the client until its next period. */
#define MS 1000000ul
static uint64_t rm_work[2], rm_jobs[2];

static void periodic(uint64_t which)
{
	for (uint64_t j = 0; j < rm_jobs[which]; j++) {
		uint64_t end = xok_clock_ns() + rm_work[which];

		while (xok_clock_ns() < end)
			;
		xok_yield();
	}
}

/* Runs two periodic clients to their end: deadlines missed in all. */
static uint64_t rm_run(const uint64_t period[2], const uint64_t work[2],
		       const uint64_t jobs[2])
{
	uint64_t missed = 0;

	nest_sched_init(&root, &nest_rate_monotonic, 0);
	for (uint64_t i = 0; i < 2; i++) {
		int64_t id;

		rm_work[i] = work[i], rm_jobs[i] = jobs[i];
		if ((id = rt_spawn(periodic, i)) < 0 ||
		    nest_sched_add(&root, (uint64_t)id, period[i]) != (int)i)
			return ~0ull;
	}
	nest_sched_run(&root, 0, 0);
	for (int i = 0; i < 2; i++) {
		printf("rate monotonic: period %lu ms, job %lu ms: %lu jobs on "
		       "time, %lu deadlines missed\n", period[i] / MS,
		       work[i] / MS, root.policy.met[i], root.policy.missed[i]);
		missed += root.policy.missed[i];
	}
	return missed;
}

/* A schedulable pair (utilization 0.23; a release waits at most for the
 * slice under way, 10 ms) meets every deadline; an overloaded one
 * (utilization 1.42) misses, and the misses are counted. */
SELFTEST(rate_monotonic_releases)
{
	static const uint64_t period[2] = { 100 * MS, 150 * MS };
	static const uint64_t work[2] = { 10 * MS, 20 * MS };
	static const uint64_t jobs[2] = { 8, 5 };
	static const uint64_t busy_period[2] = { 40 * MS, 60 * MS };
	static const uint64_t busy_work[2] = { 30 * MS, 40 * MS };
	static const uint64_t busy_jobs[2] = { 6, 4 };

	CHECK_EQ(rm_run(period, work, jobs), 0);
	CHECK_EQ(root.policy.met[0], jobs[0]);
	CHECK_EQ(root.policy.met[1], jobs[1]);
	CHECK(rm_run(busy_period, busy_work, busy_jobs) > 0);
	return 0;
}

static int demo_report(const struct nest_sched *s, void *unused)
{
	(void)unused;
	if (s->decisions % 100 == 0 && s->decisions) {
		printf("after %lu decisions:\n", s->decisions);
		print_leaves(leaf_want);
	}
	return s->decisions >= 1000;
}

/* The live demo: the stacked hierarchy, shares printed as it runs. */
static int demo(void)
{
	int64_t ids[6] = { 0 };

	printf("nestdemo: root stride 3:1 over [stride 2:1] and [round "
	       "robin of 2]\n");
	if (build_hierarchy(ids) < 0)
		return 1;
	nest_sched_run(&root, demo_report, 0);
	destroy_all(ids, 6);
	return 0;
}

int main(const char *arg)
{
	if (!strcmp(arg, "demo"))
		return demo();
	if (!strcmp(arg, "sensitivities")) /* a boot's list has no commas */
		return rt_run_selftests("sensitivity_on_switch,"
					"sensitivity_on_conflict,"
					"adopts_children");
	return rt_run_selftests(arg);
}
