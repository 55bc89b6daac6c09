/*
 * mutex: a lock whose waiters lend the holder their CPU (implicit
 * donation, CPU inheritance's priority inheritance): a waiter yields to
 * the holder instead of sleeping, so the holder runs on the waiter's
 * time, at the waiter's priority, and gives the loan back as it unlocks.
 * With donation off (the control experiment), a waiter sleeps until the
 * holder lets go, and a scheduler may run anyone else meanwhile: the
 * classic priority inversion.
 *
 * A waiter whose loan cannot be lent on (NEST_ON_SWITCH) or whose holder
 * cannot run sleeps instead; with donation on it publishes whom it waits
 * for (nest_mutex_waits), and a scheduler in the same memory treats
 * it as it treats a client waiting for a reply: runnable while the
 * holder is, its loans going to the holder and charged to it (sched.h's
 * nest_runs_for). So priority inheritance holds under every sensitivity.
 */
#ifndef NEST_MUTEX_H
#define NEST_MUTEX_H

#include <stdint.h>

struct nest_mutex {
	volatile uint64_t holder;  /* environment id; 0: free */
	volatile uint32_t waiters; /* in nest_mutex_lock, not holding */
	int donate;                /* waiters lend the holder their CPU */
};

void nest_mutex_init(struct nest_mutex *m, int donate);
void nest_mutex_lock(struct nest_mutex *m);
void nest_mutex_unlock(struct nest_mutex *m);

/* Does environment `env` wait in nest_mutex_lock on a mutex with
 * donation on? If so, *holder is its holder (0: free now, so a waiter
 * asleep wakes when Xok next evaluates predicates, at a slice's start). */
int nest_mutex_waits(uint64_t env, uint64_t *holder);

#endif
