/*
 * cffs: C-FFS's file operations over a block layer (blk.h): the same code
 * in a libOS (over XN) and on the host (over memblk). Paths are absolute
 * or relative to the root; "." and ".." are understood. Symbolic links
 * are not followed here: that is the libOS's namespace's job (a link in
 * the middle of a path is CFFS_ENOTDIR).
 *
 * Errors are negative Linux errno values, so a Unix libOS passes them on
 * to programs unchanged.
 */
#ifndef CFFS_CFFS_H
#define CFFS_CFFS_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "format.h"

#define CFFS_EPERM   (-1)
#define CFFS_ENOENT  (-2)
#define CFFS_EIO     (-5)
#define CFFS_EEXIST  (-17)
#define CFFS_ENOTDIR (-20)
#define CFFS_EISDIR  (-21)
#define CFFS_EINVAL  (-22)
#define CFFS_EFBIG   (-27)
#define CFFS_ENOSPC  (-28)
#define CFFS_ENAMETOOLONG (-36)
#define CFFS_ENOTEMPTY (-39)

/* Where an inode (or a block pointer) lives: at byte `off` of metadata
 * block `block`, which `parent` owns (0 for the root block). */
struct cffs_loc {
	uint64_t parent, block;
	uint32_t off;
};

/* Makes an empty file system (a root directory, mode 0755) on `b`. */
int cffs_mkfs(struct cffs_blk *b);
/* 0 if `b` holds a C-FFS of this version, else CFFS_EINVAL. */
int cffs_mount(struct cffs_blk *b);

/* Where the inode `path` names lives (for a file with several links, in
 * the inode table). A location stays valid until that file is renamed,
 * linked or unlinked. */
int cffs_lookup(struct cffs_blk *b, const char *path, struct cffs_loc *out);
/* Creates `path` (a regular file or directory by `mode`'s type bits);
 * CFFS_EEXIST if the name is taken. `out` may be NULL. */
int cffs_create(struct cffs_blk *b, const char *path, uint32_t mode,
		struct cffs_loc *out);
/* Creates symbolic link `path` holding `target` (its data). */
int cffs_symlink(struct cffs_blk *b, const char *path, const char *target);
/* The target of link `at` into `buf` (not NUL-terminated): its length,
 * CFFS_EINVAL if `at` is not a link, or an error. */
long cffs_readlink(struct cffs_blk *b, const struct cffs_loc *at, char *buf,
		   size_t len);
/* Removes a name: a file's, or an empty directory's. A file's blocks
 * are freed with its last link. */
int cffs_unlink(struct cffs_blk *b, const char *path);
/* mkdir and rmdir: cffs_create of a directory (permission bits from
 * `mode`), and cffs_unlink of an empty one (CFFS_ENOTDIR for anything
 * else, CFFS_ENOTEMPTY if it names something). */
int cffs_mkdir(struct cffs_blk *b, const char *path, uint32_t mode);
int cffs_rmdir(struct cffs_blk *b, const char *path);

/*
 * POSIX rename: `from`'s entry takes the name `to`, replacing what `to`
 * names — a file by a file (the replaced file loses that link; its
 * blocks go with its last), an empty directory by a directory. The name
 * switches files in one change that reaches the disk whole. Errors:
 * CFFS_ENOTDIR (a directory over a non-directory), CFFS_EISDIR (the
 * reverse), CFFS_ENOTEMPTY (over a directory naming something),
 * CFFS_EINVAL (a directory into its own subtree; from or to the root,
 * "." or ".."), CFFS_ENOENT. Two names of one file: nothing happens.
 */
int cffs_rename(struct cffs_blk *b, const char *from, const char *to);

/*
 * Hard link: `path` becomes another name of the file `existing` names.
 * The first extra link moves the file's inode from its entry into the
 * inode table (with its blocks) and leaves a reference there; each name
 * then refers to it, and its nlink counts them. CFFS_EPERM for a
 * directory, CFFS_EEXIST if `path` is taken, CFFS_ENOSPC.
 */
int cffs_link(struct cffs_blk *b, const char *existing, const char *path);

int cffs_stat(struct cffs_blk *b, const struct cffs_loc *at,
	      struct cffs_inode *out);
/* Bytes read or written, or a negative error. Holes read as zeros. */
long cffs_read(struct cffs_blk *b, const struct cffs_loc *at, uint64_t off,
	       void *buf, size_t len);
long cffs_write(struct cffs_blk *b, const struct cffs_loc *at, uint64_t off,
		const void *buf, size_t len);
/* What cffs_setattr changes: the fields whose CFFS_SET_* bit is set. */
#define CFFS_SET_MODE  0x1 /* permission bits only; the type stays */
#define CFFS_SET_OWNER 0x2 /* uid and gid */
#define CFFS_SET_ATIME 0x4
#define CFFS_SET_MTIME 0x8
#define CFFS_SET_CTIME 0x10
int cffs_setattr(struct cffs_blk *b, const struct cffs_loc *at,
		 const struct cffs_inode *attr, unsigned what);

/* Puts the file at `at` on disk with everything it depends on (its
 * blocks, its inode, the blocks that make a new one reachable), leaving
 * other files' changes in memory where the block layer can (xnblk;
 * memblk syncs everything). */
int cffs_fsync(struct cffs_blk *b, const struct cffs_loc *at);

/* Sets a file's size (ftruncate): shorter frees every block past the
 * new end (indirect blocks bottom-up) and zeroes the rest of the last
 * block; longer leaves a hole up to the new end. CFFS_EISDIR for a
 * directory, CFFS_EFBIG past the largest file C-FFS holds, CFFS_EIO. */
int cffs_set_size(struct cffs_blk *b, const struct cffs_loc *at,
		  uint64_t size);

/* cffs_set_size(b, at, 0). */
int cffs_truncate(struct cffs_blk *b, const struct cffs_loc *at);

/*
 * What a crash can leave, reclaimed (cffs-fsck --repair; see README.md):
 * cffs_release_orphan releases the orphan entry at `at` (an inode
 * without a name, from an interrupted rename or unlink) with its blocks,
 * or its link to an external inode; cffs_free_unlinked frees the
 * external inode at `at` (in the inode table) whose last link went, with
 * its blocks. CFFS_EINVAL if `at` is not such a thing.
 */
int cffs_release_orphan(struct cffs_blk *b, const struct cffs_loc *at);
int cffs_free_unlinked(struct cffs_blk *b, const struct cffs_loc *at);

/* What a libOS calls once when it mounts the disk (not in every process):
 * releases every orphan entry and unlinked external inode, if the
 * superblock's `unsettled` says a change that can leave one has run
 * since the last reclaim, and clears it. The number released, or a
 * CFFS_* error. */
int cffs_reclaim(struct cffs_blk *b);

/* The next entry of directory `dir` from `*cursor` (start at 0): 1 with
 * its name (NUL-terminated) and inode, 0 at the end, or an error. */
int cffs_readdir(struct cffs_blk *b, const struct cffs_loc *dir,
		 uint64_t *cursor, char name[CFFS_NAME_MAX + 1],
		 struct cffs_inode *ino);

#endif
