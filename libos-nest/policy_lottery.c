/*
 * Lottery scheduling (Waldspurger and Weihl): each decision draws a
 * ticket at random among the runnable clients' tickets. Over N decisions
 * a client holding a fraction f of the tickets wins Binomial(N, f) of
 * them: its share is right on average, with a spread of sqrt(N f (1-f)).
 * Draws come from a seeded xorshift64* generator (cursor is its state),
 * so a run can be repeated (a lone runnable client wins without a draw,
 * policy.h).
 *
 * Compensation tickets: a client that used only a fraction f of its
 * quantum (it blocked early, I/O-bound) holds its tickets inflated by
 * 1/f until it next wins, so it wins 1/f times as often and its share of
 * time, not of wins, is its tickets' (key is the tickets it holds now;
 * f counts down to 1/NEST_LOTTERY_MAXCOMP, so the total stays below
 * 2^32, the draw's range).
 */
#include "policy.h"

#define NEST_LOTTERY_MAXCOMP 1024

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
		total += p->key[nest_next_slot(&set)];
	/* The top bits are the generator's best; total <= 16 * 65536 *
	 * NEST_LOTTERY_MAXCOMP. */
	draw = (next_random(p) >> 32) % total;
	for (set = p->runnable;;) {
		c = nest_next_slot(&set);
		if (draw < p->key[c] || !set)
			return c;
		draw -= p->key[c];
	}
}

static void lottery_add(struct nest_policy *p, unsigned c, uint64_t tickets)
{
	p->key[c] = tickets;
}

/* The winner's tickets again, inflated by 1/f for a fraction f used. */
static void lottery_charge(struct nest_policy *p, unsigned c, uint64_t ns)
{
	if (ns >= NEST_QUANTUM_NS)
		p->key[c] = p->param[c];
	else if (ns * NEST_LOTTERY_MAXCOMP <= NEST_QUANTUM_NS)
		p->key[c] = p->param[c] * NEST_LOTTERY_MAXCOMP;
	else
		p->key[c] = p->param[c] * NEST_QUANTUM_NS / ns;
}

const struct nest_policy_ops nest_lottery = {
	.name = "lottery", .param_min = 1, .param_max = NEST_MAXTICKETS,
	.add = lottery_add, .pick = lottery_pick, .charge = lottery_charge,
};
