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

/* Reads or writes block `b` of an open image; 0 or -1. */
int xnimage_read(FILE *img, uint64_t b, void *buf);
int xnimage_write(FILE *img, uint64_t b, const void *buf);

#endif
