/*
 * xnblk: C-FFS's block layer over XN's calls, for a libOS. XN's buffer
 * cache registry (exported at XOK_UXN) is the cache: a block is found
 * there, bound through its parent when missing, and mapped read-only in
 * a window of the caller's address space (metadata is only ever changed
 * through xn_modify). Data is written through a writable mapping.
 *
 * A mapped block is pinned in the cache, and xnblk keeps every block it
 * has touched mapped: the working set must fit XN's registry
 * (XOK_XN_REGISTRY blocks). Unmapping cold blocks is still to come.
 */
#ifndef CFFS_XNBLK_H
#define CFFS_XNBLK_H

#include <xok/xn.h>

#include "blk.h"

struct xnblk {
	struct cffs_blk blk;
	uint64_t cap;        /* capability slot opening the root's guard */
	uint64_t root;       /* the root's catalogue index */
	uint64_t nblocks;    /* of the disk, for the free-block search */
	uint64_t window;     /* 2 * XOK_XN_REGISTRY pages of address space */
	uint64_t shown[XOK_XN_REGISTRY]; /* block mapped at entry i's page, +1 */
};

/* Binds root `root` of the mounted XN disk (`nblocks` long), using the
 * pages at `window` for mappings. 0 or a negative Xok error. */
int xnblk_open(struct xnblk *x, uint64_t cap, uint64_t root,
	       uint64_t nblocks, uint64_t window);

/* Writes every dirty cached block (anyone may write back), children
 * before the blocks pointing to them, and waits for the disk. 0 or a
 * negative Xok error. */
int xnblk_flush(void);

#endif
