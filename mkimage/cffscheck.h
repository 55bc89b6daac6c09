/*
 * cffscheck: cffs-fsck's checks. First XN's (xnimage_check: superblock,
 * templates, roots, every block reachable once, the free map), then
 * C-FFS's own on the file system under one root: its superblock, every
 * directory entry (a name of 1 to CFFS_NAME_MAX bytes without '/' or
 * NUL, not "." or ".." — those are the path walk's, never stored — and
 * no name twice in a directory), file types, link counts (a directory
 * has 2 + its subdirectories, an embedded inode 1, an external inode
 * the entries referring to it; a reference to an empty slot is damage),
 * sizes (within what
 * the indirect blocks can map, no block past the size, no hole in a
 * directory, a symbolic link of 1 to 4095 bytes).
 */
#ifndef MKIMAGE_CFFSCHECK_H
#define MKIMAGE_CFFSCHECK_H

#include <stdio.h>

/*
 * Checks the C-FFS under root `root` of image `path`, one line per
 * problem on `report`. With `repair`, first fixes what is safe to fix —
 * wrong link counts, a free map (or a superblock's clean flag) that
 * disagrees with what the roots reach, and what a crash leaves (orphan
 * entries, external inodes with no link: released with their blocks) —
 * saying what it fixed, then checks again. Returns the number of problems (left), or -1 if the
 * image cannot be read at all.
 */
int cffscheck(const char *path, const char *root, int repair, FILE *report);

#endif
