/*
 * pool: a memory manager's side of demand paging. The nester gets a pool
 * of pages from its own parent once (Memory GROW into its heap) and
 * serves its subtree's Memory FAULT calls from it: a zeroed pool page
 * mapped where the program touched its heap, each child's subtree
 * holding at most the nester's quota. A page whose holder is gone is
 * free again (zeroed before it is handed out anew). Other calls are
 * served as nester_default does (GROW goes on up).
 *
 * The pool's pages are named by the nester's own capability (the root
 * names pages by the capability of the environment they are for,
 * memory.h), which its server's dominates: it may be a nester's child at
 * any depth.
 */
#ifndef NEST_POOL_H
#define NEST_POOL_H

#include <stdint.h>

#include "nester.h"

#define NEST_POOL_MAX 64

/* What the pool did, for reports. */
struct nest_pool_stats {
	uint64_t served, refused;
};
extern struct nest_pool_stats nest_pool_stats;

/* Makes this environment a nester (nester_start) serving faults from a
 * pool of `pages` (at most NEST_POOL_MAX), each child's subtree holding
 * at most `quota`: 0, E_INVAL, E_NOMEM (the parent refused the pool),
 * or nester_start's error. */
int nest_pool_start(unsigned pages, uint32_t quota);

int64_t nest_pool_serve(struct nester *n, struct nest_req *rq);

#endif
