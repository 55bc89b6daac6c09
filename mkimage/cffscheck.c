/*
 * cffscheck: XN's checks, then C-FFS's, walking the tree from the root.
 *
 * The walk reads the pointer tree itself rather than through cffs.c:
 * it must see what the libFS never looks at (blocks past a file's size,
 * malformed entries the libFS refuses to read). XN's checks have already
 * made sure every block is reached once and has the type its owner
 * names, so the walk only has C-FFS's own rules left to check.
 */
#include "cffscheck.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../libfs-cffs/cffs.h"
#include "../libfs-cffs/imgblk.h"

#define PTRS CFFS_PTRS_PER_BLOCK
/* The deepest directory cffs.c's path walk makes: 64 descents and the
 * last name. Deeper ones are damage (and would make the walk deep). */
#define MAX_DEPTH 65
#define PATH_MAX_LEN ((MAX_DEPTH + 1) * (CFFS_NAME_MAX + 1) + 1)
/* Blocks the direct and indirect pointers of an inode can map. */
#define MAX_FILE_BLOCKS \
	(CFFS_NDIRECT + PTRS + (uint64_t)PTRS * PTRS + (uint64_t)PTRS * PTRS * PTRS)

/* The entries referring to one external inode (its INODES block and
 * slot), counted by the walk and compared with its link count. */
struct ref_count {
	uint64_t block;
	uint32_t slot, n;
};

struct checker {
	struct cffs_blk *b;
	FILE *report; /* problems */
	FILE *fixes;  /* repairs made (with repair) */
	int repair;
	int problems;
	char path[PATH_MAX_LEN];
	struct ref_count *refs;
	size_t nrefs, cap;
};

/* What the walk learns about one inode's blocks. */
struct file_walk {
	struct checker *c;
	struct cffs_inode ino;
	uint64_t next;          /* a directory's next block index */
	uint64_t beyond, first_beyond;
	uint32_t subdirs;
	unsigned depth;
	char **names;           /* a directory's names, for duplicates */
	size_t nnames, cap;
};

static void problem(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->report, "%s: ", c->path[0] ? c->path : "/");
	va_start(ap, fmt);
	vfprintf(c->report, fmt, ap);
	va_end(ap);
	fputc('\n', c->report);
	c->problems++;
}

static uint64_t size_blocks(const struct cffs_inode *ino)
{
	return ino->size / CFFS_BLOCK + (ino->size % CFFS_BLOCK != 0);
}

static int is_dir(const struct cffs_inode *ino)
{
	return (ino->mode & CFFS_S_IFMT) == CFFS_S_IFDIR;
}

typedef void (*leaf_fn)(struct file_walk *w, uint64_t idx, uint64_t owner,
			uint64_t blk);

/* Calls `leaf` on each block under indirect block `blk` (of `level`,
 * owned by `owner`), whose first leaf is block index `first`. */
static void walk_ind(struct file_walk *w, uint64_t owner, uint64_t blk,
		     unsigned level, uint64_t first, leaf_fn leaf)
{
	const uint8_t *p = w->c->b->ops->get(w->c->b, owner, blk);
	uint64_t *ptrs = malloc(CFFS_BLOCK), span = 1;

	if (!p || !ptrs) {
		problem(w->c, "indirect block %lu cannot be read",
			(unsigned long)blk);
		free(ptrs);
		return;
	}
	memcpy(ptrs, p, CFFS_BLOCK);
	for (unsigned l = 1; l < level; l++)
		span *= PTRS;
	for (uint64_t i = 0; i < PTRS; i++) {
		if (!ptrs[i])
			continue;
		if (level == 1)
			leaf(w, first + i, blk, ptrs[i]);
		else
			walk_ind(w, blk, ptrs[i], level - 1, first + i * span,
				 leaf);
	}
	free(ptrs);
}

/* Calls `leaf` on each block of the inode at `at`, in index order. */
static void each_block(struct file_walk *w, const struct cffs_loc *at,
		       leaf_fn leaf)
{
	uint64_t first = CFFS_NDIRECT, span = 1;

	for (uint64_t i = 0; i < CFFS_NDIRECT; i++)
		if (w->ino.direct[i])
			leaf(w, i, at->block, w->ino.direct[i]);
	for (unsigned l = 1; l <= CFFS_NIND; l++) {
		span *= PTRS;
		if (w->ino.ind[l - 1])
			walk_ind(w, at->block, w->ino.ind[l - 1], l, first, leaf);
		first += span;
	}
}

/* Counts a block at index `idx` past the file's size. */
static void past_size(struct file_walk *w, uint64_t idx)
{
	if (idx < size_blocks(&w->ino))
		return;
	if (!w->beyond++)
		w->first_beyond = idx;
}

static void data_leaf(struct file_walk *w, uint64_t idx, uint64_t owner,
		      uint64_t blk)
{
	(void)owner;
	(void)blk;
	past_size(w, idx);
}

static void check_inode(struct checker *c, const struct cffs_loc *at,
			unsigned depth);

/* Appends "/name" to the path; returns the old length to cut back to. */
static size_t path_push(struct checker *c, const char *name, size_t len)
{
	size_t old = strlen(c->path);

	snprintf(c->path + old, sizeof(c->path) - old, "/%.*s", (int)len, name);
	return old;
}

/* Is a stored name well formed? NULL if so, else what is wrong. */
static const char *bad_name(const struct cffs_dirent *e)
{
	if (!e->namelen || e->namelen > CFFS_NAME_MAX)
		return "length out of range";
	if (memchr(e->name, '/', e->namelen) || memchr(e->name, 0, e->namelen))
		return "holds '/' or NUL";
	if ((e->namelen == 1 && e->name[0] == '.') ||
	    (e->namelen == 2 && !memcmp(e->name, "..", 2)))
		return "is '.' or '..', which are never stored";
	return NULL;
}

static void remember_name(struct file_walk *w, const char *name, size_t len)
{
	char *copy = malloc(len + 1);

	if (w->nnames == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		char **n = realloc(w->names, cap * sizeof(*n));

		if (!n || !copy) {
			free(copy);
			return; /* out of memory: duplicates go unnoticed */
		}
		w->names = n;
		w->cap = cap;
	}
	if (!copy)
		return;
	memcpy(copy, name, len);
	copy[len] = 0;
	w->names[w->nnames++] = copy;
}

/* Reports, or with repair releases through `release`, what a crash
 * left: `what` at `at`. */
static void reclaim(struct checker *c, const struct cffs_loc *at,
		    int (*release)(struct cffs_blk *, const struct cffs_loc *),
		    const char *what)
{
	const char *where = c->path[0] ? c->path : "/";

	if (!c->repair)
		problem(c, "%s at block %lu offset %u (--repair reclaims it)",
			what, (unsigned long)at->block, at->off);
	else if (release(c->b, at))
		problem(c, "could not reclaim %s at block %lu offset %u", what,
			(unsigned long)at->block, at->off);
	else
		fprintf(c->fixes, "%s: fixed: reclaimed %s at block %lu "
				  "offset %u\n", where, what,
			(unsigned long)at->block, at->off);
}

/* The count of references to slot `slot` of INODES block `block`,
 * made if missing; NULL if memory ran out. */
static struct ref_count *ref_of(struct checker *c, uint64_t block,
				uint32_t slot)
{
	struct ref_count *r;

	for (size_t i = 0; i < c->nrefs; i++)
		if (c->refs[i].block == block && c->refs[i].slot == slot)
			return &c->refs[i];
	if (c->nrefs == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;

		if (!(r = realloc(c->refs, cap * sizeof(*r))))
			return NULL;
		c->refs = r;
		c->cap = cap;
	}
	c->refs[c->nrefs] = (struct ref_count){ block, slot, 0 };
	return &c->refs[c->nrefs++];
}

/* Counts entry `e` if it refers to an external inode. */
static void count_ref(struct checker *c, const struct cffs_dirent *e)
{
	struct ref_count *r;

	if (!(e->ino.flags & CFFS_I_EXTERNAL))
		return;
	if (!(r = ref_of(c, e->ext_block, e->ext_slot)))
		problem(c, "out of memory counting links");
	else
		r->n++;
}

static void dir_leaf(struct file_walk *w, uint64_t idx, uint64_t owner,
		     uint64_t blk)
{
	struct checker *c = w->c;
	const uint8_t *p = c->b->ops->get(c->b, owner, blk);
	struct cffs_dirent *ents = malloc(CFFS_BLOCK);

	if (idx != w->next)
		problem(c, "directory has a hole at block %lu",
			(unsigned long)w->next);
	w->next = idx + 1;
	past_size(w, idx);
	if (!p || !ents) {
		problem(c, "directory block %lu cannot be read",
			(unsigned long)blk);
		free(ents);
		return;
	}
	memcpy(ents, p, CFFS_BLOCK);
	for (uint32_t s = 0; s < CFFS_DIRENTS; s++) {
		const struct cffs_dirent *e = &ents[s];
		struct cffs_loc at = { owner, blk, s * CFFS_DIRENT_SIZE };
		const char *why;
		size_t cut;

		if (!e->ino.mode)
			continue;
		/* An inode and no name: what an interrupted rename or
		 * unlink leaves, invisible to the libFS; not a link. */
		if (!e->namelen) {
			/* Until released, an orphan reference holds its link. */
			if (!c->repair)
				count_ref(c, e);
			reclaim(c, &at, cffs_release_orphan,
				"an orphan entry (an inode without a name)");
			continue;
		}
		count_ref(c, e);
		/* A badly named subdirectory still links to its parent. */
		w->subdirs += is_dir(&e->ino);
		if ((why = bad_name(e))) {
			problem(c, "entry %u of block %lu: bad name (%s)", s,
				(unsigned long)blk, why);
			continue;
		}
		remember_name(w, e->name, e->namelen);
		cut = path_push(c, e->name, e->namelen);
		check_inode(c, &at, w->depth + 1);
		c->path[cut] = 0;
	}
	free(ents);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_duplicates(struct file_walk *w)
{
	if (w->nnames)
		qsort(w->names, w->nnames, sizeof(*w->names), by_name);
	for (size_t i = 0; i + 1 < w->nnames; i++)
		if (!strcmp(w->names[i], w->names[i + 1]) &&
		    (i == 0 || strcmp(w->names[i - 1], w->names[i])))
			problem(w->c, "the name '%s' is in it twice", w->names[i]);
	for (size_t i = 0; i < w->nnames; i++)
		free(w->names[i]);
	free(w->names);
}

/* Sets the link count of the inode at `at` to `n`, through the block
 * layer's checked modification. */
static void fix_nlink(struct checker *c, const struct cffs_loc *at,
		      uint32_t n)
{
	static const struct xok_xn_delta none;
	struct xok_xn_mod m = { at->off + offsetof(struct cffs_inode, nlink),
				sizeof(n), (uint64_t)(uintptr_t)&n };

	if (c->b->ops->modify(c->b, at->block, &m, 1, &none))
		problem(c, "could not repair the link count");
	else
		fprintf(c->fixes, "%s: fixed: link count set to %u\n",
			c->path[0] ? c->path : "/", n);
}

static void check_links(struct checker *c, const struct cffs_loc *at,
			const struct file_walk *w)
{
	uint32_t want = is_dir(&w->ino) ? 2 + w->subdirs : 1;

	if (w->ino.flags & CFFS_I_EXTERNAL)
		return; /* the external inode counts the entries naming it */
	if (w->ino.nlink == want)
		return;
	if (c->repair)
		fix_nlink(c, at, want);
	else
		problem(c, "link count %u, should be %u", w->ino.nlink, want);
}

static void check_inode(struct checker *c, const struct cffs_loc *at,
			unsigned depth)
{
	struct file_walk w = { .c = c, .depth = depth };
	const uint8_t *p = c->b->ops->get(c->b, at->parent, at->block);
	uint32_t type;

	if (!p) {
		problem(c, "block %lu holding the inode cannot be read",
			(unsigned long)at->block);
		return;
	}
	memcpy(&w.ino, p + at->off, sizeof(w.ino));
	type = w.ino.mode & CFFS_S_IFMT;
	if (type != CFFS_S_IFREG && type != CFFS_S_IFDIR &&
	    type != CFFS_S_IFLNK && type != CFFS_S_IFIFO) {
		problem(c, "unknown file type (mode 0%o)", w.ino.mode);
		return;
	}
	if (w.ino.flags & ~(uint32_t)CFFS_I_EXTERNAL)
		problem(c, "unknown flags 0x%x", w.ino.flags);
	if (size_blocks(&w.ino) > MAX_FILE_BLOCKS)
		problem(c, "size %lu is more than the indirect blocks can map",
			(unsigned long)w.ino.size);
	if (type == CFFS_S_IFLNK && (!w.ino.size || w.ino.size >= CFFS_BLOCK))
		problem(c, "symbolic link of %lu bytes (1 to %d allowed)",
			(unsigned long)w.ino.size, CFFS_BLOCK - 1);
	if (type == CFFS_S_IFIFO && w.ino.size)
		problem(c, "named pipe of %lu bytes (its data is not on disk)",
			(unsigned long)w.ino.size);
	if (type == CFFS_S_IFDIR && w.ino.size % CFFS_BLOCK)
		problem(c, "directory size %lu is not whole blocks",
			(unsigned long)w.ino.size);
	if (type == CFFS_S_IFDIR && depth > MAX_DEPTH) {
		problem(c, "directories nested deeper than %d: not checked below",
			MAX_DEPTH);
		return;
	}
	each_block(&w, at, type == CFFS_S_IFDIR ? dir_leaf : data_leaf);
	if (w.beyond)
		problem(c, "%lu block(s) past its size %lu (the first at index %lu)",
			(unsigned long)w.beyond, (unsigned long)w.ino.size,
			(unsigned long)w.first_beyond);
	if (type == CFFS_S_IFDIR) {
		if (w.next < size_blocks(&w.ino))
			problem(c, "directory of %lu bytes has only %lu blocks",
				(unsigned long)w.ino.size, (unsigned long)w.next);
		check_duplicates(&w);
	}
	check_links(c, at, &w);
}

/* Takes the references to slot `slot` of `block` out of the count,
 * returning how many there were. */
static uint32_t take_refs(struct checker *c, uint64_t block, uint32_t slot)
{
	for (size_t i = 0; i < c->nrefs; i++)
		if (c->refs[i].block == block && c->refs[i].slot == slot) {
			uint32_t n = c->refs[i].n;

			c->refs[i] = c->refs[--c->nrefs];
			return n;
		}
	return 0;
}

/* The external inode at `at` (in use) against the `refs` entries that
 * refer to it: with none and no link left, what a crash left (freed);
 * else its link count must be `refs` (repair sets it, and frees an
 * inode nothing refers to). */
static void check_external(struct checker *c, const struct cffs_loc *at,
			   const struct cffs_inode *ino, uint32_t refs)
{
	if (!refs && !ino->nlink) {
		reclaim(c, at, cffs_free_unlinked,
			"an external inode with no link left");
		return;
	}
	if (ino->nlink == refs)
		return;
	if (!c->repair) {
		problem(c, "external inode at block %lu offset %u: link count "
			   "%u, but %u entries refer to it",
			(unsigned long)at->block, at->off, ino->nlink, refs);
		return;
	}
	fix_nlink(c, at, refs);
	if (!refs)
		reclaim(c, at, cffs_free_unlinked,
			"an external inode no entry refers to");
}

/* External inodes (the inode table: the INOMAP block's INODES blocks):
 * each one's link count against the entries referring to it; then any
 * reference left over refers to no inode. */
static void check_inode_table(struct checker *c, const struct cffs_super *s)
{
	const uint8_t *p = s->inomap ? c->b->ops->get(c->b, c->b->root,
						       s->inomap) : NULL;
	uint64_t map[PTRS];

	memset(map, 0, sizeof(map));
	if (p) /* else no table: every reference refers to nothing */
		memcpy(map, p, sizeof(map));
	for (uint64_t i = 0; i < PTRS; i++) {
		for (uint32_t k = 0; map[i] && k < CFFS_INODES_PER_BLOCK; k++) {
			struct cffs_loc at = { s->inomap, map[i],
					       k * CFFS_INODE_SLOT };
			struct cffs_inode ino;

			if (!(p = c->b->ops->get(c->b, s->inomap, map[i])))
				break;
			memcpy(&ino, p + at.off, sizeof(ino));
			if (ino.mode)
				check_external(c, &at, &ino,
					       take_refs(c, map[i], k));
		}
	}
	for (size_t i = 0; i < c->nrefs; i++)
		problem(c, "%u entries refer to block %lu slot %u, which holds "
			   "no external inode", c->refs[i].n,
			(unsigned long)c->refs[i].block, c->refs[i].slot);
	c->nrefs = 0;
}

/* C-FFS's checks over an opened image. */
static void check_cffs(struct checker *c)
{
	const uint8_t *p = c->b->ops->get(c->b, 0, c->b->root);
	struct cffs_super s;
	struct cffs_loc root = { 0, c->b->root, CFFS_OFF_ROOT };

	memcpy(&s, p, sizeof(s));
	if (s.magic != CFFS_MAGIC || s.version != CFFS_VERSION) {
		problem(c, "not a C-FFS superblock (magic 0x%x, version %u)",
			s.magic, s.version);
		return;
	}
	if (!is_dir(&s.root)) {
		problem(c, "the root is not a directory (mode 0%o)", s.root.mode);
		return;
	}
	check_inode(c, &root, 0);
	check_inode_table(c, &s);
}

/* Where what is not to be shown goes. */
static FILE *nowhere(void)
{
	static FILE *null;

	return null ? null : (null = fopen("/dev/null", "w"));
}

int cffscheck(const char *path, const char *root, int repair, FILE *report)
{
	static struct checker c;
	static struct imgblk x;
	/* Repairing, the problems are told by the check that follows. */
	FILE *problems_to = repair ? nowhere() : report;
	int problems = xnimage_check(path, problems_to);

	if (problems < 0 || !problems_to)
		return -1;
	/* Opening fails on what xnimage_check has already told. */
	if (imgblk_open(&x, path, root, repair, problems ? nowhere() : problems_to))
		return repair ? cffscheck(path, root, 0, report)
			      : problems ? problems : 1;
	c = (struct checker){ .b = &x.mem.blk, .report = problems_to,
			      .fixes = report, .repair = repair };
	check_cffs(&c);
	free(c.refs);
	if (imgblk_close(&x)) {
		fprintf(report, "%s: cannot write the repairs\n", path);
		return problems + c.problems + 1;
	}
	if (!repair)
		return problems + c.problems;
	if (problems)
		fprintf(report, "%s: fixed: free map and clean flag rewritten "
				"from the roots\n", path);
	return cffscheck(path, root, 0, report);
}
