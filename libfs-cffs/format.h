/*
 * format: C-FFS's on-disk structures (4 KiB blocks on an XN disk).
 *
 * Embedded inodes: a file's inode lives inside the directory entry that
 * names it, so a lookup and the stat that follows read one block. A file
 * with several hard links has its inode outside, in an inode block of the
 * inode table, and each entry naming it holds a reference (which owns
 * nothing: the inode block owns the file's blocks).
 *
 * Every metadata block has an XN type, and its owns-UDF (templates.c)
 * names exactly the blocks it points to:
 *   SUPER    the root of the file system (an XN root): the root
 *            directory's inode and the inode table
 *   DIR      CFFS_DIRENTS entries, each an embedded inode (or a reference)
 *   IND1..3  single, double, triple indirect blocks of a file
 *   DIND1..3 the same for a directory (their leaves are DIR blocks)
 *   INOMAP   the inode table: pointers to INODES blocks
 *   INODES   CFFS_INODES_PER_BLOCK external inodes
 */
#ifndef CFFS_FORMAT_H
#define CFFS_FORMAT_H

#include <stdint.h>

#define CFFS_MAGIC 0x53464643u /* "CFFS" */
#define CFFS_VERSION 1
#define CFFS_BLOCK 4096
#define CFFS_NDIRECT 12
#define CFFS_NIND 3
#define CFFS_PTRS_PER_BLOCK (CFFS_BLOCK / 8)
#define CFFS_NAME_MAX 255

/* XN types of C-FFS's metadata (XN's type 0 is plain data). */
#define CFFS_T_SUPER  1
#define CFFS_T_DIR    2
#define CFFS_T_IND1   3
#define CFFS_T_IND2   4
#define CFFS_T_IND3   5
#define CFFS_T_DIND1  6
#define CFFS_T_DIND2  7
#define CFFS_T_DIND3  8
#define CFFS_T_INOMAP 9
#define CFFS_T_INODES 10
#define CFFS_NTYPES   11

/* Mode bits, as Linux numbers them. */
#define CFFS_S_IFMT  0170000
#define CFFS_S_IFDIR 0040000
#define CFFS_S_IFREG 0100000
#define CFFS_S_IFLNK 0120000
#define CFFS_S_IFIFO 0010000 /* a named pipe: a name and attributes only */

/* cffs_inode.flags */
#define CFFS_I_EXTERNAL 0x1 /* this entry only refers to an external inode */

struct cffs_inode { /* 176 bytes */
	uint32_t mode;  /* 0: unused */
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t flags;
	uint32_t gen;   /* a directory's: bumped by each change of its
			 * entries, so a libOS's name index knows when it
			 * is stale (dindex.h); 0 for other files */
	uint64_t size;
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint64_t direct[CFFS_NDIRECT];
	uint64_t ind[CFFS_NIND]; /* single, double, triple indirect */
};

#define CFFS_DIRENT_SIZE 512
#define CFFS_DIRENTS (CFFS_BLOCK / CFFS_DIRENT_SIZE)

struct cffs_dirent { /* CFFS_DIRENT_SIZE bytes */
	struct cffs_inode ino; /* embedded inode, or a reference's mode */
	uint64_t ext_block;    /* CFFS_I_EXTERNAL: its INODES block */
	uint32_t ext_slot;     /* ... and the slot in it */
	uint16_t namelen;
	uint16_t pad;
	char name[CFFS_DIRENT_SIZE - sizeof(struct cffs_inode) - 16];
};

#define CFFS_INODE_SLOT 256
#define CFFS_INODES_PER_BLOCK (CFFS_BLOCK / CFFS_INODE_SLOT)

struct cffs_super {
	uint32_t magic;
	uint32_t version;
	uint64_t inomap;         /* the INOMAP block, or 0 */
	uint64_t group_blocks;   /* size of a directory's small-file group */
	/* Nonzero: a change that can leave an orphan entry or an unlinked
	 * external inode on a crash has run since the last reclaim
	 * (cffs_reclaim walks the tree only then). */
	uint64_t unsettled;
	uint64_t pad[4];
	struct cffs_inode root;  /* the root directory */
};

/* Byte offsets the owns-UDFs read (checked in templates.c). */
#define CFFS_OFF_MODE   0
#define CFFS_OFF_FLAGS  16
#define CFFS_OFF_DIRECT 56
#define CFFS_OFF_IND    152
#define CFFS_OFF_ROOT   64
#define CFFS_OFF_INOMAP 8

#endif
