/*
 * xnimage: XN disks in image files on the host: formatting one, and
 * checking one with the same UDF interpreter and reconstruction code the
 * kernel runs (xn/). The commands xn-mkfs and xn-fsck are thin mains
 * around these; tests/unit/test_xnimage.c drives them directly.
 */
#ifndef MKIMAGE_XNIMAGE_H
#define MKIMAGE_XNIMAGE_H

#include <stdint.h>
#include <stdio.h>
#include <xok/xn.h>

/* Formats `path` as an XN disk of `nblocks` blocks (creating or resizing
 * the file). Returns 0, or -1 with a message on `err`. */
int xnimage_format(const char *path, uint64_t nblocks, FILE *err);

/*
 * Checks the XN disk in `path`: superblock, every installed template,
 * every root, every block reachable exactly once, and the on-disk free
 * map equal to the rebuilt one. Reports each problem as one line on
 * `report`. Returns the number of problems (0: consistent), or -1 if the
 * file cannot be read.
 */
int xnimage_check(const char *path, FILE *report);

/* What an image's fixed blocks say: its layout and its catalogues. */
struct xnimage_head {
	struct xok_xn_super super;
	struct xok_xn_template types[XOK_XN_MAXTYPES];
	struct xok_xn_root roots[XOK_XN_MAXROOTS];
};

#define XNIMAGE_UNREADABLE (-1)
#define XNIMAGE_BAD_SUPER  (-2)

/*
 * Reads the head of open image `img` (`path` in messages): its
 * superblock, checked against the file's size, and its catalogues,
 * dropping each template XN's checker refuses (as the kernel's mount
 * does) with a line on `report`. Returns the number of templates
 * dropped, or XNIMAGE_UNREADABLE or XNIMAGE_BAD_SUPER, also reported.
 */
int xnimage_load(FILE *img, const char *path, struct xnimage_head *h,
		 FILE *report);

/* A checker's closing line for `problems` as xnimage_check counts them
 * on `out`; returns the command's exit status: 0 consistent, 1 not,
 * 2 unreadable. */
int xnimage_verdict(const char *path, int problems, FILE *out);

/* What xn_rebuild's error `r` means, for a message about a block. */
const char *xnimage_strerror(int r);

/* Reads or writes block `b` of an open image; 0 or -1. */
int xnimage_read(FILE *img, uint64_t b, void *buf);
int xnimage_write(FILE *img, uint64_t b, const void *buf);

#endif
