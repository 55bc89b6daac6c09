/*
 * policy: the bookkeeping every policy shares (which slots hold clients,
 * which may run), around the policy's own operations.
 */
#include "policy.h"

void nest_policy_init(struct nest_policy *p, const struct nest_policy_ops *ops,
		      uint64_t seed)
{
	*p = (struct nest_policy){ .ops = ops, .cursor = seed,
				   .last = NEST_MAXCLIENTS - 1 };
}

int nest_policy_add(struct nest_policy *p, uint64_t param)
{
	if (param < p->ops->param_min || param > p->ops->param_max)
		return -1;
	for (unsigned c = 0; c < NEST_MAXCLIENTS; c++) {
		if (nest_policy_has(p, c))
			continue;
		p->present |= 1u << c;
		p->runnable |= 1u << c;
		p->param[c] = param;
		p->key[c] = 0;
		p->parked &= ~(1u << c);
		p->late &= ~(1u << c);
		p->due[c] = p->met[c] = p->missed[c] = 0;
		if (p->ops->add)
			p->ops->add(p, c, param);
		return (int)c;
	}
	return -1;
}

void nest_policy_remove(struct nest_policy *p, unsigned c)
{
	if (!nest_policy_has(p, c))
		return;
	p->present &= ~(1u << c);
	p->runnable &= ~(1u << c);
}

void nest_policy_block(struct nest_policy *p, unsigned c)
{
	if (nest_policy_has(p, c))
		p->runnable &= ~(1u << c);
}

void nest_policy_unblock(struct nest_policy *p, unsigned c)
{
	if (!nest_policy_has(p, c) || nest_policy_is_runnable(p, c) ||
	    (p->parked >> c) & 1)
		return;
	p->runnable |= 1u << c;
	if (p->ops->unblock)
		p->ops->unblock(p, c);
}

void nest_policy_done(struct nest_policy *p, unsigned c, uint64_t now)
{
	if (nest_policy_has(p, c) && p->ops->done)
		p->ops->done(p, c, now);
}

uint64_t nest_policy_advance(struct nest_policy *p, uint64_t now)
{
	return p->ops->advance ? p->ops->advance(p, now) : UINT64_MAX;
}
