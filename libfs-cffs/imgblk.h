/*
 * imgblk: C-FFS's block layer over an XN disk image file on the host,
 * laid out exactly as the kernel's XN lays out a disk, so an image made
 * here mounts in Xok and one written there is read here. The image is
 * loaded whole into a memblk (images are tens of MiB), which checks
 * every change with XN's code; sync writes the changed blocks, the free
 * map and a clean superblock back. For mkimage's cffs-* tools.
 */
#ifndef CFFS_IMGBLK_H
#define CFFS_IMGBLK_H

#include <stdio.h>

#include "../mkimage/xnimage.h"
#include "memblk.h"

/* The XN root C-FFS lives under on the boot disk (bin/cffstest's). */
#define IMGBLK_ROOT "files"

struct imgblk {
	struct memblk mem; /* first: the block layer is mem.blk */
	FILE *img;         /* NULL once closed */
	int writable;
	struct xnimage_head head;
};

/* Formats `path` as an XN disk of `nblocks` with C-FFS's types in its
 * catalogue and an empty SUPER root named `root` in its first free
 * block, as bin/cffstest makes them in the kernel (cffs_mkfs then makes
 * the file system). 0, or -1 with a message on `err`. */
int imgblk_format(const char *path, uint64_t nblocks, const char *root,
		  FILE *err);

/* Loads image `path` and binds its root named `root` (its free map is
 * rebuilt from every root, which also refuses a damaged XN structure).
 * With `writable`, sync and close write changes back. 0, or -1 with a
 * message on `err`. */
int imgblk_open(struct imgblk *x, const char *path, const char *root,
		int writable, FILE *err);

/* Syncs (if writable) and frees; 0, or -1 if writing failed. */
int imgblk_close(struct imgblk *x);

#endif
