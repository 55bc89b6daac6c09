/*
 * sched: what this CPU runs next. The timer steps through the CPU's slice
 * vector (exported, <xok/sched.h>); each slice runs its owner, or, while
 * the owner waits for a protected-control-transfer reply, its callee
 * (implicit donation). Directed yield lends the rest of a slice to another
 * environment until that one blocks, yields, goes away or the slice ends.
 * Wakeup predicates are evaluated at every scheduling point.
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include <stdint.h>

#include "env.h"

#define SLICE_NS 10000000ull       /* 10 ms */
#define GRACE_NS (SLICE_NS / 8)    /* to act on an epilogue upcall */

void sched_init(void);

/* Gives the boot environments the slices round-robin, each slice guarded
 * by its owner's own guard. */
void sched_give_slices(struct env **list, int n);

/* Starts the next slice that has something to run; idles while nothing
 * can; ends the machine when no environment is left. */
void sched_next_slice(void) __attribute__((noreturn));

/* The slice timer fired while `curenv()` was running (its state saved). */
void sched_timer(void) __attribute__((noreturn));

/* The running environment has just stopped being runnable by its own
 * doing (sleep, wait): hand the CPU to its donor or the next slice. */
void sched_block(struct env *e) __attribute__((noreturn));

/* `e`, running on a directed-yield loan, gives it back to its donor,
 * which learns XOK_YIELD_RETURNED. */
void sched_return_loan(struct env *e) __attribute__((noreturn));

/* The XOK_LOAN_* flags of the loan the caller `e` of a call runs on. */
uint64_t sched_callers_loan_flags(struct env *e);

/* The XOK_LOAN_* flags of the loan `e` runs on (its own, or its caller's
 * while it serves a call), 0 if it runs on none. Inline: every yield and
 * call asks, and most run on no loan. */
static inline uint64_t sched_loan_flags(struct env *e)
{
	if (e->pub->donor)
		return e->loan_flags;
	return e->pub->ipc_caller ? sched_callers_loan_flags(e) : 0;
}

/* Ends the loan `e` runs on (there is one): its lender runs again and
 * learns `reason`. */
void sched_end_loan(struct env *e, uint64_t reason) __attribute__((noreturn));

/* After an environment was destroyed: continue with whoever should run. */
void sched_after_destroy(void) __attribute__((noreturn));

/* Forgets `e` everywhere the scheduler knew it: its slices, donations to
 * and from it, calls waiting on it. Called as `e` is destroyed. */
void sched_env_gone(struct env *e);

/* Nanoseconds since boot, from the TSC. */
uint64_t clock_ns(void);

/* The status the machine exits with when the last environment is gone. */
void sched_set_exit_code(int code);

#endif
