/*
 * mutex: see mutex.h. The lock word is taken with an atomic exchange
 * (another environment may run between any two instructions).
 */
#include "mutex.h"

#include <xok/env.h>
#include <xok/syscall.h>

#include "sched.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

/* Whom each environment (by slot) waits for: read by schedulers that
 * share this memory, written only by the environment itself. */
static struct {
	volatile uint64_t env;
	const struct nest_mutex *volatile m;
} waiting[XOK_NENV];

int nest_mutex_waits(uint64_t env, uint64_t *holder)
{
	unsigned slot = xok_env_slot(env);
	const struct nest_mutex *m = waiting[slot].m;

	if (!m || waiting[slot].env != env)
		return 0;
	*holder = m->holder;
	return 1;
}

void nest_mutex_init(struct nest_mutex *m, int donate)
{
	*m = (struct nest_mutex){ .donate = donate };
}

static int try_take(struct nest_mutex *m, uint64_t me)
{
	uint64_t free = 0;

	return __atomic_compare_exchange_n(&m->holder, &free, me, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void nest_mutex_lock(struct nest_mutex *m)
{
	uint64_t me = (uint64_t)xok_getenvid();

	__atomic_add_fetch(&m->waiters, 1, __ATOMIC_RELAXED);
	if (m->donate) {
		waiting[xok_env_slot(me)].env = me;
		waiting[xok_env_slot(me)].m = m;
	}
	while (!try_take(m, me)) {
		uint64_t holder = m->holder, target;

		if (!holder)
			continue;
		/* A holder that cannot run (it sleeps) cannot use a loan,
		 * and a loan sensitive to switches cannot be lent on: then
		 * the waiter blocks too, and its scheduler lends to the
		 * holder itself (nest_runs_for). */
		if (!m->donate || !(target = nest_runs_for(holder)) ||
		    xok_yield_to(target) < 0)
			nest_sleep_while(&m->holder, holder);
	}
	waiting[xok_env_slot(me)].m = 0;
	__atomic_sub_fetch(&m->waiters, 1, __ATOMIC_RELAXED);
}

void nest_mutex_unlock(struct nest_mutex *m)
{
	uint64_t me = (uint64_t)xok_getenvid();

	__atomic_store_n(&m->holder, 0, __ATOMIC_RELEASE);
	/* Running on a loan while others wait: give it back, so a waiter
	 * that lent it takes the lock now (and a scheduler that lent it
	 * decides again, with the lock free). */
	if (m->waiters && ENVS[xok_env_slot(me)].donor)
		xok_yield();
}
