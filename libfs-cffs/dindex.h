/*
 * dindex: a libFS instance's index of directory entries by name, so a
 * lookup in a large directory does not read every entry block, and a
 * create learns that a name is free without a scan.
 *
 * Memory only, per instance (each process has its own), bounded, and
 * never trusted over the disk: a name found here is checked against
 * the entry it points to, and "no such name" is believed only while
 * the directory's entry generation (cffs_inode.gen, bumped by every
 * change of its entries, by whichever process) is the one the index
 * was built at. Anything stale is dropped, not repaired.
 */
#ifndef CFFS_DINDEX_H
#define CFFS_DINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cffs.h"

#define DINDEX_DIRS 32
#define DINDEX_NAMES 4096 /* a power of two; filled to 3/4 at most */

struct dindex_dir {
	struct cffs_loc at; /* the directory's inode; block 0: unused */
	uint32_t gen;       /* its entry generation when indexed */
	uint32_t epoch;     /* names of an older epoch are stale */
	int complete;       /* every named entry is in the table */
	uint64_t free_from; /* no free slot before this one (a slot number) */
};

struct dindex_name {
	uint32_t hash;  /* of the name; 0 for an empty slot */
	uint16_t dir;   /* index in dirs[] */
	uint16_t live;  /* 0: removed (a tombstone) */
	uint32_t epoch; /* of dirs[dir] when added */
	struct cffs_loc at; /* the entry */
};

struct cffs_dindex {
	struct dindex_dir dirs[DINDEX_DIRS];
	struct dindex_name names[DINDEX_NAMES];
	unsigned used;      /* name slots taken, tombstones too */
	unsigned next_dir;  /* the record to reuse next */
};

/* Forgets everything (as if the instance had just started). */
void dindex_reset(struct cffs_dindex *ix);

/* Drops what `d` knows (its names, completeness, free-slot hint). */
void dindex_forget(struct dindex_dir *d);

/* The record of directory `dir`, whose inode says generation `gen`:
 * the one kept if it was built at that generation, else a fresh,
 * empty, incomplete one. Never NULL. */
struct dindex_dir *dindex_dir(struct cffs_dindex *ix,
			      const struct cffs_loc *dir, uint32_t gen);

uint32_t dindex_hash(const char *name, size_t len);

/* The candidates for a name of `hash` in `d`, one per call: start with
 * *pos = 0; 1 with the entry's place in `out`, or 0 when there are no
 * more. The caller checks each against the entry. */
int dindex_next(const struct cffs_dindex *ix, const struct dindex_dir *d,
		uint32_t hash, unsigned *pos, struct cffs_loc *out);

/* Records the name of `hash` at `at` in `d` (once). When the table is
 * full it is emptied first, which leaves every directory incomplete. */
void dindex_add(struct cffs_dindex *ix, struct dindex_dir *d, uint32_t hash,
		const struct cffs_loc *at);

/* The name of `hash` at `at` in `d` is gone. */
void dindex_remove(struct cffs_dindex *ix, const struct dindex_dir *d,
		   uint32_t hash, const struct cffs_loc *at);

#endif
