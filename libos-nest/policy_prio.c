/*
 * Priority policies: fixed priority, round robin and rate monotonic are
 * one rule with different keys. The most urgent runnable client runs;
 * among equally urgent ones, the first after the one picked last, so
 * equals take turns. Round robin is every client equally urgent; rate
 * monotonic is fixed priority with the shorter period the more urgent
 * (a periodic client blocks when its job is done and unblocks at its next
 * release; releases are the client's business, not the policy's).
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
};
