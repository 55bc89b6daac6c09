/*
 * blk: the block layer C-FFS runs on. In a libOS it is XN (the registry
 * is the cache, changes go through xn_modify); on the host, memblk.c
 * keeps the blocks in memory and enforces XN's rules with XN's own code,
 * so the host tools and tests run C-FFS exactly as the libOS does.
 *
 * Blocks are named by number; metadata is reached through its parent
 * (the block that owns it), as XN requires.
 */
#ifndef CFFS_BLK_H
#define CFFS_BLK_H

#include <stddef.h>
#include <stdint.h>
#include <xok/xn.h>

struct cffs_blk;
struct cffs_dindex;

struct cffs_blk_ops {
	/* The bytes of `block`, which `parent` owns (0: the file system's
	 * root block). Valid until the next call; NULL if unreachable. */
	const uint8_t *(*get)(struct cffs_blk *b, uint64_t parent,
			      uint64_t block);
	/* Changes metadata `block` by `mods`, allocating and freeing
	 * exactly the pairs of `delta` (XN's rule). 0 or a negative error. */
	int (*modify)(struct cffs_blk *b, uint64_t block,
		      const struct xok_xn_mod *mods, size_t n,
		      const struct xok_xn_delta *delta);
	/* Writes `len` bytes at `off` of data block `block`. */
	int (*write_data)(struct cffs_blk *b, uint64_t parent, uint64_t block,
			  uint32_t off, const void *bytes, uint32_t len);
	/* A free block at or after `hint` (wrapping), or 0 if the disk is
	 * full. Allocation itself happens in modify. */
	uint64_t (*free_block)(struct cffs_blk *b, uint64_t hint);
	/* Puts every change made so far on disk, in an order that keeps it
	 * consistent at each step; 0 or a negative error. */
	int (*sync)(struct cffs_blk *b);
	/* Changes the two distinct metadata blocks block[0] and block[1]
	 * together: mod[k] to block[k], allocating and freeing exactly the
	 * pairs of `delta` between them, and moving exactly the pairs
	 * `moved` (at most XOK_XN_MAXMOVE) — owned by one of the two before
	 * and by the other after. All or nothing: a refused change leaves
	 * both as they were; an accepted one reaches the disk whole (after
	 * a crash the disk holds both changes or neither). XN's rule is
	 * xn_check_pair (xn/owns.h). 0 or a negative error. */
	int (*modify_pair)(struct cffs_blk *b, const uint64_t block[2],
			   const struct xok_xn_mod mod[2],
			   const struct xok_xn_delta *delta,
			   const struct xok_xn_pair *moved, size_t nmoved);
	/* Starts reading the `n` blocks from `block` on, which `parent`
	 * (cached) owns, into the cache without waiting for them, so that
	 * a later get finds them there: a hint, which may do nothing.
	 * NULL: no cache to fill. */
	void (*prefetch)(struct cffs_blk *b, uint64_t parent, uint64_t block,
			 uint64_t n);
	/* Puts the `n` blocks `blocks` on disk as sync does, with what
	 * each needs there too: the never-written blocks it points to, and
	 * for one never written, the blocks pointing to it. Other changes
	 * may stay in memory. NULL: only sync is offered. 0 or an error. */
	int (*sync_blocks)(struct cffs_blk *b, const uint64_t *blocks,
			   size_t n);
};

struct cffs_blk {
	const struct cffs_blk_ops *ops;
	uint64_t root; /* the SUPER block */
	/* The libOS's clock (ns since 1970) that C-FFS stamps inode times
	 * with; NULL leaves times as cffs_setattr sets them. */
	int64_t (*now)(void);
	/* This instance's directory name index (dindex.h), or NULL to
	 * search directories entry by entry. */
	struct cffs_dindex *index;
};

#endif
