/*
 * fs: the FileSystem and FileDescription protocols (proto.h) served from
 * a folder of a C-FFS — the open-file table and the operations, over any
 * block layer (xnblk on Xok, memblk in the host tests). Pure: who may
 * call, and for whom, is the nester's business (fsnest.h); this file
 * only keeps each owner's handles apart and the paths inside the folder.
 */
#ifndef NEST_FS_H
#define NEST_FS_H

#include <stdint.h>

#include "../libfs-cffs/cffs.h"
#include "proto.h"

#define NEST_MAXFILES 32 /* open handles, all owners together */

struct nest_file {
	uint64_t owner;        /* environment id; 0: a free entry */
	uint32_t fd;           /* the owner's handle */
	uint32_t flags;        /* NEST_O_* */
	uint64_t off;
	struct cffs_loc loc;
	char path[NEST_PATH_MAX]; /* as the owner sees it, normalized */
};

/* An open handle as a checkpoint keeps it (nest_fs_save). */
struct nest_fs_rec {
	uint32_t fd, flags;
	uint64_t off;
	char path[NEST_PATH_MAX];
};

struct nest_fs {
	struct cffs_blk *blk;
	char folder[NEST_PATH_MAX]; /* absolute, normalized; "/" for all */
	int (*alive)(uint64_t owner); /* an entry of a gone owner is free */
	struct nest_file file[NEST_MAXFILES];
};

/* Serves files from `folder` of the C-FFS on `blk`. E_INVAL: folder
 * not absolute or too long. */
int nest_fs_init(struct nest_fs *fs, struct cffs_blk *blk, const char *folder,
		 int (*alive)(uint64_t owner));

/* One FileSystem or FileDescription call (proto.h) for `owner`, whose
 * message page is `msg` (read once where it matters: its owner may
 * change it meanwhile); `whole`: the owner sees the whole file system,
 * not the folder (the nester itself). Returns the result. */
int64_t nest_fs_call(struct nest_fs *fs, uint64_t owner, int whole,
		     uint64_t op, const uint64_t a[3], struct nest_msg *msg);

/* FileDescription MAP's part here: `owner`'s handle `fd` read at
 * `off` from its offset (which does not move), `len` bytes into `buf`,
 * the rest of `len` past the file's end zeroed: bytes of the file read,
 * E_INVAL (no such handle, or its offset is not a multiple of the page
 * size), E_PERM (not opened for reading) or a file-system error. With
 * `len` 0, only the checks. */
int64_t nest_fs_map_read(struct nest_fs *fs, uint64_t owner, uint64_t fd,
			 uint64_t off, void *buf, uint64_t len);

/* Frees every handle of `owner`. */
void nest_fs_drop(struct nest_fs *fs, uint64_t owner);

/* `owner`'s handles as records (at most `max`): how many. */
unsigned nest_fs_save(const struct nest_fs *fs, uint64_t owner,
		      struct nest_fs_rec *out, unsigned max);

/* Opens records `in` (n of them) again for `owner`, with their handles,
 * flags and offsets: 0, E_INVAL (a bad record, or a handle the owner
 * has), E_AGAIN (table full) or a file-system error; nothing is left
 * open on an error. */
int64_t nest_fs_adopt(struct nest_fs *fs, uint64_t owner,
		      const struct nest_fs_rec *in, unsigned n);

#endif
