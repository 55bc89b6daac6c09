/*
 * segment: see segment.h.
 */
#include "segment.h"

#include <xok/error.h>
#include <xok/memlayout.h>

#include "proto.h"

int nest_map_range_ok(uint64_t va, uint64_t pages)
{
	return !(va & (XOK_PAGE_SIZE - 1)) && pages && pages <= NEST_SEG_PAGES &&
	       va >= NEST_MAP_BASE && va < NEST_MAP_TOP &&
	       pages <= (NEST_MAP_TOP - va) / XOK_PAGE_SIZE;
}

int nest_seg_live(const struct nest_segs *t, unsigned i)
{
	const struct nest_seg *s = &t->seg[i];

	return s->key && ((s->holder[0] && t->alive(s->holder[0])) ||
			  (s->holder[1] && t->alive(s->holder[1])));
}

uint64_t nest_seg_charged(const struct nest_segs *t, uint64_t account)
{
	uint64_t pages = 0;

	for (unsigned i = 0; i < NEST_MAXSEGS; i++)
		if (t->seg[i].account == account && nest_seg_live(t, i))
			pages += t->seg[i].pages;
	return pages;
}

/* The live segment keyed `key`, or -1. */
static int live_key(const struct nest_segs *t, uint64_t key)
{
	for (unsigned i = 0; i < NEST_MAXSEGS; i++)
		if (t->seg[i].key == key && nest_seg_live(t, i))
			return (int)i;
	return -1;
}

int64_t nest_seg_new(struct nest_segs *t, uint64_t key, uint64_t pages,
		     uint64_t creator, uint64_t partner, uint64_t account)
{
	if (!key || !pages || pages > NEST_SEG_PAGES || partner == creator)
		return E_INVAL;
	if (live_key(t, key) >= 0)
		return E_STATE;
	for (unsigned i = 0; i < NEST_MAXSEGS; i++)
		if (!t->seg[i].key) {
			t->seg[i] = (struct nest_seg){ .key = key,
				.holder = { creator, partner },
				.account = account, .pages = (uint32_t)pages };
			return i;
		}
	return E_AGAIN;
}

int64_t nest_seg_lookup(const struct nest_segs *t, uint64_t key, uint64_t who)
{
	int i = live_key(t, key);

	if (i < 0)
		return E_INVAL;
	if (!who || (t->seg[i].holder[0] != who && t->seg[i].holder[1] != who))
		return E_PERM;
	return i;
}

int nest_seg_dead(const struct nest_segs *t, unsigned i)
{
	return t->seg[i].key && !nest_seg_live(t, i);
}

void nest_seg_clear(struct nest_segs *t, unsigned i)
{
	t->seg[i] = (struct nest_seg){ 0 };
}
