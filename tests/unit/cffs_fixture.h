/*
 * What the C-FFS host tests share: a file system in memory (memblk,
 * which checks every change with XN's code) and a byte pattern to fill
 * files with and check them against.
 */
#ifndef TESTS_CFFS_FIXTURE_H
#define TESTS_CFFS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/memblk.h"

extern struct memblk m;
extern struct cffs_blk *b;

/* A fresh file system of `nblocks` blocks in `m`. */
void fresh(uint64_t nblocks);
/* Checks the free map against the one rebuilt from the root (nothing
 * leaked or lost), then frees `m`. */
void done(void);
int same(struct cffs_loc x, struct cffs_loc y);

/* Byte i of the test pattern at file offset `off`. */
uint8_t pattern(uint64_t off);
/* Reads [off, off + len) of `f`: the pattern, or zeros for a `hole`. */
void check_range(const struct cffs_loc *f, uint64_t off, size_t len,
		 int hole);
void write_pattern(const struct cffs_loc *f, uint64_t off, size_t len);

#endif
