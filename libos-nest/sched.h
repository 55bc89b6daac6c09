/*
 * sched: CPU-inheritance scheduling on Xok (Ford and Susarla). A
 * scheduler is an ordinary environment running nest_sched_run: it holds
 * CPU time (slices it owns, or time its own scheduler donates to it) and
 * lends it to the client its policy picks, by directed yield. The kernel
 * tells it why each loan ended; it charges the client the time the loan
 * lasted. A client may itself be a scheduler: stacked, each level charges
 * its own client, so time is accounted all along the donation chain.
 *
 * A client waiting on a protected control transfer runs its server on the
 * loan (implicit donation through PCT: the scheduler lends to the end of
 * the chain of calls and charges the client). A client that sleeps makes
 * the loan end as BLOCKED; the scheduler watches the exported environment
 * table for it to wake, and sleeps itself (a wakeup predicate on its
 * clients' status words) when none can run, which its own scheduler sees
 * as BLOCKED in turn.
 *
 * Each client has a sensitivity (Fluke's): what else ends its loans, so
 * that the scheduler decides. NEST_ON_BLOCK (the default): only its
 * blocking, yielding, exit or the slice's end; the loan follows its calls
 * and its donations (priority inheritance without the scheduler).
 * NEST_ON_SWITCH: also each call it makes (the scheduler then lends to
 * the server itself, charging the client, until the server replies), and
 * it cannot lend the loan on by directed yield (a mutex waiter then
 * blocks instead): the scheduler sees every switch of what runs on its
 * time. NEST_ON_CONFLICT: also a call that finds the server serving
 * someone else, which the client would otherwise help with the loan.
 * A scheduler with a wakeup port (port.h) is told of each of these and of
 * its clients blocking, unblocking, being created and exiting.
 */
#ifndef NEST_SCHED_H
#define NEST_SCHED_H

#include <stdint.h>

#include <xok/sched.h>

#include "policy.h"
#include "port.h"

#define NEST_ON_BLOCK    0
#define NEST_ON_SWITCH   XOK_LOAN_SWITCH
#define NEST_ON_CONFLICT XOK_LOAN_CONFLICT

struct nest_sched {
	struct nest_policy policy;
	uint64_t env[NEST_MAXCLIENTS];        /* each client's environment */
	/* CPU time lent to each client, and in all, in TSC ticks (shares
	 * are their ratios; xok_ticks_ns converts): a decision adds, with
	 * no conversion on its way. */
	uint64_t charged_ticks[NEST_MAXCLIENTS];
	uint64_t total_ticks;
	uint64_t decisions;                   /* picks made */
	uint8_t sensitivity[NEST_MAXCLIENTS]; /* NEST_ON_* */
	uint64_t until;                       /* see nest_sched_run */
	struct nest_port *port; /* where notifications go, or null */
	/* Adopt environments its clients create as clients with this
	 * policy parameter (each notified as created), if `adopt`: not
	 * for a client that schedules what it creates itself. */
	int adopt;
	uint64_t adopt_param;
	/* What the last refresh saw: the kernel's count of status changes
	 * and when the slice then running ends (a slice start is counted,
	 * so it is the slice of every loan until the next refresh). */
	uint64_t seen_changes, slice_end;
	/* When a periodic policy next releases a client (nest_policy_advance,
	 * told the time before each decision), for an idle scheduler's
	 * sleep: UINT64_MAX for the others. A client that gives its loan
	 * back (XOK_YIELD_RETURNED) has done its job (nest_policy_done). */
	uint64_t next_release;
};

void nest_sched_init(struct nest_sched *s, const struct nest_policy_ops *ops,
		     uint64_t seed);

/* Makes environment `env` a client with the policy's `param`; returns its
 * slot, or -1 (full, or a parameter the policy refuses). */
int nest_sched_add(struct nest_sched *s, uint64_t env, uint64_t param);

/* Sets client c's sensitivity (NEST_ON_*): 0, or -1 (no such client or
 * sensitivity). */
int nest_sched_sensitivity(struct nest_sched *s, unsigned c,
			   unsigned sensitivity);

/* Fluke's schedule(client, wakeup_port, sensitivity): one loan of this
 * environment's time to `client` (to the server at the end of its chain
 * of calls while it waits for one), which ends as `sensitivity` says;
 * a switch or a conflict that ended it is posted to `wakeup` (may be
 * null) as client `slot`'s (nest_sched_run posts blocking, waking and
 * exits as it sees them). Returns why it ended (XOK_YIELD_*), or E_STATE
 * if nothing of the client's can run now. */
int64_t nest_schedule(uint64_t client, struct nest_port *wakeup,
		      unsigned sensitivity, unsigned slot);

/* Lends CPU to the clients until none is left (each exited or was
 * destroyed), `decisions` reaches `until` (nest_sched_init sets it to
 * UINT64_MAX), or `stop(s, arg)` is true (checked before each decision;
 * may be null). */
void nest_sched_run(struct nest_sched *s,
		    int (*stop)(const struct nest_sched *s, void *arg),
		    void *arg);

/* The environment a loan to `env` runs: `env`, or while it waits on a
 * protected control transfer, the server at the end of its chain of
 * calls, or while it sleeps on a mutex of this memory that donates, the
 * holder (mutex.h; followed on, as far as the chain goes); 0 if that one
 * cannot run now. */
uint64_t nest_runs_for(uint64_t env);

/* Sleeps until `*word` differs from `value` (a word of this program's
 * memory or of the exported tables); returns at once if it already does. */
void nest_sleep_while(const volatile uint64_t *word, uint64_t value);

#endif
