/*
 * mutex: a lock whose waiters lend the holder their CPU (implicit
 * donation, CPU inheritance's priority inheritance): a waiter yields to
 * the holder instead of sleeping, so the holder runs on the waiter's
 * time, at the waiter's priority, and gives the loan back as it unlocks.
 * With donation off (the control experiment), a waiter sleeps until the
 * holder lets go, and a scheduler may run anyone else meanwhile: the
 * classic priority inversion.
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

#endif
