/*
 * cap: capability checks. Every protection decision in Xok ends here.
 */
#include "cap.h"

/* Is the first `len` components of `a` equal to those of `b`? */
static int prefix_equal(const uint32_t *a, const uint32_t *b, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

int cap_well_formed(const struct xok_cap *c)
{
	if (!c->valid || c->len > XOK_CAP_MAXLEN ||
	    (c->rights & ~XOK_CAP_RIGHTS))
		return 0;
	for (unsigned i = c->len; i < XOK_CAP_MAXLEN; i++)
		if (c->name[i])
			return 0;
	return 1;
}

int cap_opens(const struct xok_cap *c, const struct xok_guard *g,
	      unsigned rights)
{
	return cap_well_formed(c) && c->len <= g->len &&
	       (rights & ~(unsigned)c->rights) == 0 &&
	       prefix_equal(c->name, g->name, c->len);
}

int cap_dominates(const struct xok_cap *c, const struct xok_cap *d)
{
	return cap_well_formed(c) && cap_well_formed(d) && c->len <= d->len &&
	       (d->rights & ~c->rights) == 0 &&
	       prefix_equal(c->name, d->name, c->len);
}

struct xok_guard cap_guard(const struct xok_cap *c)
{
	struct xok_guard g = { .len = c->len };

	for (unsigned i = 0; i < c->len && i < XOK_CAP_MAXLEN; i++)
		g.name[i] = c->name[i];
	return g;
}

struct xok_cap cap_root(void)
{
	return (struct xok_cap){ .valid = 1, .len = 0, .rights = XOK_CAP_RIGHTS };
}
