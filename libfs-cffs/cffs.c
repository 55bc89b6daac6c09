/*
 * cffs: lookup, create, read, write, truncate, unlink, readdir, rename
 * and hard links.
 *
 * Every change is one xn_modify-shaped call on one metadata block with
 * the exact delta of blocks it allocates or frees, so XN can check it;
 * a change that must reach the disk whole across two blocks (an entry
 * moving, a link count with the entry it counts) is one modify_pair.
 * Blocks are allocated next to the block holding the inode: a small
 * file's data lands beside its directory entry (C-FFS's co-location).
 */
#include "cffs.h"

#include <stddef.h>

#include "dindex.h"

/* Ours, not the C library's: C-FFS is built freestanding for libOSes. */
#include "../lib/string.h"

#define ROOT_LOC(b) ((struct cffs_loc){ 0, (b)->root, CFFS_OFF_ROOT })
#define PTRS CFFS_PTRS_PER_BLOCK
#define MAX_DEPTH 64 /* directories a path may descend */

static int is_dir(const struct cffs_inode *ino)
{
	return (ino->mode & CFFS_S_IFMT) == CFFS_S_IFDIR;
}

/* A directory entry is free (no mode), named, or an orphan: an embedded
 * inode without a name, on its way out (see release_entry), which
 * lookups and readdir do not see. A named entry holds an embedded inode,
 * or with CFFS_I_EXTERNAL refers to an external one. */
static int named(const struct cffs_dirent *e)
{
	return e->ino.mode && e->namelen;
}

static int is_ref(const struct cffs_inode *ino)
{
	return (ino->flags & CFFS_I_EXTERNAL) != 0;
}

static const uint8_t *get(struct cffs_blk *b, uint64_t parent,
			  uint64_t block)
{
	return b->ops->get(b, parent, block);
}

static int modify(struct cffs_blk *b, uint64_t block, uint32_t off,
		  const void *bytes, uint32_t len,
		  const struct xok_xn_delta *d)
{
	static const struct xok_xn_delta none;
	struct xok_xn_mod m = { off, len, (uint64_t)(uintptr_t)bytes };

	return b->ops->modify(b, block, &m, 1, d ? d : &none) ? CFFS_EIO : 0;
}

/* Copies `len` bytes at `at` (an inode, or a whole entry) to `out`. */
static int load_bytes(struct cffs_blk *b, const struct cffs_loc *at,
		      void *out, size_t len)
{
	const uint8_t *p = get(b, at->parent, at->block);

	if (!p)
		return CFFS_EIO;
	memcpy(out, p + at->off, len);
	return 0;
}

static int load(struct cffs_blk *b, const struct cffs_loc *at,
		struct cffs_inode *ino)
{
	return load_bytes(b, at, ino, sizeof(*ino));
}

static int load_entry(struct cffs_blk *b, const struct cffs_loc *at,
		      struct cffs_dirent *e)
{
	return load_bytes(b, at, e, sizeof(*e));
}

static int store(struct cffs_blk *b, const struct cffs_loc *at,
		 const struct cffs_inode *ino, const struct xok_xn_delta *d)
{
	return modify(b, at->block, at->off, ino, sizeof(*ino), d);
}

static uint64_t read_ptr(struct cffs_blk *b, const struct cffs_loc *p)
{
	const uint8_t *blk = get(b, p->parent, p->block);
	uint64_t v = 0;

	if (blk)
		memcpy(&v, blk + p->off, sizeof(v));
	return v;
}

/* Allocates a block of `type` near `hint` into the empty pointer at `p`. */
static int alloc_into(struct cffs_blk *b, const struct cffs_loc *p,
		      uint64_t type, uint64_t hint, uint64_t *out)
{
	struct xok_xn_delta d = { .nadd = 1 };
	uint64_t blk = b->ops->free_block(b, hint);

	if (!blk)
		return CFFS_ENOSPC;
	d.add[0] = (struct xok_xn_pair){ blk, type };
	if (modify(b, p->block, p->off, &blk, sizeof(blk), &d))
		return CFFS_EIO;
	*out = blk;
	return 0;
}

/*
 * The pointer to block `idx` of the file at `at`: direct, or through one
 * to three levels of indirect blocks (IND* for a file, DIND* for a
 * directory, whose leaves are DIR blocks). With `alloc`, missing
 * indirect blocks are allocated on the way; else *ptr is left at the
 * first missing one and 1 is returned for a hole.
 */
static int find_ptr(struct cffs_blk *b, const struct cffs_loc *at,
		    const struct cffs_inode *ino, uint64_t idx, int alloc,
		    struct cffs_loc *ptr)
{
	uint64_t base = is_dir(ino) ? CFFS_T_DIND1 : CFFS_T_IND1, span = 1;
	unsigned level;

	if (idx < CFFS_NDIRECT) {
		*ptr = (struct cffs_loc){ at->parent, at->block,
			at->off + CFFS_OFF_DIRECT + 8 * (uint32_t)idx };
		return 0;
	}
	idx -= CFFS_NDIRECT;
	for (level = 1; level <= CFFS_NIND; level++) {
		span *= PTRS;
		if (idx < span)
			break;
		idx -= span;
	}
	if (level > CFFS_NIND)
		return CFFS_EFBIG;
	*ptr = (struct cffs_loc){ at->parent, at->block,
		at->off + CFFS_OFF_IND + 8 * (level - 1) };
	for (; level > 0; level--) {
		uint64_t next = read_ptr(b, ptr);
		int r;

		if (!next && !alloc)
			return 1;
		if (!next && (r = alloc_into(b, ptr, base + level - 1,
					     at->block, &next)))
			return r;
		span /= PTRS;
		*ptr = (struct cffs_loc){ ptr->block, next,
			(uint32_t)(8 * (idx / span % PTRS)) };
	}
	return 0;
}

/* Block `idx` of the file (0 for a hole), with the block owning it. */
static int block_of(struct cffs_blk *b, const struct cffs_loc *at,
		    const struct cffs_inode *ino, uint64_t idx, int alloc,
		    uint64_t *owner, uint64_t *blk)
{
	uint64_t leaf = is_dir(ino) ? CFFS_T_DIR : XOK_XN_DATA;
	struct cffs_loc p;
	int r = find_ptr(b, at, ino, idx, alloc, &p);

	*blk = 0;
	if (r)
		return r < 0 ? r : 0;
	*owner = p.block;
	*blk = read_ptr(b, &p);
	if (!*blk && alloc)
		return alloc_into(b, &p, leaf, at->block, blk);
	return 0;
}

/* Blocks read ahead at once: a file's next ones, a directory's, or the
 * small files of one directory block (a group). */
#define READ_AHEAD 16

/* Starts reading the `n` blocks blocks[], owned by owners[], into the
 * block layer's cache: those in a row under one owner in one prefetch. */
static void prefetch_runs(struct cffs_blk *b, const uint64_t *owners,
			  const uint64_t *blocks, unsigned n)
{
	for (unsigned i = 0, len; i < n; i += len) {
		for (len = 1; i + len < n && owners[i + len] == owners[i] &&
		     blocks[i + len] == blocks[i] + len; len++)
			;
		b->ops->prefetch(b, owners[i], blocks[i], len);
	}
}

/* Starts reading blocks [first, first + READ_AHEAD) of the file at `at`
 * (those there are) into the block layer's cache. */
static void read_ahead(struct cffs_blk *b, const struct cffs_loc *at,
		       const struct cffs_inode *ino, uint64_t first)
{
	uint64_t end = (ino->size + CFFS_BLOCK - 1) / CFFS_BLOCK;
	uint64_t owners[READ_AHEAD], blocks[READ_AHEAD];
	unsigned n = 0;

	if (!b->ops->prefetch)
		return;
	for (uint64_t i = first; i < first + READ_AHEAD && i < end; i++)
		if (!block_of(b, at, ino, i, 0, &owners[n], &blocks[n]) &&
		    blocks[n])
			n++;
	prefetch_runs(b, owners, blocks, n);
}

/* Sets the times `what` (CFFS_SET_ATIME...) of `ino` to now. */
static void stamp(struct cffs_blk *b, struct cffs_inode *ino, unsigned what)
{
	int64_t t;

	if (!b->now)
		return;
	t = b->now();
	if (what & CFFS_SET_ATIME)
		ino->atime_ns = t;
	if (what & CFFS_SET_MTIME)
		ino->mtime_ns = t;
	if (what & CFFS_SET_CTIME)
		ino->ctime_ns = t;
}

#define CHANGED (CFFS_SET_MTIME | CFFS_SET_CTIME)

static uint64_t nblocks(const struct cffs_inode *ino)
{
	return (ino->size + CFFS_BLOCK - 1) / CFFS_BLOCK;
}

int cffs_mkfs(struct cffs_blk *b)
{
	struct cffs_super s = { .magic = CFFS_MAGIC, .version = CFFS_VERSION };

	s.root.mode = CFFS_S_IFDIR | 0755;
	s.root.nlink = 2;
	return modify(b, b->root, 0, &s, sizeof(s), NULL);
}

int cffs_mount(struct cffs_blk *b)
{
	const uint8_t *p = get(b, 0, b->root);
	struct cffs_super s;

	if (!p)
		return CFFS_EIO;
	memcpy(&s, p, sizeof(s));
	if (s.magic != CFFS_MAGIC || s.version != CFFS_VERSION ||
	    !is_dir(&s.root))
		return CFFS_EINVAL;
	return 0;
}

int cffs_stat(struct cffs_blk *b, const struct cffs_loc *at,
	      struct cffs_inode *out)
{
	return load(b, at, out);
}

long cffs_read(struct cffs_blk *b, const struct cffs_loc *at, uint64_t off,
	       void *buf, size_t len)
{
	struct cffs_inode ino;
	size_t done = 0;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if (is_dir(&ino))
		return CFFS_EISDIR;
	if (off >= ino.size)
		return 0;
	if (len > ino.size - off)
		len = (size_t)(ino.size - off);
	while (done < len) {
		uint64_t pos = off + done, owner, blk;
		uint32_t in = (uint32_t)(pos % CFFS_BLOCK);
		size_t n = CFFS_BLOCK - in < len - done ? CFFS_BLOCK - in
							: len - done;
		const uint8_t *p;

		if (pos / CFFS_BLOCK % READ_AHEAD == 0 || !done)
			read_ahead(b, at, &ino, pos / CFFS_BLOCK);
		if ((r = block_of(b, at, &ino, pos / CFFS_BLOCK, 0, &owner,
				  &blk)))
			return r;
		p = blk ? get(b, owner, blk) : NULL;
		if (blk && !p)
			return CFFS_EIO;
		if (p)
			memcpy((uint8_t *)buf + done, p + in, n);
		else
			memset((uint8_t *)buf + done, 0, n);
		done += n;
	}
	return (long)done;
}

/* A free block at or after `hint` that the delta `d` does not allocate
 * already (the block layer's answer is not reserved until the change is
 * made), or 0 if the disk is full. */
static uint64_t fresh_block(struct cffs_blk *b, const struct xok_xn_delta *d,
			    uint64_t hint)
{
	for (unsigned tries = 0; tries <= d->nadd; tries++) {
		uint64_t blk = b->ops->free_block(b, hint);
		int taken = 0;

		for (uint64_t i = 0; i < d->nadd; i++)
			taken |= d->add[i].block == blk;
		if (!taken)
			return blk;
		hint = blk + 1;
	}
	return 0;
}

/* Pointers in the run holding file block `idx`'s (found at `p`): the
 * direct ones, or one pointer block's. *before gets how many of them
 * come before it. */
static uint64_t run_length(uint64_t idx, const struct cffs_loc *p,
			   uint64_t *before)
{
	*before = idx < CFFS_NDIRECT ? idx : p->off / 8;
	return idx < CFFS_NDIRECT ? CFFS_NDIRECT : PTRS;
}

/*
 * The blocks of `want` (at least 1) file blocks from `idx`, whose
 * pointer is at `p`, as far as they share its run of pointers and a
 * delta's worth: those missing are allocated in one change of the block
 * holding the run, in a row after the block before them (the one the
 * previous pointer names, else the inode's block). *n gets how many
 * blocks `blks` holds: fewer if the disk fills, CFFS_ENOSPC if none.
 */
static int fill_run(struct cffs_blk *b, const struct cffs_loc *at,
		    uint64_t idx, const struct cffs_loc *p, uint64_t want,
		    uint64_t *blks, size_t *n)
{
	struct xok_xn_delta d = { 0 };
	const uint8_t *run = get(b, p->parent, p->block);
	uint64_t before, len = run_length(idx, p, &before) - before;
	uint64_t prev = 0, hint;

	if (!run)
		return CFFS_EIO;
	len = len < want ? len : want;
	len = len < XOK_XN_MAXDELTA ? len : XOK_XN_MAXDELTA;
	memcpy(blks, run + p->off, len * 8);
	if (before)
		memcpy(&prev, run + p->off - 8, 8);
	hint = prev ? prev + 1 : at->block;
	for (uint64_t k = 0; k < len; hint = blks[k++] + 1) {
		if (blks[k])
			continue;
		if (!(blks[k] = fresh_block(b, &d, hint))) {
			if (!k)
				return CFFS_ENOSPC;
			len = k; /* the disk is full: as far as it goes */
			break;
		}
		d.add[d.nadd++] = (struct xok_xn_pair){ blks[k], XOK_XN_DATA };
	}
	*n = (size_t)len;
	return d.nadd ? modify(b, p->block, p->off, blks, 8 * (uint32_t)len,
			       &d)
		      : 0;
}

static long write_blocks(struct cffs_blk *b, const struct cffs_loc *at,
			 struct cffs_inode *ino, uint64_t off,
			 const uint8_t *buf, size_t len)
{
	uint64_t blks[XOK_XN_MAXDELTA], last = (off + len - 1) / CFFS_BLOCK;
	size_t done = 0, used = 0, held = 0;
	struct cffs_loc p = { 0 };

	while (done < len) {
		uint64_t pos = off + done;
		uint32_t in = (uint32_t)(pos % CFFS_BLOCK);
		size_t n = CFFS_BLOCK - in < len - done ? CFFS_BLOCK - in
							: len - done;
		int r = 0;

		if (used == held) {
			used = 0;
			if ((r = find_ptr(b, at, ino, pos / CFFS_BLOCK, 1, &p)) ||
			    (r = fill_run(b, at, pos / CFFS_BLOCK, &p,
					  last - pos / CFFS_BLOCK + 1, blks,
					  &held)))
				return done ? (long)done : r;
		}
		if (b->ops->write_data(b, p.block, blks[used++], in, buf + done,
				       (uint32_t)n))
			return done ? (long)done : CFFS_EIO;
		done += n;
	}
	return (long)done;
}

/*
 * A write that lies within the direct blocks and allocates at most a
 * delta's worth: the blocks, the size and the times in one change of the
 * inode, before the data (XN writes the inode after its new blocks).
 * 1 if the write is not of that kind; else 0 or an error.
 */
static int grow_direct(struct cffs_blk *b, const struct cffs_loc *at,
		       struct cffs_inode *ino, uint64_t off, size_t len)
{
	struct cffs_inode next = *ino;
	struct xok_xn_delta d = { 0 };
	uint64_t hint = at->block;

	if (!len || off + len > CFFS_NDIRECT * (uint64_t)CFFS_BLOCK)
		return 1;
	for (uint64_t i = off / CFFS_BLOCK; i <= (off + len - 1) / CFFS_BLOCK;
	     i++) {
		if (next.direct[i])
			continue;
		if (d.nadd == XOK_XN_MAXDELTA)
			return 1;
		/* In a row, each after the last. */
		if (!(hint = fresh_block(b, &d, hint)))
			return CFFS_ENOSPC;
		d.add[d.nadd++] = (struct xok_xn_pair){ hint, XOK_XN_DATA };
		next.direct[i] = hint++;
	}
	if (off + len > next.size)
		next.size = off + len;
	stamp(b, &next, CHANGED);
	if (store(b, at, &next, &d))
		return CFFS_EIO;
	*ino = next;
	return 0;
}

long cffs_write(struct cffs_blk *b, const struct cffs_loc *at, uint64_t off,
		const void *buf, size_t len)
{
	struct cffs_inode ino;
	long n;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if (is_dir(&ino))
		return CFFS_EISDIR;
	if (off + len < off)
		return CFFS_EFBIG;
	if ((r = grow_direct(b, at, &ino, off, len)) <= 0)
		return r ? r : write_blocks(b, at, &ino, off, buf, len);
	n = write_blocks(b, at, &ino, off, buf, len);
	if (n <= 0)
		return n;
	/* The pointers changed under us: reload before setting the size. */
	if ((r = load(b, at, &ino)))
		return r;
	if (off + (uint64_t)n > ino.size)
		ino.size = off + (uint64_t)n;
	stamp(b, &ino, CHANGED);
	return (r = store(b, at, &ino, NULL)) ? r : n;
}

/* File blocks below one pointer of a block of `type`: 1 for the leaves
 * of a single indirect block, PTRS for a double's, PTRS^2 for a
 * triple's. */
static uint64_t child_span(uint64_t type, uint64_t base)
{
	uint64_t span = 1;

	for (; type > base; type--)
		span *= PTRS;
	return span;
}

/*
 * Frees what the pointer block `blk` (of `type`, owned by `owner`, its
 * first pointer at file block `first`) holds from file block `keep` on:
 * each subtree bottom-up (children before the pointer to them), a
 * pointer per modification. A child partly below `keep` stays, cut.
 */
static int cut_tree(struct cffs_blk *b, uint64_t owner, uint64_t blk,
		    uint64_t type, uint64_t first, uint64_t keep,
		    uint64_t leaf, uint64_t base)
{
	uint64_t child = type == base ? leaf : type - 1;
	uint64_t span = child_span(type, base);
	const uint64_t zero = 0;

	for (uint32_t i = 0; i < PTRS; i++) {
		struct cffs_loc p = { owner, blk, 8 * i };
		struct xok_xn_delta d = { .nrm = 1 };
		uint64_t from = first + i * span, c;
		int r;

		if (from + span <= keep || !(c = read_ptr(b, &p)))
			continue;
		if (child != leaf &&
		    (r = cut_tree(b, blk, c, child, from, keep, leaf, base)))
			return r;
		if (from < keep)
			continue;
		d.rm[0] = (struct xok_xn_pair){ c, child };
		if (modify(b, blk, p.off, &zero, sizeof(zero), &d))
			return CFFS_EIO;
	}
	return 0;
}

/*
 * Frees every block of the inode at `at` from file block `keep` on (the
 * indirect trees bottom-up, then the direct blocks a delta's worth at a
 * time) and then sets its size to `size`, which `keep` blocks hold: a
 * crash in between leaves holes within the old size, never a block past
 * it. A directory's freed blocks must hold no entries.
 */
static int cut(struct cffs_blk *b, const struct cffs_loc *at,
	       struct cffs_inode ino, uint64_t keep, uint64_t size)
{
	uint64_t leaf = is_dir(&ino) ? CFFS_T_DIR : XOK_XN_DATA;
	uint64_t base = is_dir(&ino) ? CFFS_T_DIND1 : CFFS_T_IND1;
	uint64_t first = CFFS_NDIRECT;
	struct xok_xn_delta d = { 0 };
	int r;

	for (unsigned l = 0; l < CFFS_NIND; l++) {
		uint64_t span = child_span(base + l, base) * PTRS;

		if (ino.ind[l] && first + span > keep) {
			if ((r = cut_tree(b, at->block, ino.ind[l], base + l,
					  first, keep, leaf, base)))
				return r;
			if (first >= keep) {
				d.rm[d.nrm++] = (struct xok_xn_pair){
					ino.ind[l], base + l };
				ino.ind[l] = 0;
			}
		}
		first += span;
	}
	for (uint64_t i = keep; i <= CFFS_NDIRECT; i++) {
		if (d.nrm == XOK_XN_MAXDELTA || i == CFFS_NDIRECT) {
			if ((r = store(b, at, &ino, &d)))
				return r;
			d.nrm = 0;
		}
		if (i < CFFS_NDIRECT && ino.direct[i]) {
			d.rm[d.nrm++] = (struct xok_xn_pair){ ino.direct[i],
							      leaf };
			ino.direct[i] = 0;
		}
	}
	ino.size = size;
	stamp(b, &ino, CHANGED);
	return store(b, at, &ino, d.nrm ? &d : NULL);
}

static int free_all(struct cffs_blk *b, const struct cffs_loc *at,
		    struct cffs_inode ino)
{
	return cut(b, at, ino, 0, 0);
}

#define SYNC_BATCH 256

/*
 * Puts the file's blocks on disk (its data and pointer blocks) a batch
 * at a time, then, once they are there, the block holding its inode; the
 * block layer adds what they depend on and orders the writes. Without
 * sync_blocks, everything.
 */
int cffs_fsync(struct cffs_blk *b, const struct cffs_loc *at)
{
	uint64_t batch[SYNC_BATCH], last_owner = 0;
	struct cffs_inode ino;
	size_t n = 0;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if (!b->ops->sync_blocks)
		return b->ops->sync(b) ? CFFS_EIO : 0;
	for (uint64_t i = 0; i < nblocks(&ino); i++) {
		uint64_t owner, blk;

		if ((r = block_of(b, at, &ino, i, 0, &owner, &blk)))
			return r;
		if (!blk)
			continue;
		batch[n++] = blk;
		if (owner != at->block && owner != last_owner)
			batch[n++] = last_owner = owner; /* a pointer block */
		if (n >= SYNC_BATCH - 1) {
			if (b->ops->sync_blocks(b, batch, n))
				return CFFS_EIO;
			n = 0;
			last_owner = 0;
		}
	}
	/* The data first, waited for, then the inode: XN orders only a new
	 * block before its pointer, and a size on disk must not cover bytes
	 * an overwrite has not put there yet (a cut between the two would
	 * show old bytes, or zeros, inside the file). */
	if (n && b->ops->sync_blocks(b, batch, n))
		return CFFS_EIO;
	return b->ops->sync_blocks(b, &at->block, 1) ? CFFS_EIO : 0;
}

/* File blocks a file may have: direct, then one to three levels. */
static uint64_t max_blocks(void)
{
	return CFFS_NDIRECT + (uint64_t)PTRS + (uint64_t)PTRS * PTRS +
	       (uint64_t)PTRS * PTRS * PTRS;
}

/* Zeroes the bytes of the file's block holding `size` from there on, so
 * that growing the file again shows zeros, not what was cut. */
static int zero_tail(struct cffs_blk *b, const struct cffs_loc *at,
		     const struct cffs_inode *ino, uint64_t size)
{
	static const uint8_t zeros[CFFS_BLOCK];
	uint32_t in = (uint32_t)(size % CFFS_BLOCK);
	uint64_t owner, blk;
	int r;

	if (!in)
		return 0;
	if ((r = block_of(b, at, ino, size / CFFS_BLOCK, 0, &owner, &blk)) ||
	    !blk)
		return r;
	return b->ops->write_data(b, owner, blk, in, zeros, CFFS_BLOCK - in)
		       ? CFFS_EIO : 0;
}

int cffs_set_size(struct cffs_blk *b, const struct cffs_loc *at,
		  uint64_t size)
{
	struct cffs_inode ino;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if (is_dir(&ino))
		return CFFS_EISDIR;
	if (size > max_blocks() * CFFS_BLOCK)
		return CFFS_EFBIG;
	if (size >= ino.size) { /* a hole up to the new end */
		ino.size = size;
		stamp(b, &ino, CHANGED);
		return store(b, at, &ino, NULL);
	}
	if ((r = zero_tail(b, at, &ino, size)))
		return r;
	return cut(b, at, ino, (size + CFFS_BLOCK - 1) / CFFS_BLOCK, size);
}

int cffs_truncate(struct cffs_blk *b, const struct cffs_loc *at)
{
	return cffs_set_size(b, at, 0);
}

/* Calls `visit` on each entry slot of directory `dir`; stops at a
 * nonzero return and gives it back. A visitor must not call the block
 * layer: the entry points into the block. */
typedef int (*visit_fn)(const struct cffs_dirent *e, const struct cffs_loc *at,
			void *ctx);

static int each_slot_from(struct cffs_blk *b, const struct cffs_loc *dir,
			  const struct cffs_inode *ino, uint64_t first,
			  visit_fn visit, void *ctx)
{
	for (uint64_t i = first; i < nblocks(ino); i++) {
		uint64_t owner, blk;
		const uint8_t *p;
		int r;

		if (i % READ_AHEAD == 0 || i == first)
			read_ahead(b, dir, ino, i);
		if ((r = block_of(b, dir, ino, i, 0, &owner, &blk)))
			return r;
		/* Directories grow a block at a time and never have holes. */
		if (!blk)
			return CFFS_EIO;
		if (!(p = get(b, owner, blk)))
			return CFFS_EIO;
		/* Visitors make no calls, so the block stays valid. */
		for (uint32_t s = 0; s < CFFS_DIRENTS; s++) {
			struct cffs_loc at = { owner, blk, s * CFFS_DIRENT_SIZE };
			const struct cffs_dirent *e =
				(const struct cffs_dirent *)(p + at.off);

			if (e->ino.mode && e->namelen > CFFS_NAME_MAX)
				return CFFS_EIO; /* a corrupt entry */
			if ((r = visit(e, &at, ctx)))
				return r;
		}
	}
	return 0;
}

static int each_slot(struct cffs_blk *b, const struct cffs_loc *dir,
		     const struct cffs_inode *ino, visit_fn visit, void *ctx)
{
	return each_slot_from(b, dir, ino, 0, visit, ctx);
}

struct name_query {
	const char *name;
	size_t len;
	struct cffs_loc found;
	struct cffs_dindex *ix;
	struct dindex_dir *d; /* the directory's index record, or NULL */
	int hit;
};

static int holds_name(const struct cffs_dirent *e, const char *name,
		      size_t len)
{
	return named(e) && e->namelen == len && !memcmp(e->name, name, len);
}

static int match_name(const struct cffs_dirent *e, const struct cffs_loc *at,
		      void *ctx)
{
	struct name_query *q = ctx;

	if (named(e) && q->d)
		dindex_add(q->ix, q->d, dindex_hash(e->name, e->namelen), at);
	if (!holds_name(e, q->name, q->len))
		return 0;
	q->found = *at;
	q->hit = 1;
	/* Indexing, the scan goes on: the next lookups will not scan. */
	return !q->d;
}

/* each_slot over `dir`, or CFFS_ENOTDIR if it is not a directory. */
static int scan_dir(struct cffs_blk *b, const struct cffs_loc *dir,
		    visit_fn visit, void *ctx)
{
	struct cffs_inode ino;
	int r = load(b, dir, &ino);

	if (r)
		return r;
	return is_dir(&ino) ? each_slot(b, dir, &ino, visit, ctx)
			    : CFFS_ENOTDIR;
}

/* The name asked, looked up in the directory's index record: 0 with
 * q->found, CFFS_ENOENT if the record knows every name and not this
 * one, 1 if it cannot tell (then the record is dropped if it was wrong). */
static int index_lookup(struct cffs_blk *b, struct name_query *q)
{
	uint32_t hash = dindex_hash(q->name, q->len);
	struct cffs_loc at;
	unsigned pos = 0;
	int wrong = 0;

	while (dindex_next(q->ix, q->d, hash, &pos, &at)) {
		const uint8_t *p = get(b, at.parent, at.block);

		if (!p)
			return CFFS_EIO;
		if (holds_name((const struct cffs_dirent *)(p + at.off),
			       q->name, q->len)) {
			q->found = at;
			return 0;
		}
		wrong = 1; /* a hash collision, or a stale record */
	}
	if (!wrong && q->d->complete)
		return CFFS_ENOENT;
	dindex_forget(q->d);
	return 1;
}

/* The entry `name` of directory `dir`: through the index when it can
 * tell, else by a scan that indexes every name it passes. */
static int find_entry(struct cffs_blk *b, const struct cffs_loc *dir,
		      const char *name, size_t len, struct cffs_loc *out)
{
	struct name_query q = { name, len, { 0 }, b->index, NULL, 0 };
	struct cffs_inode ino;
	uint32_t epoch = 0;
	int r = load(b, dir, &ino);

	if (r)
		return r;
	if (!is_dir(&ino))
		return CFFS_ENOTDIR;
	if (q.ix) {
		q.d = dindex_dir(q.ix, dir, ino.gen);
		if ((r = index_lookup(b, &q)) <= 0)
			goto done;
		epoch = q.d->epoch;
	}
	if ((r = each_slot(b, dir, &ino, match_name, &q)) < 0)
		return r;
	/* A whole scan indexed every name, unless the table was emptied
	 * meanwhile (a new epoch). */
	if (q.d && q.d->epoch == epoch)
		q.d->complete = 1;
	r = q.hit ? 0 : CFFS_ENOENT;
done:
	if (!r)
		*out = q.found;
	return r;
}

/* A small file: one whose blocks are all direct ones. */
#define SMALL_FILE (CFFS_NDIRECT * (uint64_t)CFFS_BLOCK)

/*
 * C-FFS's grouping, read side: the small files named in one directory
 * block have their data beside it (allocation starts at the entry's
 * block), so when one of them is looked up, the data of all of them is
 * started at once — a group read instead of a read per file.
 */
static void read_group(struct cffs_blk *b, const struct cffs_loc *at)
{
	uint64_t owners[READ_AHEAD], blocks[READ_AHEAD];
	unsigned n = 0;
	const uint8_t *p;

	if (!b->ops->prefetch || !(p = get(b, at->parent, at->block)))
		return;
	for (uint32_t s = 0; s < CFFS_DIRENTS; s++) {
		const struct cffs_inode *ino =
			(const struct cffs_inode *)(p + s * CFFS_DIRENT_SIZE);

		if ((ino->mode & CFFS_S_IFMT) != CFFS_S_IFREG ||
		    is_ref(ino) || ino->size > SMALL_FILE)
			continue;
		for (unsigned i = 0; i < CFFS_NDIRECT && n < READ_AHEAD; i++)
			if (ino->direct[i]) {
				owners[n] = at->block;
				blocks[n++] = ino->direct[i];
			}
	}
	/* Prefetching is a call: `p` may not last through it. */
	prefetch_runs(b, owners, blocks, n);
}

/* The index record of directory `dir` as it is now, or NULL. */
static struct dindex_dir *dir_record(struct cffs_blk *b,
				     const struct cffs_loc *dir)
{
	struct cffs_inode ino;

	if (!b->index || load(b, dir, &ino))
		return NULL;
	return dindex_dir(b->index, dir, ino.gen);
}

/* Tells the index that `dir` gained (`added`) or lost the entry `name`
 * at `at`. Before dir_changed, which moves the record to the new
 * generation. A slot freed lets free_slot search from the start again. */
static void index_name(struct cffs_blk *b, const struct cffs_loc *dir,
		       const char *name, size_t len, const struct cffs_loc *at,
		       int added)
{
	struct dindex_dir *d = dir_record(b, dir);
	uint32_t hash = dindex_hash(name, len);

	if (!d)
		return;
	if (added) {
		dindex_add(b->index, d, hash, at);
	} else {
		dindex_remove(b->index, d, hash, at);
		d->free_from = 0;
	}
}

/* Where the inode of the entry at `at` lives: in the entry, or for a
 * reference in its slot of the inode table (whose INODES blocks the
 * INOMAP block owns). `out` may be `at`. */
static int inode_loc(struct cffs_blk *b, const struct cffs_loc *at,
		     struct cffs_loc *out)
{
	struct cffs_loc map = { 0, b->root, CFFS_OFF_INOMAP };
	struct cffs_dirent e;
	int r = load_entry(b, at, &e);

	if (r)
		return r;
	if (!is_ref(&e.ino)) {
		*out = *at;
		return 0;
	}
	*out = (struct cffs_loc){ read_ptr(b, &map), e.ext_block,
				  e.ext_slot * CFFS_INODE_SLOT };
	/* Blocks are reached through their parents: the INOMAP block
	 * through the root first, so the INODES block can be after it. */
	if (e.ext_slot >= CFFS_INODES_PER_BLOCK || !e.ext_block ||
	    !out->parent || !get(b, b->root, out->parent))
		return CFFS_EIO;
	return 0;
}

/* A path resolved to its parent directory and last name. An empty last
 * name means the path names the root (or ends in "." or ".."), and `dir`
 * is then the place itself. */
struct walked {
	struct cffs_loc dir;
	const char *name;
	size_t len;
	int through; /* `dir` is, or lies below, the entry walk was watching */
};

static int same_loc(const struct cffs_loc *x, const struct cffs_loc *y)
{
	return x->block == y->block && x->off == y->off;
}

/* Is `watch` (may be NULL) the directory `dir` or one of the `depth`
 * directories above it in `up`? */
static int watched(const struct cffs_loc *watch, const struct cffs_loc *dir,
		   const struct cffs_loc *up, unsigned depth)
{
	if (!watch)
		return 0;
	while (depth--)
		if (same_loc(&up[depth], watch))
			return 1;
	return same_loc(dir, watch);
}

/* walk, also saying whether the path passes through the entry at
 * `watch` on its way to its last directory. */
static int walk_watching(struct cffs_blk *b, const char *path,
			 struct walked *w, const struct cffs_loc *watch)
{
	struct cffs_loc *dir = &w->dir;
	struct cffs_loc up[MAX_DEPTH];
	unsigned depth = 0;

	*dir = ROOT_LOC(b);
	for (;;) {
		size_t n;
		int r;

		while (*path == '/')
			path++;
		for (n = 0; path[n] && path[n] != '/'; n++)
			;
		if (n > CFFS_NAME_MAX)
			return CFFS_ENAMETOOLONG;
		if (path[n] == '\0' && !(n == 1 && path[0] == '.') &&
		    !(n == 2 && !memcmp(path, "..", 2))) {
			w->name = path;
			w->len = n;
			w->through = watched(watch, dir, up, depth);
			return 0;
		}
		if (n == 2 && !memcmp(path, "..", 2)) {
			if (depth)
				*dir = up[--depth];
		} else if (n != 1 || path[0] != '.') {
			if (depth == MAX_DEPTH)
				return CFFS_ENAMETOOLONG;
			up[depth++] = *dir;
			if ((r = find_entry(b, dir, path, n, dir)))
				return r;
		}
		path += n;
	}
}

static int walk(struct cffs_blk *b, const char *path, struct walked *w)
{
	return walk_watching(b, path, w, NULL);
}

int cffs_lookup(struct cffs_blk *b, const char *path, struct cffs_loc *out)
{
	struct walked w;
	int r = walk(b, path, &w);

	if (r)
		return r;
	if (!w.len) {
		struct cffs_inode ino;

		*out = w.dir;
		if ((r = load(b, &w.dir, &ino)))
			return r;
		return is_dir(&ino) ? 0 : CFFS_ENOTDIR;
	}
	if ((r = find_entry(b, &w.dir, w.name, w.len, out)))
		return r;
	read_group(b, out);
	return inode_loc(b, out, out);
}

struct free_query {
	struct cffs_loc at;
	uint64_t seen; /* slots visited */
};

static int find_free(const struct cffs_dirent *e, const struct cffs_loc *at,
		     void *ctx)
{
	struct free_query *q = ctx;

	q->seen++;
	if (e->ino.mode)
		return 0;
	q->at = *at;
	return 1;
}

/* A free entry slot in `dir`, growing it by a DIR block if it is full.
 * The index remembers where the last one was taken: no slot before it
 * is free while the directory's generation stays. */
static int free_slot(struct cffs_blk *b, const struct cffs_loc *dir,
		     struct cffs_loc *out)
{
	struct dindex_dir *d = dir_record(b, dir);
	uint64_t first = d ? d->free_from / CFFS_DIRENTS : 0;
	struct free_query q = { { 0 }, 0 };
	struct cffs_inode ino;
	uint64_t owner = 0, blk;
	int r = load(b, dir, &ino);

	if (r || (r = each_slot_from(b, dir, &ino, first, find_free, &q)) < 0)
		return r;
	if (r) {
		if (d)
			d->free_from = first * CFFS_DIRENTS + q.seen;
		*out = q.at;
		return 0;
	}
	if (d)
		d->free_from = nblocks(&ino) * CFFS_DIRENTS + 1;
	if ((r = block_of(b, dir, &ino, nblocks(&ino), 1, &owner, &blk)))
		return r;
	if ((r = load(b, dir, &ino)))
		return r;
	ino.size += CFFS_BLOCK;
	if ((r = store(b, dir, &ino, NULL)))
		return r;
	*out = (struct cffs_loc){ owner, blk, 0 };
	return 0;
}

/* An entry of `dir` came or went: its times, and its link count by
 * `subdirs` (a subdirectory's ".." links to it). */
static int dir_changed(struct cffs_blk *b, const struct cffs_loc *dir,
		       int subdirs)
{
	struct dindex_dir *d = dir_record(b, dir);
	struct cffs_inode ino;
	int r = load(b, dir, &ino);

	if (r)
		return r;
	ino.nlink = (uint32_t)((int32_t)ino.nlink + subdirs);
	ino.gen++;
	stamp(b, &ino, CHANGED);
	if ((r = store(b, dir, &ino, NULL)))
		return r;
	/* What the index knew before the change it still knows after. */
	if (d)
		d->gen = ino.gen;
	return 0;
}

/* Makes the entry `path` with a fresh inode of `mode` (any type). */
static int make_entry(struct cffs_blk *b, const char *path, uint32_t mode,
		      struct cffs_loc *out)
{
	struct cffs_loc at;
	struct cffs_dirent e = { 0 };
	struct walked w;
	int r = walk(b, path, &w);

	if (r)
		return r;
	if (!w.len)
		return CFFS_EEXIST;
	r = find_entry(b, &w.dir, w.name, w.len, &at);
	if (r != CFFS_ENOENT)
		return r ? r : CFFS_EEXIST;
	if ((r = free_slot(b, &w.dir, &at)))
		return r;
	e.ino.mode = mode;
	e.ino.nlink = (mode & CFFS_S_IFMT) == CFFS_S_IFDIR ? 2 : 1;
	stamp(b, &e.ino, CFFS_SET_ATIME | CHANGED);
	/* A directory's first generation: a new one made where another
	 * was must not look like it to a name index that knew the other. */
	if (is_dir(&e.ino))
		e.ino.gen = (uint32_t)e.ino.ctime_ns;
	e.namelen = (uint16_t)w.len;
	memcpy(e.name, w.name, w.len);
	if ((r = modify(b, at.block, at.off, &e, sizeof(e), NULL)))
		return r;
	index_name(b, &w.dir, w.name, w.len, &at, 1);
	if ((r = dir_changed(b, &w.dir, is_dir(&e.ino))))
		return r;
	if (out)
		*out = at;
	return 0;
}

int cffs_create(struct cffs_blk *b, const char *path, uint32_t mode,
		struct cffs_loc *out)
{
	if ((mode & CFFS_S_IFMT) != CFFS_S_IFREG &&
	    (mode & CFFS_S_IFMT) != CFFS_S_IFDIR &&
	    (mode & CFFS_S_IFMT) != CFFS_S_IFIFO)
		return CFFS_EINVAL;
	return make_entry(b, path, mode, out);
}

int cffs_symlink(struct cffs_blk *b, const char *path, const char *target)
{
	struct cffs_loc at;
	size_t len = strlen(target);
	long n;
	int r;

	if (!len || len >= CFFS_BLOCK)
		return len ? CFFS_ENAMETOOLONG : CFFS_ENOENT;
	if ((r = make_entry(b, path, CFFS_S_IFLNK | 0777, &at)))
		return r;
	n = cffs_write(b, &at, 0, target, len);
	if (n == (long)len)
		return 0;
	/* Out of space: take the half-made link away again. */
	cffs_unlink(b, path);
	return n < 0 ? (int)n : CFFS_ENOSPC;
}

long cffs_readlink(struct cffs_blk *b, const struct cffs_loc *at, char *buf,
		   size_t len)
{
	struct cffs_inode ino;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if ((ino.mode & CFFS_S_IFMT) != CFFS_S_IFLNK)
		return CFFS_EINVAL;
	return cffs_read(b, at, 0, buf, len);
}

int cffs_setattr(struct cffs_blk *b, const struct cffs_loc *at,
		 const struct cffs_inode *attr, unsigned what)
{
	struct cffs_inode ino;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if (what & CFFS_SET_MODE)
		ino.mode = (ino.mode & CFFS_S_IFMT) | (attr->mode & 07777);
	if (what & CFFS_SET_OWNER) {
		ino.uid = attr->uid;
		ino.gid = attr->gid;
	}
	if (what & CFFS_SET_ATIME)
		ino.atime_ns = attr->atime_ns;
	if (what & CFFS_SET_MTIME)
		ino.mtime_ns = attr->mtime_ns;
	if (what & CFFS_SET_CTIME)
		ino.ctime_ns = attr->ctime_ns;
	else
		stamp(b, &ino, CFFS_SET_CTIME);
	return store(b, at, &ino, NULL);
}

static int any_entry(const struct cffs_dirent *e, const struct cffs_loc *at,
		     void *ctx)
{
	(void)at;
	(void)ctx;
	return named(e);
}

static int find_orphan(const struct cffs_dirent *e, const struct cffs_loc *at,
		       void *ctx)
{
	if (!e->ino.mode || e->namelen)
		return 0;
	*(struct cffs_loc *)ctx = *at;
	return 1;
}

/* The pairs the inode `ino` owns, as its owns-UDF names them, into `out`
 * (CFFS_NDIRECT + CFFS_NIND at most); returns how many. */
static size_t owned_pairs(const struct cffs_inode *ino,
			  struct xok_xn_pair *out)
{
	uint64_t leaf = is_dir(ino) ? CFFS_T_DIR : XOK_XN_DATA;
	uint64_t base = is_dir(ino) ? CFFS_T_DIND1 : CFFS_T_IND1;
	size_t n = 0;

	if (!ino->mode || is_ref(ino))
		return 0;
	for (unsigned i = 0; i < CFFS_NDIRECT; i++)
		if (ino->direct[i])
			out[n++] = (struct xok_xn_pair){ ino->direct[i], leaf };
	for (unsigned l = 0; l < CFFS_NIND; l++)
		if (ino->ind[l])
			out[n++] = (struct xok_xn_pair){ ino->ind[l], base + l };
	return n;
}

#define MAX_OWNED (CFFS_NDIRECT + CFFS_NIND)

static int has_indirect(const struct cffs_inode *ino)
{
	return ino->ind[0] || ino->ind[1] || ino->ind[2];
}

/* Writes `x` (`xlen` bytes) at `xa` and `y` at `ya` as one change that
 * reaches the disk whole: one modification if they share a block, else
 * a pair moving the `n` pairs `moved` between the two blocks. */
static int change_two(struct cffs_blk *b, const struct cffs_loc *xa,
		      const void *x, uint32_t xlen, const struct cffs_loc *ya,
		      const void *y, uint32_t ylen,
		      const struct xok_xn_pair *moved, size_t n)
{
	static const struct xok_xn_delta none;
	const struct xok_xn_mod m[2] = {
		{ xa->off, xlen, (uint64_t)(uintptr_t)x },
		{ ya->off, ylen, (uint64_t)(uintptr_t)y },
	};
	const uint64_t blocks[2] = { xa->block, ya->block };

	if (xa->block == ya->block)
		return b->ops->modify(b, xa->block, m, 2, &none) ? CFFS_EIO : 0;
	return b->ops->modify_pair(b, blocks, m, &none, moved, n) ? CFFS_EIO
								   : 0;
}

/* Notes in the superblock, before a change that a crash can leave half
 * done (an orphan, an unlinked external inode), that cffs_reclaim has
 * work; once per reclaim, so a single read most times. */
static int unsettle(struct cffs_blk *b)
{
	static const uint64_t yes = 1;
	struct cffs_loc at = { 0, b->root,
			       (uint32_t)offsetof(struct cffs_super, unsettled) };

	if (read_ptr(b, &at))
		return 0;
	return modify(b, b->root, at.off, &yes, sizeof(yes), NULL);
}

/* Gives up the link of reference `e` at `at`: the entry goes and the
 * external inode's count drops in one change (a crash leaves both or
 * neither); with the last link the inode and its blocks go too. */
static int drop_link(struct cffs_blk *b, const struct cffs_loc *at)
{
	static const struct cffs_dirent empty;
	static const struct cffs_inode unused;
	struct cffs_loc ext;
	struct cffs_inode ino;
	int r;

	if ((r = inode_loc(b, at, &ext)) || (r = load(b, &ext, &ino)) ||
	    (ino.nlink == 1 && (r = unsettle(b))))
		return r;
	ino.nlink--;
	stamp(b, &ino, CFFS_SET_CTIME);
	if ((r = change_two(b, at, &empty, sizeof(empty), &ext, &ino,
			    sizeof(ino), NULL, 0)))
		return r;
	if (ino.nlink)
		return 0;
	if ((r = free_all(b, &ext, ino)))
		return r;
	return store(b, &ext, &unused, NULL);
}

/* Releases the entry at `at`: a reference gives up its link; an embedded
 * inode loses its name first (one change: the name goes at once; a crash
 * later leaves an orphan owning its blocks, XN-consistent, reaped when
 * its directory is removed), then its blocks, then the entry. */
static int release_entry(struct cffs_blk *b, const struct cffs_loc *at)
{
	static const struct cffs_dirent empty;
	static const uint16_t no_name;
	struct xok_xn_pair owned[MAX_OWNED];
	struct xok_xn_delta d = { 0 };
	struct cffs_dirent e;
	size_t n;
	int r = load_entry(b, at, &e);

	if (r)
		return r;
	if (is_ref(&e.ino))
		return drop_link(b, at);
	/* Few blocks, none indirect (a small file, a small directory): the
	 * entry and every block go in one change, with no orphan between. */
	n = owned_pairs(&e.ino, owned);
	if (n <= XOK_XN_MAXDELTA && !has_indirect(&e.ino)) {
		d.nrm = n;
		memcpy(d.rm, owned, n * sizeof(owned[0]));
		return modify(b, at->block, at->off, &empty, sizeof(empty), &d);
	}
	if ((r = unsettle(b)))
		return r;
	if (e.namelen &&
	    (r = modify(b, at->block,
			at->off + (uint32_t)offsetof(struct cffs_dirent, namelen),
			&no_name, sizeof(no_name), NULL)))
		return r;
	if ((r = free_all(b, at, e.ino)))
		return r;
	return modify(b, at->block, at->off, &empty, sizeof(empty), NULL);
}

/* Releases the orphans a crash left in directory `dir`, adding how many
 * to *n. */
static int release_orphans(struct cffs_blk *b, const struct cffs_loc *dir,
			   unsigned *n)
{
	struct cffs_loc orphan;
	int r;

	while ((r = scan_dir(b, dir, find_orphan, &orphan)) == 1) {
		if ((r = release_entry(b, &orphan)))
			return r;
		++*n;
	}
	return r;
}

/* 0 if directory `dir` (an entry) names nothing, after releasing any
 * orphans a crash left in it; CFFS_ENOTEMPTY if it names something. */
static int emptied(struct cffs_blk *b, const struct cffs_loc *dir)
{
	unsigned n = 0;
	int r = release_orphans(b, dir, &n);

	if (r)
		return r;
	r = scan_dir(b, dir, any_entry, NULL);
	return r < 0 ? r : r ? CFFS_ENOTEMPTY : 0;
}

/* unlink, or with `dir_only` rmdir. */
static int remove_name(struct cffs_blk *b, const char *path, int dir_only)
{
	struct cffs_loc at;
	struct cffs_inode ino;
	struct walked w;
	int r = walk(b, path, &w);

	if (r)
		return r;
	if (!w.len)
		return CFFS_EINVAL; /* the root, ".", ".." */
	if ((r = find_entry(b, &w.dir, w.name, w.len, &at)) ||
	    (r = load(b, &at, &ino)))
		return r;
	read_group(b, &at); /* XN frees only cached blocks */
	if (dir_only && !is_dir(&ino))
		return CFFS_ENOTDIR;
	if (is_dir(&ino) && (r = emptied(b, &at)))
		return r;
	index_name(b, &w.dir, w.name, w.len, &at, 0);
	if ((r = release_entry(b, &at)))
		return r;
	return dir_changed(b, &w.dir, -is_dir(&ino));
}

int cffs_unlink(struct cffs_blk *b, const char *path)
{
	return remove_name(b, path, 0);
}

int cffs_rmdir(struct cffs_blk *b, const char *path)
{
	return remove_name(b, path, 1);
}

int cffs_mkdir(struct cffs_blk *b, const char *path, uint32_t mode)
{
	return make_entry(b, path, CFFS_S_IFDIR | (mode & 07777), NULL);
}

/* Do the entries `x` and `y` name the same file? */
static int same_file(const struct cffs_loc *xa, const struct cffs_dirent *x,
		     const struct cffs_loc *ya, const struct cffs_dirent *y)
{
	if (same_loc(xa, ya))
		return 1;
	return is_ref(&x->ino) && is_ref(&y->ino) &&
	       x->ext_block == y->ext_block && x->ext_slot == y->ext_slot;
}

/* May entry `src` replace the entry `dst` (a directory entry at `at`)? */
static int replaceable(struct cffs_blk *b, const struct cffs_dirent *src,
		       const struct cffs_dirent *dst, const struct cffs_loc *at)
{
	if (is_dir(&src->ino) && !is_dir(&dst->ino))
		return CFFS_ENOTDIR;
	if (!is_dir(&src->ino) && is_dir(&dst->ino))
		return CFFS_EISDIR;
	return is_dir(&dst->ino) ? emptied(b, at) : 0;
}

/* The parents' link counts after a rename: `src` moved from directory
 * `from` to `to`, replacing `old` (mode 0 if none). Counts only change
 * for directories, whose ".." each counts as a link of its parent. */
static int renamed_dirs(struct cffs_blk *b, const struct walked *from,
			const struct walked *to, const struct cffs_dirent *src,
			const struct cffs_dirent *old)
{
	int moved = is_dir(&src->ino), gone = old->ino.mode && is_dir(&old->ino);
	int r;

	if (same_loc(&from->dir, &to->dir))
		return dir_changed(b, &from->dir, -gone);
	if ((r = dir_changed(b, &from->dir, -moved)))
		return r;
	return dir_changed(b, &to->dir, moved - gone);
}

/*
 * Swaps: the entry at `src` goes to `dst` under its new name, and
 * whatever `dst` held (nothing, or the entry replaced) goes to `src` as
 * an orphan — one change, in which the inodes' blocks change owner. So
 * the name switches files at once, and a crash leaves either the old
 * namespace or the new one with an orphan to release.
 */
static int swap_in(struct cffs_blk *b, const struct cffs_loc *src,
		   const struct cffs_dirent *se, const struct cffs_loc *dst,
		   const struct cffs_dirent *de, const struct walked *to)
{
	struct cffs_dirent moved = *se, orphan = *de;
	struct xok_xn_pair pairs[2 * MAX_OWNED];
	size_t n = owned_pairs(&se->ino, pairs);

	n += owned_pairs(&de->ino, pairs + n);
	memset(moved.name, 0, sizeof(moved.name));
	memcpy(moved.name, to->name, to->len);
	moved.namelen = (uint16_t)to->len;
	memset(orphan.name, 0, sizeof(orphan.name));
	orphan.namelen = 0;
	if (same_loc(src, dst)) /* a new name in place */
		return modify(b, src->block, src->off, &moved, sizeof(moved),
			      NULL);
	return change_two(b, src, &orphan, sizeof(orphan), dst, &moved,
			  sizeof(moved), pairs, n);
}

int cffs_rename(struct cffs_blk *b, const char *from, const char *to)
{
	struct cffs_dirent se, de = { 0 };
	struct cffs_loc src, dst;
	struct walked wf, wt;
	int r = walk(b, from, &wf);

	if (r)
		return r;
	if (!wf.len)
		return CFFS_EINVAL; /* the root, ".", ".." */
	if ((r = find_entry(b, &wf.dir, wf.name, wf.len, &src)) ||
	    (r = load_entry(b, &src, &se)) ||
	    (r = walk_watching(b, to, &wt, &src)))
		return r;
	if (!wt.len || (is_dir(&se.ino) && wt.through))
		return CFFS_EINVAL; /* onto ".", or into its own subtree */
	r = find_entry(b, &wt.dir, wt.name, wt.len, &dst);
	if (!r) {
		if ((r = load_entry(b, &dst, &de)))
			return r;
		if (same_file(&src, &se, &dst, &de))
			return 0;
		if ((r = replaceable(b, &se, &de, &dst)))
			return r;
	} else if (r != CFFS_ENOENT) {
		return r;
	} else if (same_loc(&wf.dir, &wt.dir)) {
		dst = src;
	} else if ((r = free_slot(b, &wt.dir, &dst))) {
		return r;
	}
	stamp(b, &se.ino, CFFS_SET_CTIME);
	if ((de.ino.mode && (r = unsettle(b))) ||
	    (r = swap_in(b, &src, &se, &dst, &de, &wt)))
		return r;
	index_name(b, &wf.dir, wf.name, wf.len, &src, 0);
	index_name(b, &wt.dir, wt.name, wt.len, &dst, 1);
	if ((r = renamed_dirs(b, &wf, &wt, &se, &de)))
		return r;
	return de.ino.mode ? release_entry(b, &src) : 0;
}

/* A free slot of the inode table (the SUPER block's INOMAP block points
 * to INODES blocks), growing the table by a block when it is full. */
static int free_inode(struct cffs_blk *b, struct cffs_loc *out)
{
	struct cffs_loc mp = { 0, b->root, CFFS_OFF_INOMAP };
	uint64_t map = read_ptr(b, &mp);
	int r;

	if (!map && (r = alloc_into(b, &mp, CFFS_T_INOMAP, b->root, &map)))
		return r;
	if (!get(b, b->root, map)) /* reached through the root, see inode_loc */
		return CFFS_EIO;
	for (uint32_t i = 0; i < PTRS; i++) {
		struct cffs_loc p = { b->root, map, 8 * i };
		uint64_t blk = read_ptr(b, &p);
		const uint8_t *inodes;

		if (!blk && (r = alloc_into(b, &p, CFFS_T_INODES, map, &blk)))
			return r;
		if (!(inodes = get(b, map, blk)))
			return CFFS_EIO;
		for (uint32_t s = 0; s < CFFS_INODES_PER_BLOCK; s++) {
			uint32_t mode;

			memcpy(&mode, inodes + s * CFFS_INODE_SLOT, sizeof(mode));
			if (!mode) {
				*out = (struct cffs_loc){ map, blk,
							  s * CFFS_INODE_SLOT };
				return 0;
			}
		}
	}
	return CFFS_ENOSPC;
}

/* Moves the embedded inode of the entry at `at` to a free slot of the
 * inode table and leaves a reference in the entry — one change, in which
 * the inode's blocks change owner (a crash leaves one or the other). */
static int externalize(struct cffs_blk *b, const struct cffs_loc *at,
		       const struct cffs_dirent *e)
{
	struct cffs_dirent ref = *e;
	struct xok_xn_pair pairs[MAX_OWNED];
	struct cffs_loc ext;
	int r = free_inode(b, &ext);

	if (r)
		return r;
	memset(&ref.ino, 0, sizeof(ref.ino));
	ref.ino.mode = e->ino.mode; /* the type, for readdir */
	ref.ino.flags = CFFS_I_EXTERNAL;
	ref.ext_block = ext.block;
	ref.ext_slot = ext.off / CFFS_INODE_SLOT;
	return change_two(b, at, &ref, sizeof(ref), &ext, &e->ino,
			  sizeof(e->ino), pairs, owned_pairs(&e->ino, pairs));
}

int cffs_link(struct cffs_blk *b, const char *existing, const char *path)
{
	struct cffs_dirent e;
	struct cffs_loc at, ext, slot;
	struct cffs_inode ino;
	struct walked w;
	int r = walk(b, existing, &w);

	if (r)
		return r;
	if (!w.len)
		return CFFS_EPERM; /* a directory */
	if ((r = find_entry(b, &w.dir, w.name, w.len, &at)) ||
	    (r = load_entry(b, &at, &e)))
		return r;
	if (is_dir(&e.ino))
		return CFFS_EPERM;
	if ((r = walk(b, path, &w)))
		return r;
	if (!w.len)
		return CFFS_EEXIST;
	r = find_entry(b, &w.dir, w.name, w.len, &slot);
	if (r != CFFS_ENOENT)
		return r ? r : CFFS_EEXIST;
	if (!is_ref(&e.ino) &&
	    ((r = externalize(b, &at, &e)) || (r = load_entry(b, &at, &e))))
		return r;
	if ((r = free_slot(b, &w.dir, &slot)) || (r = inode_loc(b, &at, &ext)) ||
	    (r = load(b, &ext, &ino)))
		return r;
	/* The count and the entry it counts, in one change. */
	ino.nlink++;
	stamp(b, &ino, CFFS_SET_CTIME);
	memset(e.name, 0, sizeof(e.name));
	memcpy(e.name, w.name, w.len);
	e.namelen = (uint16_t)w.len;
	if ((r = change_two(b, &slot, &e, sizeof(e), &ext, &ino, sizeof(ino),
			    NULL, 0)))
		return r;
	index_name(b, &w.dir, w.name, w.len, &slot, 1);
	return dir_changed(b, &w.dir, 0);
}

struct readdir_state {
	uint64_t pos, start;
	char *name;
	struct cffs_inode *ino;
	struct cffs_loc at; /* where the entry found is */
};

static int nth_entry(const struct cffs_dirent *e, const struct cffs_loc *at,
		     void *ctx)
{
	struct readdir_state *s = ctx;

	if (s->pos++ < s->start || !named(e))
		return 0;
	memcpy(s->name, e->name, e->namelen);
	s->name[e->namelen] = '\0';
	*s->ino = e->ino;
	s->at = *at;
	return 1;
}

/* The cursor counts slots, so entries removed or added elsewhere in the
 * directory do not make readdir skip or repeat the others. */
int cffs_readdir(struct cffs_blk *b, const struct cffs_loc *dir,
		 uint64_t *cursor, char name[CFFS_NAME_MAX + 1],
		 struct cffs_inode *ino)
{
	struct readdir_state s = { 0, *cursor, name, ino, { 0 } };
	int r = scan_dir(b, dir, nth_entry, &s);

	if (r != 1)
		return r;
	*cursor = s.pos;
	/* A reference holds only the type: the inode is in the table. */
	if (is_ref(ino) && ((r = inode_loc(b, &s.at, &s.at)) ||
			    (r = load(b, &s.at, ino))))
		return r;
	return 1;
}

/* Reclaiming what a crash left (cffs-fsck --repair): release_entry and
 * free_all are the libFS's own ways out, so they serve fsck too. */
int cffs_release_orphan(struct cffs_blk *b, const struct cffs_loc *at)
{
	struct cffs_dirent e;
	int r = load_entry(b, at, &e);

	if (r)
		return r;
	return e.ino.mode && !e.namelen ? release_entry(b, at) : CFFS_EINVAL;
}

int cffs_free_unlinked(struct cffs_blk *b, const struct cffs_loc *at)
{
	static const struct cffs_inode unused;
	struct cffs_inode ino;
	int r = load(b, at, &ino);

	if (r)
		return r;
	if (!ino.mode || ino.nlink || is_ref(&ino))
		return CFFS_EINVAL;
	if ((r = free_all(b, at, ino)))
		return r;
	return store(b, at, &unused, NULL);
}

struct dir_cursor {
	uint64_t pos, start;
	struct cffs_loc at;
};

/* The first subdirectory at or after slot c->start. */
static int next_dir(const struct cffs_dirent *e, const struct cffs_loc *at,
		    void *ctx)
{
	struct dir_cursor *c = ctx;

	if (c->pos++ < c->start || !named(e) || !is_dir(&e->ino))
		return 0;
	c->at = *at;
	return 1;
}

/* Releases the orphans of directory `dir` and of every directory below
 * it, `depth` levels down at most; adds how many to *n. */
static int reclaim_tree(struct cffs_blk *b, const struct cffs_loc *dir,
			unsigned depth, unsigned *n)
{
	struct cffs_inode ino;
	int r;

	if ((r = release_orphans(b, dir, n)) || depth == MAX_DEPTH)
		return r;
	for (uint64_t pos = 0;; pos++) {
		struct dir_cursor c = { pos - pos % CFFS_DIRENTS, pos, { 0 } };

		if ((r = load(b, dir, &ino)) ||
		    (r = each_slot_from(b, dir, &ino, pos / CFFS_DIRENTS,
					next_dir, &c)) != 1)
			return r;
		pos = c.pos - 1;
		if ((r = reclaim_tree(b, &c.at, depth + 1, n)))
			return r;
	}
}

/* Frees the external inodes with no link left; adds how many to *n. */
static int reclaim_unlinked(struct cffs_blk *b, unsigned *n)
{
	struct cffs_loc mp = { 0, b->root, CFFS_OFF_INOMAP };
	uint64_t map = read_ptr(b, &mp);
	int r;

	if (!map)
		return 0;
	if (!get(b, b->root, map))
		return CFFS_EIO;
	for (uint32_t i = 0; i < PTRS; i++) {
		struct cffs_loc p = { b->root, map, 8 * i };
		uint64_t blk = read_ptr(b, &p);

		for (uint32_t s = 0; blk && s < CFFS_INODES_PER_BLOCK; s++) {
			struct cffs_loc at = { map, blk, s * CFFS_INODE_SLOT };
			struct cffs_inode ino;

			if ((r = load(b, &at, &ino)))
				return r;
			if (!ino.mode || ino.nlink || is_ref(&ino))
				continue;
			if ((r = cffs_free_unlinked(b, &at)))
				return r;
			++*n;
		}
	}
	return 0;
}

int cffs_reclaim(struct cffs_blk *b)
{
	static const uint64_t no = 0;
	struct cffs_loc flag = { 0, b->root,
				 (uint32_t)offsetof(struct cffs_super,
						    unsettled) };
	struct cffs_loc root = ROOT_LOC(b);
	unsigned n = 0;
	int r;

	if (!read_ptr(b, &flag))
		return 0;
	if ((r = reclaim_tree(b, &root, 0, &n)) ||
	    (r = reclaim_unlinked(b, &n)) ||
	    (r = modify(b, b->root, flag.off, &no, sizeof(no), NULL)))
		return r;
	return (int)n;
}
