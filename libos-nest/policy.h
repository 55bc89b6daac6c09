/*
 * policy: a CPU scheduling policy behind one small interface (OSKit-style:
 * a table of operations on a scheduler object), pure and freestanding, so
 * the same code decides in a scheduler environment on Xok (sched.c) and
 * in host unit tests.
 *
 * A policy knows clients by slot (0..NEST_MAXCLIENTS-1) and a parameter
 * whose meaning is its own (priority, tickets, period). It is told who
 * blocks and unblocks and how much CPU time each was charged, and picks
 * who runs next. It never sees environments or clocks.
 */
#ifndef NEST_POLICY_H
#define NEST_POLICY_H

#include <stdint.h>

#define NEST_MAXCLIENTS 16

struct nest_policy;

/* Only pick is required: a null operation has nothing to do. */
struct nest_policy_ops {
	const char *name;
	uint64_t param_min, param_max; /* the parameters add accepts */
	/* Admits slot c with `param` (already marked present and runnable). */
	void (*add)(struct nest_policy *p, unsigned c, uint64_t param);
	/* The runnable client to run next (two or more are runnable). */
	unsigned (*pick)(struct nest_policy *p);
	/* c ran for `ns` nanoseconds on this scheduler's time. */
	void (*charge)(struct nest_policy *p, unsigned c, uint64_t ns);
	/* c became runnable again (already marked runnable). */
	void (*unblock)(struct nest_policy *p, unsigned c);
	/* c gave its loan back at time `now` (ns): its job is done. */
	void (*done)(struct nest_policy *p, unsigned c, uint64_t now);
	/* The time is `now`: release what is due; returns when the next
	 * release is due (UINT64_MAX: none). */
	uint64_t (*advance)(struct nest_policy *p, uint64_t now);
};

/*
 * A scheduler. Laid out here so that it can be embedded without an
 * allocator; only the policy's own file reads param, key and cursor.
 */
struct nest_policy {
	const struct nest_policy_ops *ops;
	uint32_t present;  /* bit c: slot c holds a client */
	uint32_t runnable; /* bit c: ... that may run now */
	uint64_t param[NEST_MAXCLIENTS]; /* what add was given, or derived */
	uint64_t key[NEST_MAXCLIENTS];   /* the policy's per-client word */
	uint64_t cursor;                 /* the policy's own word */
	/* Periodic clients (rate monotonic): bit c of `parked`: c's job is
	 * done and it waits for its next release, runnable or not; `due`:
	 * its deadline (its next release; 0 before the first advance);
	 * `late`: its job missed its deadline and is not done; jobs done by
	 * their deadline and deadlines missed. */
	uint32_t parked, late;
	uint64_t due[NEST_MAXCLIENTS];
	uint64_t met[NEST_MAXCLIENTS], missed[NEST_MAXCLIENTS];
	unsigned last; /* the client picked last (at first the last slot, so
			* that turns start at slot 0) */
};

/* The policies (policy_prio.c, policy_stride.c, policy_lottery.c). */
extern const struct nest_policy_ops nest_fixed_priority; /* param: priority, higher first */
extern const struct nest_policy_ops nest_round_robin;    /* param: ignored */
extern const struct nest_policy_ops nest_rate_monotonic; /* param: period, shorter first */
extern const struct nest_policy_ops nest_stride;         /* param: tickets (1..NEST_MAXTICKETS) */
extern const struct nest_policy_ops nest_lottery;        /* param: tickets (1..NEST_MAXTICKETS) */

#define NEST_MAXTICKETS 65536
#define NEST_QUANTUM_NS 10000000ull /* a full loan: Xok's 10 ms slice */

/* An empty scheduler with policy `ops`; `seed` feeds a policy that draws
 * random numbers (lottery). */
void nest_policy_init(struct nest_policy *p, const struct nest_policy_ops *ops,
		      uint64_t seed);

/* Admits a client in the first free slot: returns it, or -1 if full or
 * `param` is outside [param_min, param_max]. */
int nest_policy_add(struct nest_policy *p, uint64_t param);
void nest_policy_remove(struct nest_policy *p, unsigned c);

void nest_policy_block(struct nest_policy *p, unsigned c);
/* Marks c runnable (not while it is parked until its release). */
void nest_policy_unblock(struct nest_policy *p, unsigned c);

/* Client c gave its loan back at `now` (ns): for a periodic policy its
 * job is done, and it is parked until its next release. */
void nest_policy_done(struct nest_policy *p, unsigned c, uint64_t now);

/* Tells a periodic policy the time (ns): it releases the parked clients
 * whose period began, and counts a deadline missed for each job not
 * done when its period ended. Returns when it next has to be told
 * (UINT64_MAX: never, for a policy without periods). */
uint64_t nest_policy_advance(struct nest_policy *p, uint64_t now);

static inline int nest_policy_has(const struct nest_policy *p, unsigned c)
{
	return c < NEST_MAXCLIENTS && (p->present >> c) & 1;
}

static inline int nest_policy_is_runnable(const struct nest_policy *p,
					  unsigned c)
{
	return c < NEST_MAXCLIENTS && (p->runnable >> c) & 1;
}

/* The client to run next, or -1 if none is runnable. A lone runnable
 * client is every policy's pick: that costs no call (the common case of a
 * scheduler's loop). */
static inline int nest_policy_pick(struct nest_policy *p)
{
	uint32_t r = p->runnable;

	if (!r)
		return -1;
	p->last = r & (r - 1) ? p->ops->pick(p) : (unsigned)__builtin_ctz(r);
	return (int)p->last;
}

/* Client c ran `ns` nanoseconds on this scheduler's time. */
static inline void nest_policy_charge(struct nest_policy *p, unsigned c,
				      uint64_t ns)
{
	if (nest_policy_has(p, c) && p->ops->charge)
		p->ops->charge(p, c, ns);
}

/* The lowest slot in `*set`, taken out of it (the set is not empty):
 * loops over clients visit only the slots a set holds. */
static inline unsigned nest_next_slot(uint32_t *set)
{
	unsigned c = (unsigned)__builtin_ctz(*set);

	*set &= *set - 1;
	return c;
}

#endif
