/*
 * Lottery scheduling (Waldspurger and Weihl): each decision draws a
 * ticket at random among the runnable clients' tickets. Over N decisions
 * a client holding a fraction f of the tickets wins Binomial(N, f) of
 * them: its share is right on average, with a spread of sqrt(N f (1-f)).
 * Draws come from a seeded xorshift64* generator (cursor is its state),
 * so a run can be repeated. Each decision counts the same whatever the
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
	unsigned c;

	for (c = 0; c < NEST_MAXCLIENTS; c++)
		if (nest_policy_is_runnable(p, c))
			total += p->param[c];
	/* The top bits are the generator's best; total <= 16 * 65536. */
	draw = (next_random(p) >> 32) % total;
	for (c = 0; c < NEST_MAXCLIENTS; c++) {
		if (!nest_policy_is_runnable(p, c))
			continue;
		if (draw < p->param[c])
			break;
		draw -= p->param[c];
	}
	return c;
}

const struct nest_policy_ops nest_lottery = {
	.name = "lottery", .param_min = 1, .param_max = NEST_MAXTICKETS,
	.pick = lottery_pick,
};
