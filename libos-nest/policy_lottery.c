/*
 * Lottery scheduling (Waldspurger and Weihl): each decision draws a
 * ticket at random among the runnable clients' tickets. Over N decisions
 * a client holding a fraction f of the tickets wins Binomial(N, f) of
 * them: its share is right on average, with a spread of sqrt(N f (1-f)).
 * Draws come from a seeded xorshift64* generator (cursor is its state),
 * so a run can be repeated (a lone runnable client wins without a draw,
 * policy.h). Each decision counts the same whatever the
 * winner then ran (no compensation tickets yet).
 */
#include "policy.h"

static uint64_t next_random(struct nest_policy *p)
{
	uint64_t x = p->cursor ? p->cursor : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->cursor = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned lottery_pick(struct nest_policy *p)
{
	uint64_t total = 0, draw;
	uint32_t set;
	unsigned c;

	for (set = p->runnable; set;)
		total += p->param[nest_next_slot(&set)];
	/* The top bits are the generator's best; total <= 16 * 65536. */
	draw = (next_random(p) >> 32) % total;
	for (set = p->runnable;;) {
		c = nest_next_slot(&set);
		if (draw < p->param[c] || !set)
			return c;
		draw -= p->param[c];
	}
}

const struct nest_policy_ops nest_lottery = {
	.name = "lottery", .param_min = 1, .param_max = NEST_MAXTICKETS,
	.pick = lottery_pick,
};
