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

/* Word `i` of a block (the builtin is a plain load, even freestanding). */
static uint64_t word(const uint8_t *b, size_t i)
{
	uint64_t w;

	__builtin_memcpy(&w, b + 8 * i, 8);
	return w;
}

/* Are the blocks x and y the same? Word by word: what a hit costs. */
static int same_block(const uint8_t *x, const uint8_t *y)
{
	for (size_t i = 0; i < XOK_XN_BLOCK / 8; i++)
		if (word(x, i) != word(y, i))
			return 0;
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

/* Runs the owns-UDF over `bytes` into a slot: the slot, or NULL and
 * the error in *err. */
static struct xn_memo_slot *compute(struct xn_memo *m,
				    const struct xn_context *cx,
				    uint64_t type, const uint8_t *bytes,
				    int *err)
{
	struct xn_memo_slot *s = victim(m);

	if ((*err = xn_owned_loads(cx, type, bytes, s->set, &s->n,
				   s->loaded)))
		return NULL;
	memcpy(s->bytes, bytes, XOK_XN_BLOCK);
	s->type = type;
	return s;
}

/* Hands out slot `s`, now the most recently used. */
static void hand_out(struct xn_memo *m, struct xn_memo_slot *s,
		     const struct xok_xn_pair **set, size_t *n)
{
	s->used = ++m->clock;
	*set = s->set;
	*n = s->n;
}

/* As xn_memo_owned: the slot, or NULL and the error in *err. */
static struct xn_memo_slot *owned(struct xn_memo *m,
				  const struct xn_context *cx, uint64_t type,
				  const uint8_t *bytes, int *err)
{
	struct xn_memo_slot *s = lookup(m, type, bytes);

	return s ? s : compute(m, cx, type, bytes, err);
}

/* The owned set of `bytes`, computed afresh or (`fresh` 0) remembered,
 * handed out at *set and *n. */
static int owned_set(struct xn_memo *m, const struct xn_context *cx,
		     uint64_t type, const uint8_t *bytes,
		     const struct xok_xn_pair **set, size_t *n, int fresh)
{
	int err = 0;
	struct xn_memo_slot *s = fresh ? compute(m, cx, type, bytes, &err) :
					 owned(m, cx, type, bytes, &err);

	if (s)
		hand_out(m, s, set, n);
	return err;
}

int xn_memo_compute(struct xn_memo *m, const struct xn_context *cx,
		    uint64_t type, const uint8_t *bytes,
		    const struct xok_xn_pair **set, size_t *n)
{
	return owned_set(m, cx, type, bytes, set, n, 1);
}

int xn_memo_owned(struct xn_memo *m, const struct xn_context *cx,
		  uint64_t type, const uint8_t *bytes,
		  const struct xok_xn_pair **set, size_t *n)
{
	return owned_set(m, cx, type, bytes, set, n, 0);
}

/* Does a byte the UDF read differ between the slot and `new` in word
 * `i`? (loaded[i] holds the word's eight bytes' bits.) */
static int read_byte_differs(const struct xn_memo_slot *s, const uint8_t *new,
			     size_t i)
{
	for (unsigned k = 0; k < 8; k++)
		if ((s->loaded[i] >> k & 1) &&
		    s->bytes[8 * i + k] != new[8 * i + k])
			return 1;
	return 0;
}

/*
 * Makes slot `s` hold `new`, which differs from it only within the `n`
 * ranges of m[], if every byte where the two differ is one the UDF did
 * not read (then `new`'s set is the slot's): 1 if so, 0 if not. Copies
 * word by word as it compares; stopping half way leaves the slot holding
 * bytes that differ from its own only where the UDF did not read, so
 * what it remembers stays true.
 */
static int take_unread(struct xn_memo_slot *s, const uint8_t *new,
		       const struct xok_xn_mod *m, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t end = ((size_t)m[k].offset + m[k].len + 7) / 8;

		for (size_t i = m[k].offset / 8; i < end; i++) {
			uint64_t w = word(new, i);

			if (w == word(s->bytes, i))
				continue;
			if (read_byte_differs(s, new, i))
				return 0;
			__builtin_memcpy(s->bytes + 8 * i, &w, 8);
		}
	}
	return 1;
}

int xn_memo_change(struct xn_memo *m, const struct xn_context *cx,
		   uint64_t type, const uint8_t *old, const uint8_t *new,
		   const struct xok_xn_mod *mods, size_t nmods,
		   const struct xok_xn_pair **before, size_t *nb,
		   const struct xok_xn_pair **after, size_t *na)
{
	int err = 0;
	struct xn_memo_slot *s = owned(m, cx, type, old, &err);

	if (!s)
		return err;
	hand_out(m, s, before, nb);
	if (take_unread(s, new, mods, nmods)) {
		*after = *before;
		*na = *nb;
		return 0;
	}
	return xn_memo_compute(m, cx, type, new, after, na);
}
