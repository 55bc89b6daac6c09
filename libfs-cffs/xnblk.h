/*
 * xnblk: C-FFS's block layer over XN's calls, for a libOS. XN's buffer
 * cache registry (exported at XOK_UXN) is the cache: a block is found
 * there, bound through its parent when missing, and mapped read-only in
 * a window of the caller's address space (metadata is only ever changed
 * through xn_modify). Data is written through a writable mapping.
 *
 * A mapped block is pinned in the cache. When XN's registry is full,
 * xnblk writes every dirty block back, drops all its mappings and tries
 * again; a block whose parent has been reclaimed meanwhile is bound
 * again through the chain of parents xnblk remembers.
 */
#ifndef CFFS_XNBLK_H
#define CFFS_XNBLK_H

#include <xok/xn.h>

#include "blk.h"
#include "dindex.h"

/* Blocks whose parent xnblk remembers (beyond that, a block whose parent
 * was reclaimed cannot be bound again: the call fails with E_STATE). */
#define XNBLK_PARENTS 8192
#define XNBLK_HELD 64

struct xnblk {
	struct cffs_blk blk;
	uint64_t cap;        /* capability slot opening the root's guard */
	uint64_t root;       /* the root's catalogue index */
	uint64_t nblocks;    /* of the disk, for the free-block search */
	uint64_t window;     /* 2 * XOK_XN_REGISTRY pages of address space */
	uint64_t shown[XOK_XN_REGISTRY]; /* frame mapped at entry i's page, +1 */
	uint8_t writable[XOK_XN_REGISTRY]; /* entry i's writable page in use */
	unsigned mapped;     /* mappings held (each pins an entry) */
	/* The entries mapped, while they fit (`mapped` may count one twice):
	 * forgetting the mappings then visits these, not the registry. */
	uint16_t held[XNBLK_HELD];
	struct xnblk_link {
		uint64_t block, parent; /* parent 0: block is the root */
	} parents[XNBLK_PARENTS];  /* open addressing by block number */
};

/* Binds root `root` of the mounted XN disk (`nblocks` long), using the
 * pages at `window` for mappings. The instance has no name index
 * (blk.index NULL): its owner gives it one, which may be shared with
 * other instances (an index holds only hints, dindex.h). 0 or a negative
 * Xok error. */
int xnblk_open(struct xnblk *x, uint64_t cap, uint64_t root,
	       uint64_t nblocks, uint64_t window);

/* Drops this instance's mappings if it holds more than `keep`: several
 * libFS instances (processes) share XN's registry, and a mapping pins
 * its entry, so none may keep many between operations. */
void xnblk_trim(struct xnblk *x, unsigned keep);

/* The instance was copied, by a fork, into a process that has none of
 * its mappings: it forgets them, and keeps its hints (checked against
 * the registry anyway), so the child starts warm. */
void xnblk_forked(struct xnblk *x);

/* Writes every dirty cached block (anyone may write back), children
 * before the blocks pointing to them, and waits for the disk. 0 or a
 * negative Xok error. */
int xnblk_flush(void);

#endif
