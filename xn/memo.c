/*
 * memo: a few owned sets, found by comparing the whole block.
 */
#include "memo.h"

#include "../lib/string.h"

void xn_memo_clear(struct xn_memo *m)
{
	for (unsigned i = 0; i < XN_MEMO_SLOTS; i++)
		m->slot[i].used = 0;
}

/* Are the blocks x and y the same? Word by word (the builtin is a plain
 * load, even freestanding): this is what a hit costs. */
static int same_block(const uint8_t *x, const uint8_t *y)
{
	for (size_t i = 0; i < XOK_XN_BLOCK; i += 8) {
		uint64_t a, b;

		__builtin_memcpy(&a, x + i, 8);
		__builtin_memcpy(&b, y + i, 8);
		if (a != b)
			return 0;
	}
	return 1;
}

/* The slot remembering `type` with `bytes`, or NULL. */
static struct xn_memo_slot *lookup(struct xn_memo *m, uint64_t type,
				   const uint8_t *bytes)
{
	for (unsigned i = 0; i < XN_MEMO_SLOTS; i++) {
		struct xn_memo_slot *s = &m->slot[i];

		if (s->used && s->type == type && same_block(s->bytes, bytes))
			return s;
	}
	return NULL;
}

/* The slot used longest ago (an empty one first), emptied. */
static struct xn_memo_slot *victim(struct xn_memo *m)
{
	struct xn_memo_slot *oldest = &m->slot[0];

	for (unsigned i = 1; i < XN_MEMO_SLOTS; i++)
		if (m->slot[i].used < oldest->used)
			oldest = &m->slot[i];
	oldest->used = 0;
	return oldest;
}

/* Hands out slot `s`, now the most recently used. */
static int found(struct xn_memo *m, struct xn_memo_slot *s,
		 const struct xok_xn_pair **set, size_t *n)
{
	s->used = ++m->clock;
	*set = s->set;
	*n = s->n;
	return 0;
}

int xn_memo_compute(struct xn_memo *m, const struct xn_context *cx,
		    uint64_t type, const uint8_t *bytes,
		    const struct xok_xn_pair **set, size_t *n)
{
	struct xn_memo_slot *s = victim(m);
	int r;

	if ((r = xn_owned(cx, type, bytes, s->set, &s->n)))
		return r;
	memcpy(s->bytes, bytes, XOK_XN_BLOCK);
	s->type = type;
	return found(m, s, set, n);
}

int xn_memo_owned(struct xn_memo *m, const struct xn_context *cx,
		  uint64_t type, const uint8_t *bytes,
		  const struct xok_xn_pair **set, size_t *n)
{
	struct xn_memo_slot *s = lookup(m, type, bytes);

	return s ? found(m, s, set, n)
		 : xn_memo_compute(m, cx, type, bytes, set, n);
}
