/*
 * xnmount: a C-FFS on the disk XN mounts, opened through xnblk: what a
 * program on C-FFS does first (see README.md, "A program on C-FFS").
 */
#ifndef CFFS_XNMOUNT_H
#define CFFS_XNMOUNT_H

#include "xnblk.h"

/* Mounts XN's disk 0 and opens the C-FFS under XN root `name` in `x`
 * (mappings at `window`, see xnblk_open), with the name index `index`
 * (emptied here; NULL: none). With `fresh`, on a disk just
 * formatted by xn-mkfs: installs C-FFS's types, creates the root and
 * makes an empty file system there; else releases what a crash left
 * (cffs_reclaim). Times come from Xok's clock (since boot). 0, a
 * negative Xok error, or a CFFS_* error. */
int xnmount_cffs(struct xnblk *x, struct cffs_dindex *index,
		 const char *name, uint64_t window, int fresh);

#endif
