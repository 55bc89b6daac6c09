/*
 * Priority policies: fixed priority, round robin and rate monotonic are
 * one rule with different keys. The most urgent runnable client runs;
 * among equally urgent ones, the first after the one picked last, so
 * equals take turns. Round robin is every client equally urgent; rate
 * monotonic is fixed priority with the shorter period the more urgent,
 * and releases its clients itself: a client's first job is released at
 * the first advance after it is added, and one every period after that;
 * a job is done when the client gives its loan back (nest_policy_done),
 * and the client is then parked until its next release. A job not done
 * when its period ends missed its deadline (counted once a period) and
 * runs on; it is not released again while it runs.
 */
#include "policy.h"

/* Runnable slots rotated so that bit i is slot (first + i) % 16: taking
 * the lowest bits first visits them in turn from `first`. */
static uint32_t turn_order(uint32_t runnable, unsigned first)
{
	return ((runnable >> first) | (runnable << (NEST_MAXCLIENTS - first))) &
	       ((1u << NEST_MAXCLIENTS) - 1);
}

static unsigned prio_pick(struct nest_policy *p)
{
	unsigned first = (p->last + 1) % NEST_MAXCLIENTS;
	uint32_t order = turn_order(p->runnable, first);
	unsigned best = (first + nest_next_slot(&order)) % NEST_MAXCLIENTS;

	while (order) {
		unsigned c = (first + nest_next_slot(&order)) % NEST_MAXCLIENTS;

		if (p->key[c] > p->key[best])
			best = c;
	}
	return best;
}

static void add_by_priority(struct nest_policy *p, unsigned c, uint64_t prio)
{
	p->key[c] = prio;
}

static void add_by_period(struct nest_policy *p, unsigned c, uint64_t period)
{
	p->key[c] = UINT64_MAX - period;
}

static void rm_done(struct nest_policy *p, unsigned c, uint64_t now)
{
	uint32_t bit = 1u << c;

	if (!p->due[c] || p->parked & bit)
		return; /* not released yet, or already done */
	if (p->late & bit)
		p->late &= ~bit; /* its miss is counted */
	else if (now <= p->due[c])
		p->met[c]++;
	p->parked |= bit;
	p->runnable &= ~bit;
}

/* Client c at time `now`: released, or its deadline passed. */
static void rm_advance_one(struct nest_policy *p, unsigned c, uint64_t now)
{
	uint32_t bit = 1u << c;
	uint64_t period = p->param[c];

	if (!p->due[c]) {
		p->due[c] = now + period;
		return;
	}
	if (now < p->due[c])
		return;
	if (p->parked & bit) {
		/* Released; periods it slept through are not jobs. */
		p->parked &= ~bit;
		p->runnable |= bit;
		p->due[c] += (now - p->due[c]) / period * period + period;
		return;
	}
	p->missed[c] += (now - p->due[c]) / period + 1;
	p->late |= bit;
	p->due[c] += (now - p->due[c]) / period * period + period;
}

static uint64_t rm_advance(struct nest_policy *p, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (uint32_t set = p->present; set;) {
		unsigned c = nest_next_slot(&set);

		rm_advance_one(p, c, now);
		if (p->due[c] < next)
			next = p->due[c];
	}
	return next;
}

const struct nest_policy_ops nest_fixed_priority = {
	.name = "fixed-priority", .param_min = 0, .param_max = UINT64_MAX,
	.add = add_by_priority, .pick = prio_pick,
};

const struct nest_policy_ops nest_round_robin = {
	.name = "round-robin", .param_min = 0, .param_max = UINT64_MAX,
	.pick = prio_pick, /* every key stays 0 */
};

const struct nest_policy_ops nest_rate_monotonic = {
	.name = "rate-monotonic", .param_min = 1, .param_max = UINT64_MAX,
	.add = add_by_period, .pick = prio_pick,
	.done = rm_done, .advance = rm_advance,
};
