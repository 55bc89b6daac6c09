/*
 * segment: the table of Memory segments a nester serves (proto.h's
 * CREATE_SEGMENT and MAP): sets of pages from its pool, named by a key
 * their creator chooses, given to the creator and at most one partner,
 * charged to an account (the nester's child whose subtree asked). Pure:
 * the frames and the mappings are memory.c's business; this file decides
 * who may have what. Built for the host tests too.
 */
#ifndef NEST_SEGMENT_H
#define NEST_SEGMENT_H

#include <stdint.h>

#define NEST_MAXSEGS 16     /* segments a nester serves at once */
#define NEST_SEG_PAGES 16   /* pages a segment may have */

struct nest_seg {
	uint64_t key;        /* 0: a free entry */
	uint64_t holder[2];  /* creator, partner (or 0) */
	uint64_t account;    /* whose quota its pages count against */
	uint32_t pages;
};

struct nest_segs {
	int (*alive)(uint64_t env); /* a segment no holder of which lives is dead */
	struct nest_seg seg[NEST_MAXSEGS];
};

/* Is [va, va + pages) page-aligned, non-empty, at most NEST_SEG_PAGES,
 * and inside [NEST_MAP_BASE, NEST_MAP_TOP)? */
int nest_map_range_ok(uint64_t va, uint64_t pages);

/* Does some holder of entry `i` live? */
int nest_seg_live(const struct nest_segs *t, unsigned i);

/* Pages of live segments charged to `account`. */
uint64_t nest_seg_charged(const struct nest_segs *t, uint64_t account);

/* Records a segment of `pages` keyed `key`, made by `creator` for
 * itself and `partner` (0: none), charged to `account`, in a free entry
 * (not a dead one: the caller gives a dead one's frames back first, see
 * nest_seg_dead): its number. E_INVAL: key 0, pages 0 or over
 * NEST_SEG_PAGES, partner the creator. E_STATE: a live segment has that
 * key. E_AGAIN: no free entry. */
int64_t nest_seg_new(struct nest_segs *t, uint64_t key, uint64_t pages,
		     uint64_t creator, uint64_t partner, uint64_t account);

/* The live segment keyed `key` that `who` may map: its number. E_INVAL:
 * no live segment has that key. E_PERM: it was not given to `who`. */
int64_t nest_seg_lookup(const struct nest_segs *t, uint64_t key, uint64_t who);

/* Entry `i` is in use and dead: its frames may be given back, then the
 * entry cleared with nest_seg_clear. */
int nest_seg_dead(const struct nest_segs *t, unsigned i);
void nest_seg_clear(struct nest_segs *t, unsigned i);

#endif
