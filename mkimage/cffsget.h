/*
 * cffsget: reading a C-FFS out to the host: cffs-ls's listing and
 * cffs-extract's copy, so what a program wrote inside Xok can be read
 * on the host.
 */
#ifndef MKIMAGE_CFFSGET_H
#define MKIMAGE_CFFSGET_H

#include <stdio.h>

#include "../libfs-cffs/blk.h"

/* Lists `path` of `b` as ls -l does (a directory's entries, in the
 * order they are stored; times in UTC); with `recursive`, every
 * directory below it too, each after a "PATH:" line. Returns the number
 * of problems, each a line on `err`. */
int cffsget_list(struct cffs_blk *b, const char *path, int recursive,
		 FILE *out, FILE *err);

/* Copies `path` of `b` (a file, a link, or a directory and all below
 * it) to host path `dest`, with modes and times (and owners when run
 * as root). Returns the number of problems, each a line on `err`. */
int cffsget_extract(struct cffs_blk *b, const char *path, const char *dest,
		    FILE *err);

#endif
