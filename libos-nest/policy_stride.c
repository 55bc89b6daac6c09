/*
 * Stride scheduling (Waldspurger and Weihl): each client's pass advances
 * by its stride (inversely proportional to its tickets) times the time it
 * was charged; the runnable client with the smallest pass runs. Shares of
 * CPU time then match the ticket ratios to within one quantum, whatever
 * the order of events. key[c] is the pass.
 */
#include "policy.h"

/* Divisible by every ticket count 1..16, so small ratios are exact. */
#define STRIDE1 720720ull

static uint64_t stride_of(const struct nest_policy *p, unsigned c)
{
	return STRIDE1 / p->param[c];
}

/* a is before b, as passes that may wrap around. */
static int pass_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* The slot in `set` (not empty) with the least pass. */
static unsigned least_pass(const struct nest_policy *p, uint32_t set)
{
	unsigned best = nest_next_slot(&set);

	while (set) {
		unsigned c = nest_next_slot(&set);

		if (pass_before(p->key[c], p->key[best]))
			best = c;
	}
	return best;
}

static unsigned stride_pick(struct nest_policy *p)
{
	return least_pass(p, p->runnable);
}

static void stride_charge(struct nest_policy *p, unsigned c, uint64_t ns)
{
	p->key[c] += stride_of(p, c) * ns;
}

/* A client that joins or wakes starts no earlier than the least pass of
 * the others: time spent away is not credit to spend all at once. */
static void stride_catch_up(struct nest_policy *p, unsigned c)
{
	uint32_t others = p->runnable & ~(1u << c);
	unsigned least;

	if (!others)
		return;
	least = least_pass(p, others);
	if (pass_before(p->key[c], p->key[least]))
		p->key[c] = p->key[least];
}

static void stride_add(struct nest_policy *p, unsigned c, uint64_t tickets)
{
	(void)tickets;
	stride_catch_up(p, c);
}

const struct nest_policy_ops nest_stride = {
	.name = "stride", .param_min = 1, .param_max = NEST_MAXTICKETS,
	.add = stride_add, .pick = stride_pick, .charge = stride_charge,
	.unblock = stride_catch_up,
};
