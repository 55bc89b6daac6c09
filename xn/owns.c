/*
 * owns: owned sets by running owns-UDFs, and change checks by comparing
 * the sets before and after.
 */
#include "owns.h"

#include "../lib/string.h"
#include "udf.h"

struct collect {
	const struct xn_context *cx;
	struct xok_xn_pair *out;
	size_t n;
	int err;
};

static int emit(uint64_t block, uint64_t type, void *ctx)
{
	struct collect *c = ctx;

	if (c->n == XN_MAXPAIRS)
		return c->err = XN_E_TOOMANY;
	if (block >= c->cx->nblocks)
		return c->err = XN_E_RANGE;
	if (type >= XOK_XN_MAXTYPES ||
	    (type != XOK_XN_DATA && !c->cx->types[type].in_use))
		return c->err = XN_E_BADTYPE;
	c->out[c->n++] = (struct xok_xn_pair){ block, type };
	return 0;
}

static int pair_less(const struct xok_xn_pair *a, const struct xok_xn_pair *b)
{
	return a->block < b->block || (a->block == b->block && a->type < b->type);
}

static int pair_equal(const struct xok_xn_pair *a, const struct xok_xn_pair *b)
{
	return a->block == b->block && a->type == b->type;
}

/* Insertion sort: sets are small, and this code must stay freestanding. */
static void sort_pairs(struct xok_xn_pair *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && pair_less(&p[j], &p[j - 1]); j--) {
			struct xok_xn_pair t = p[j];

			p[j] = p[j - 1];
			p[j - 1] = t;
		}
}

/* Bytes of a block the type's UDFs see. */
static size_t seen(const struct xok_xn_template *t)
{
	return t->size ? t->size : XOK_XN_BLOCK;
}

int xn_template_check(const struct xok_xn_template *t)
{
	int r;

	if (t->owns_len == 0 || t->size > XOK_XN_BLOCK ||
	    t->owns_len + t->access_len > XOK_XN_TEMPLATE_INSNS)
		return XN_E_BADTYPE;
	if ((r = udf_check(t->insns, t->owns_len, XOK_UDF_OWNS, 0, 0)))
		return r;
	if (t->access_len &&
	    (r = udf_check(t->insns + t->owns_len, t->access_len,
			   XOK_UDF_ACCESS, 0, 0)))
		return r;
	return 0;
}

int xn_owns_steps(const struct xok_xn_template *t, uint64_t *steps)
{
	return udf_check(t->insns, t->owns_len, XOK_UDF_OWNS, 0, steps);
}

/* Runs the owns-UDF of installed `type` over `bytes`, each pair to
 * `fn`, marking the bytes it reads in `loaded` (if not NULL); as
 * udf_run_bounded. */
static int run_owns(const struct xn_context *cx, uint64_t type,
		    const uint8_t *bytes, udf_emit_fn fn, void *ctx,
		    uint8_t *loaded)
{
	const struct xok_xn_template *t = &cx->types[type];
	uint64_t result, limit;
	int r;

	if (cx->steps)
		limit = cx->steps[type];
	else if (!loaded)
		return udf_run(t->insns, t->owns_len, XOK_UDF_OWNS, bytes,
			       seen(t), 0, 0, fn, ctx, &result);
	else if ((r = xn_owns_steps(t, &limit)))
		return r;
	return udf_run_bounded(t->insns, t->owns_len, XOK_UDF_OWNS, limit,
			       bytes, seen(t), 0, 0, fn, ctx, &result, loaded);
}

int xn_owned(const struct xn_context *cx, uint64_t type,
	     const uint8_t *bytes, struct xok_xn_pair *out, size_t *n)
{
	return xn_owned_loads(cx, type, bytes, out, n, NULL);
}

int xn_owned_loads(const struct xn_context *cx, uint64_t type,
		   const uint8_t *bytes, struct xok_xn_pair *out, size_t *n,
		   uint8_t *loaded)
{
	struct collect c = { cx, out, 0, 0 };
	int r;

	*n = 0;
	if (loaded)
		memset(loaded, 0, XOK_XN_BLOCK / 8);
	if (type == XOK_XN_DATA)
		return 0;
	if (type >= XOK_XN_MAXTYPES || !cx->types[type].in_use)
		return XN_E_BADTYPE;
	r = run_owns(cx, type, bytes, emit, &c, loaded);
	if (r == UDF_E_EMIT)
		return c.err;
	if (r)
		return r;
	sort_pairs(out, c.n);
	for (size_t i = 1; i < c.n; i++)
		if (pair_equal(&out[i], &out[i - 1]))
			return XN_E_TWICE;
	*n = c.n;
	return 0;
}

struct search {
	const struct xn_context *cx;
	uint64_t block, type;
	int found;
};

static int match(uint64_t block, uint64_t type, void *ctx)
{
	struct search *s = ctx;

	if (block != s->block)
		return 0;
	s->type = type;
	s->found = 1;
	return 1; /* stop the UDF: found */
}

int xn_find_owned(const struct xn_context *cx, uint64_t type,
		  const uint8_t *bytes, uint64_t block, uint64_t *child_type)
{
	struct search s = { cx, block, 0, 0 };
	int r;

	if (type == XOK_XN_DATA)
		return XN_E_MISMATCH;
	if (type >= XOK_XN_MAXTYPES || !cx->types[type].in_use)
		return XN_E_BADTYPE;
	r = run_owns(cx, type, bytes, match, &s, NULL);
	if (!s.found)
		return r ? r : XN_E_MISMATCH;
	if (block >= cx->nblocks)
		return XN_E_RANGE;
	if (s.type >= XOK_XN_MAXTYPES ||
	    (s.type != XOK_XN_DATA && !cx->types[s.type].in_use))
		return XN_E_BADTYPE;
	*child_type = s.type;
	return 0;
}

/* Is `p` in the sorted set s[0..n)? */
static int member(const struct xok_xn_pair *s, size_t n,
		  const struct xok_xn_pair *p)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pair_equal(&s[mid], p))
			return 1;
		if (pair_less(&s[mid], p))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Does `p` appear among the first `n` of `list` (unsorted)? */
static int listed(const struct xok_xn_pair *list, size_t n,
		  const struct xok_xn_pair *p)
{
	for (size_t i = 0; i < n; i++)
		if (pair_equal(&list[i], p))
			return 1;
	return 0;
}

int xn_check_sets(const struct xok_xn_pair *before, size_t nb,
		  const struct xok_xn_pair *after, size_t na,
		  const struct xok_xn_pair *add, size_t nadd,
		  const struct xok_xn_pair *rm, size_t nrm)
{
	if (na != nb + nadd - nrm || nb + nadd < nrm)
		return XN_E_MISMATCH;
	for (size_t i = 0; i < nadd; i++)
		if (member(before, nb, &add[i]) || !member(after, na, &add[i]) ||
		    listed(add, i, &add[i]))
			return XN_E_MISMATCH;
	for (size_t i = 0; i < nrm; i++)
		if (!member(before, nb, &rm[i]) || member(after, na, &rm[i]) ||
		    listed(rm, i, &rm[i]))
			return XN_E_MISMATCH;
	/* With the counts equal and every declared pair accounted for,
	 * everything else must be in both sets. */
	for (size_t i = 0; i < nb; i++)
		if (!listed(rm, nrm, &before[i]) && !member(after, na, &before[i]))
			return XN_E_MISMATCH;
	return 0;
}

int xn_check_change(const struct xn_context *cx, uint64_t type,
		    const uint8_t *old, const uint8_t *new,
		    const struct xok_xn_pair *add, size_t nadd,
		    const struct xok_xn_pair *rm, size_t nrm)
{
	static struct xok_xn_pair before[XN_MAXPAIRS], after[XN_MAXPAIRS];
	size_t nb, na;
	int r;

	if ((r = xn_owned(cx, type, old, before, &nb)) ||
	    (r = xn_owned(cx, type, new, after, &na)))
		return r;
	return xn_check_sets(before, nb, after, na, add, nadd, rm, nrm);
}

int xn_set_find(const struct xok_xn_pair *s, size_t n, uint64_t block,
		uint64_t *type)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s[mid].block == block) {
			*type = s[mid].type;
			return 0;
		}
		if (s[mid].block < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return XN_E_MISMATCH;
}

/* Does the sorted set s[0..n) hold a pair naming `block` (any type)? */
static int holds_block(const struct xok_xn_pair *s, size_t n, uint64_t block)
{
	uint64_t type;

	return xn_set_find(s, n, block, &type) == 0;
}

/* Do the sorted sets x and y name no block in common? */
static int disjoint(const struct xok_xn_pair *x, size_t nx,
		    const struct xok_xn_pair *y, size_t ny)
{
	for (size_t i = 0; i < nx; i++)
		if (holds_block(y, ny, x[i].block))
			return 0;
	return 1;
}

/* The index of `p` in list[0..n) (unsorted), or n. */
static size_t index_of(const struct xok_xn_pair *list, size_t n,
		       const struct xok_xn_pair *p)
{
	size_t i = 0;

	while (i < n && !pair_equal(&list[i], p))
		i++;
	return i;
}

/* Which side's set after (0 or 1) holds `p`, or -1. */
static int side_of(struct xok_xn_pair *const after[2], const size_t na[2],
		   const struct xok_xn_pair *p)
{
	for (int k = 0; k < 2; k++)
		if (member(after[k], na[k], p))
			return k;
	return -1;
}

int xn_check_pair(const struct xn_context *cx, const struct xn_side side[2],
		  const struct xok_xn_pair *add, size_t nadd,
		  const struct xok_xn_pair *rm, size_t nrm,
		  const struct xok_xn_pair *moved, size_t nmoved,
		  uint8_t *add_to, uint8_t *moved_to)
{
	static struct xok_xn_pair sets[4][XN_MAXPAIRS];
	struct xok_xn_pair *const before[2] = { sets[0], sets[1] };
	struct xok_xn_pair *const after[2] = { sets[2], sets[3] };
	size_t nb[2], na[2], found = 0;
	int r;

	for (int k = 0; k < 2; k++)
		if ((r = xn_owned(cx, side[k].type, side[k].old, before[k],
				  &nb[k])) ||
		    (r = xn_owned(cx, side[k].type, side[k].new, after[k],
				  &na[k])))
			return r;
	if (!disjoint(before[0], nb[0], before[1], nb[1]) ||
	    !disjoint(after[0], na[0], after[1], na[1]))
		return XN_E_TWICE;
	/* Disjoint, so the union's size is the sum: as for one block. */
	if (na[0] + na[1] != nb[0] + nb[1] + nadd - nrm || nb[0] + nb[1] + nadd < nrm)
		return XN_E_MISMATCH;
	for (size_t i = 0; i < nadd; i++) {
		int to = side_of(after, na, &add[i]);

		if (holds_block(before[0], nb[0], add[i].block) ||
		    holds_block(before[1], nb[1], add[i].block) || to < 0 ||
		    listed(add, i, &add[i]))
			return XN_E_MISMATCH;
		add_to[i] = (uint8_t)to;
	}
	for (size_t i = 0; i < nrm; i++)
		if ((!member(before[0], nb[0], &rm[i]) &&
		     !member(before[1], nb[1], &rm[i])) ||
		    side_of(after, na, &rm[i]) >= 0 || listed(rm, i, &rm[i]))
			return XN_E_MISMATCH;
	if (nmoved > XN_MAXPAIRS)
		return XN_E_MISMATCH;
	/* Everything else stays owned; what changed sides must be listed. */
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < nb[k]; i++) {
			int to = side_of(after, na, &before[k][i]);
			size_t at = index_of(moved, nmoved, &before[k][i]);

			if (listed(rm, nrm, &before[k][i]))
				continue;
			if (to < 0)
				return XN_E_MISMATCH;
			if (to == k)
				continue;
			if (at == nmoved)
				return XN_E_MISMATCH;
			moved_to[at] = (uint8_t)to;
			found++;
		}
	/* Each moved pair was counted once: a listed pair that did not
	 * move, or one listed twice, leaves the count short. */
	return found == nmoved ? 0 : XN_E_MISMATCH;
}

int xn_access(const struct xn_context *cx, uint64_t type,
	      const uint8_t *bytes, const uint64_t *cred, size_t ncred)
{
	const struct xok_xn_template *t;
	uint64_t result;

	if (type == XOK_XN_DATA || type >= XOK_XN_MAXTYPES)
		return 1;
	t = &cx->types[type];
	if (!t->in_use || !t->access_len)
		return 1;
	if (udf_run(t->insns + t->owns_len, t->access_len, XOK_UDF_ACCESS,
		    bytes, seen(t), cred, ncred, 0, 0, &result))
		return 0;
	return result != 0;
}
