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
 */
#ifndef NEST_SCHED_H
#define NEST_SCHED_H

#include <stdint.h>

#include "policy.h"

struct nest_sched {
	struct nest_policy policy;
	uint64_t env[NEST_MAXCLIENTS];        /* each client's environment */
	uint64_t charged_ns[NEST_MAXCLIENTS]; /* CPU time lent to it */
	uint64_t loans[NEST_MAXCLIENTS];      /* directed yields to it */
	uint64_t total_ns;                    /* all time lent */
	uint64_t decisions;                   /* picks made */
	uint64_t until;                       /* see nest_sched_run */
	/* What the last refresh saw: the kernel's count of status changes
	 * and when the slice then running ends (a slice start is counted,
	 * so it is the slice of every loan until the next refresh). */
	uint64_t seen_changes, slice_end;
};

void nest_sched_init(struct nest_sched *s, const struct nest_policy_ops *ops,
		     uint64_t seed);

/* Makes environment `env` a client with the policy's `param`; returns its
 * slot, or -1 (full, or a parameter the policy refuses). */
int nest_sched_add(struct nest_sched *s, uint64_t env, uint64_t param);

/* Lends CPU to the clients until none is left (each exited or was
 * destroyed), `decisions` reaches `until` (nest_sched_init sets it to
 * UINT64_MAX), or `stop(s, arg)` is true (checked before each decision;
 * may be null). */
void nest_sched_run(struct nest_sched *s,
		    int (*stop)(const struct nest_sched *s, void *arg),
		    void *arg);

/* The environment a loan to `env` runs: `env`, or while it waits on a
 * protected control transfer, the server at the end of its chain of
 * calls; 0 if that one cannot run now. */
uint64_t nest_runs_for(uint64_t env);

/* Sleeps until `*word` differs from `value` (a word of this program's
 * memory or of the exported tables); returns at once if it already does. */
void nest_sleep_while(const volatile uint64_t *word, uint64_t value);

#endif
