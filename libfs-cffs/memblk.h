/*
 * memblk: C-FFS's block layer in host memory, with XN's checks: every
 * modification is applied to a copy and accepted only if xn_check_change
 * agrees with its delta; allocated blocks must be free, and the free map
 * is kept as XN keeps it. For mkfs, fsck and the tests; imgblk.c loads
 * an XN image file into one and writes it back.
 */
#ifndef CFFS_MEMBLK_H
#define CFFS_MEMBLK_H

#include "blk.h"

struct memblk {
	struct cffs_blk blk;
	uint64_t nblocks;
	struct xok_xn_super layout; /* where XN's own blocks are */
	uint64_t first_free; /* blocks below it are XN's own */
	uint8_t (*data)[4096];
	uint8_t *map; /* a bit per block, 1 = in use (whole 4 KiB blocks) */
	uint8_t *type; /* each block's XN type, as its allocation declared */
	uint64_t *owner; /* the block that allocated it (XN's registry
			  * knows each cached block's parent the same way);
			  * 0: not known yet, for a block read from an
			  * image, until it is first reached */
	uint8_t *dirty; /* a bit per block changed since the last sync */
	/* What sync does (imgblk: write the changes to the image file);
	 * NULL: nothing, memory is the disk. */
	int (*persist)(struct memblk *m);
	struct xok_xn_template types[XOK_XN_MAXTYPES];
};

/* A zeroed disk of `nblocks` with C-FFS's types installed and the first
 * block after XN's own as an empty SUPER root; 0 or -1 (out of memory, or too small). */
int memblk_init(struct memblk *m, uint64_t nblocks);
/* The zeroed arrays of a disk of `nblocks`, nothing else set; 0 or -1. */
int memblk_alloc(struct memblk *m, uint64_t nblocks);
void memblk_free(struct memblk *m);

/* Rebuilds the free map from the root with XN's code and compares it
 * with the one kept: 0 if equal (the disk is consistent), else -1. The
 * blocks below first_free count as XN's own; other roots are not known
 * here (an image's are checked by xnimage_check). */
int memblk_check(struct memblk *m);

/* Free blocks in the map. */
uint64_t memblk_free_count(const struct memblk *m);

#endif
