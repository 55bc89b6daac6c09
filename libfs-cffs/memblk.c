/*
 * memblk: an in-memory XN disk for C-FFS on the host.
 */
#include "memblk.h"

#include <stdlib.h>
#include <string.h>

#include "../xn/freemap.h"
#include "../xn/owns.h"
#include "format.h"
#include "templates.h"

/* The layout of a fresh disk as XN's code sees it: the blocks up to the
 * root stand for XN's own (superblock, map, catalogues, pair log). */
#define LAYOUT(n) ((struct xok_xn_super){ .nblocks = (n), .roots_block = 0 })
#define ROOT_BLOCK xn_first_owned(&LAYOUT(0))
#define BITS_PER_BLOCK (XOK_XN_BLOCK * 8)

static struct memblk *of(struct cffs_blk *b)
{
	return (struct memblk *)b;
}

static struct xn_context context(struct memblk *m)
{
	return (struct xn_context){ m->types, m->nblocks, NULL };
}

/* Has allocated `block` been reached from the root? */
static int reached(struct memblk *m, uint64_t block)
{
	return block < m->nblocks && xn_bit(m->map, block) &&
	       (block == m->blk.root || m->owner[block]);
}

/* Does `parent` (0: none, for the root) own allocated `block`? Known
 * from the checked modification that allocated it, as XN's registry
 * knows a cached block's parent; a block read from an image is learnt
 * the first time it is reached, from its parent's owns-UDF, as XN's
 * bind does. */
static int owns(struct memblk *m, uint64_t parent, uint64_t block)
{
	struct xn_context cx = context(m);
	uint64_t type;

	if (parent == 0)
		return block == m->blk.root;
	if (block >= m->nblocks || !xn_bit(m->map, block))
		return 0;
	if (m->owner[block])
		return m->owner[block] == parent;
	if (!reached(m, parent) ||
	    xn_find_owned(&cx, m->type[parent], m->data[parent], block, &type))
		return 0;
	m->owner[block] = parent;
	m->type[block] = (uint8_t)type;
	return 1;
}

/* The type of an allocated `block`, as XN's registry knows it. */
static int64_t find_type(struct memblk *m, uint64_t block)
{
	if (!reached(m, block))
		return -1;
	return m->type[block];
}

static const uint8_t *mem_get(struct cffs_blk *b, uint64_t parent,
			      uint64_t block)
{
	struct memblk *m = of(b);

	return owns(m, parent, block) ? m->data[block] : NULL;
}

/* The type of metadata `block`, and `mods` applied to a copy of it in
 * `copy`; -1 if it is not allocated metadata or a mod is out of range. */
static int64_t apply(struct memblk *m, uint64_t block,
		     const struct xok_xn_mod *mods, size_t n, uint8_t *copy)
{
	int64_t type = find_type(m, block);

	if (type <= 0)
		return -1;
	memcpy(copy, m->data[block], XOK_XN_BLOCK);
	for (size_t i = 0; i < n; i++) {
		if (mods[i].offset > XOK_XN_BLOCK ||
		    mods[i].len > XOK_XN_BLOCK - mods[i].offset)
			return -1;
		memcpy(copy + mods[i].offset, (const void *)mods[i].bytes,
		       mods[i].len);
	}
	return type;
}

/* Is every block `d` allocates free, as XN requires? */
static int adds_free(struct memblk *m, const struct xok_xn_delta *d)
{
	if (d->nadd > XOK_XN_MAXDELTA || d->nrm > XOK_XN_MAXDELTA)
		return 0;
	for (uint64_t i = 0; i < d->nadd; i++)
		if (d->add[i].block >= m->nblocks || xn_bit(m->map, d->add[i].block))
			return 0;
	return 1;
}

/* Block `p` is now in use, zeroed, owned by `owner`. */
static void allocate(struct memblk *m, const struct xok_xn_pair *p,
		     uint64_t owner)
{
	xn_bit_set(m->map, p->block);
	m->type[p->block] = (uint8_t)p->type;
	m->owner[p->block] = owner;
	memset(m->data[p->block], 0, XOK_XN_BLOCK);
	xn_bit_set(m->dirty, p->block);
}

static void free_removed(struct memblk *m, const struct xok_xn_delta *d)
{
	for (uint64_t i = 0; i < d->nrm; i++)
		xn_bit_clear(m->map, d->rm[i].block);
}

static int mem_modify(struct cffs_blk *b, uint64_t block,
		      const struct xok_xn_mod *mods, size_t n,
		      const struct xok_xn_delta *d)
{
	static uint8_t copy[XOK_XN_BLOCK];
	struct memblk *m = of(b);
	struct xn_context cx = context(m);
	int64_t type = apply(m, block, mods, n, copy);

	if (type < 0)
		return -1;
	if (!adds_free(m, d))
		return -2;
	if (xn_check_change(&cx, (uint64_t)type, m->data[block], copy, d->add,
			    d->nadd, d->rm, d->nrm))
		return -3;
	for (uint64_t i = 0; i < d->nadd; i++)
		allocate(m, &d->add[i], block);
	free_removed(m, d);
	memcpy(m->data[block], copy, sizeof(copy));
	xn_bit_set(m->dirty, block);
	return 0;
}

/* Memory is the disk: both changes land at once. */
static int mem_modify_pair(struct cffs_blk *b, const uint64_t block[2],
			   const struct xok_xn_mod mod[2],
			   const struct xok_xn_delta *d,
			   const struct xok_xn_pair *moved, size_t nmoved)
{
	static uint8_t copy[2][XOK_XN_BLOCK];
	uint8_t add_to[XOK_XN_MAXDELTA], moved_to[XOK_XN_MAXMOVE];
	struct memblk *m = of(b);
	struct xn_context cx = context(m);
	struct xn_side side[2];

	if (block[0] == block[1] || nmoved > XOK_XN_MAXMOVE)
		return -1;
	for (int k = 0; k < 2; k++) {
		int64_t type = apply(m, block[k], &mod[k], 1, copy[k]);

		if (type < 0)
			return -1;
		side[k] = (struct xn_side){ (uint64_t)type, m->data[block[k]],
					    copy[k] };
	}
	if (!adds_free(m, d))
		return -2;
	if (xn_check_pair(&cx, side, d->add, d->nadd, d->rm, d->nrm, moved,
			  nmoved, add_to, moved_to))
		return -3;
	for (uint64_t i = 0; i < d->nadd; i++)
		allocate(m, &d->add[i], block[add_to[i]]);
	for (size_t i = 0; i < nmoved; i++)
		m->owner[moved[i].block] = block[moved_to[i]];
	free_removed(m, d);
	for (int k = 0; k < 2; k++) {
		memcpy(m->data[block[k]], copy[k], XOK_XN_BLOCK);
		xn_bit_set(m->dirty, block[k]);
	}
	return 0;
}

static int mem_write_data(struct cffs_blk *b, uint64_t parent,
			  uint64_t block, uint32_t off, const void *bytes,
			  uint32_t len)
{
	struct memblk *m = of(b);

	if (!owns(m, parent, block) || m->type[block] != XOK_XN_DATA ||
	    off > XOK_XN_BLOCK || len > XOK_XN_BLOCK - off)
		return -1;
	memcpy(m->data[block] + off, bytes, len);
	xn_bit_set(m->dirty, block);
	return 0;
}

static uint64_t mem_free_block(struct cffs_blk *b, uint64_t hint)
{
	struct memblk *m = of(b);

	uint64_t first = m->first_free;

	if (hint < first || hint >= m->nblocks)
		hint = first;
	for (uint64_t k = 0; k < m->nblocks - first; k++) {
		uint64_t blk = first + (hint - first + k) % (m->nblocks - first);

		if (!xn_bit(m->map, blk))
			return blk;
	}
	return 0;
}

/* Memory is the disk unless a persist hook says otherwise. */
static int mem_sync(struct cffs_blk *b)
{
	struct memblk *m = of(b);

	return m->persist ? m->persist(m) : 0;
}

static const struct cffs_blk_ops mem_ops = {
	mem_get, mem_modify, mem_write_data, mem_free_block, mem_sync,
	/* Memory is the disk: nothing to prefetch; sync is all or none. */
	mem_modify_pair, NULL, NULL,
};

int memblk_alloc(struct memblk *m, uint64_t nblocks)
{
	uint64_t map_bytes = (nblocks + BITS_PER_BLOCK - 1) / BITS_PER_BLOCK *
			     XOK_XN_BLOCK;

	memset(m, 0, sizeof(*m));
	m->nblocks = nblocks;
	m->data = calloc(nblocks, XOK_XN_BLOCK);
	m->map = calloc(map_bytes, 1);
	m->type = calloc(nblocks, 1);
	m->owner = calloc(nblocks, sizeof(*m->owner));
	m->dirty = calloc((nblocks + 7) / 8, 1);
	m->blk.ops = &mem_ops;
	if (!m->data || !m->map || !m->type || !m->owner || !m->dirty) {
		memblk_free(m);
		return -1;
	}
	return 0;
}

int memblk_init(struct memblk *m, uint64_t nblocks)
{
	memset(m, 0, sizeof(*m)); /* memblk_free is safe after a failure */
	if (nblocks <= ROOT_BLOCK + 1 || memblk_alloc(m, nblocks))
		return -1;
	for (unsigned t = 1; t < CFFS_NTYPES; t++)
		cffs_template(t, &m->types[t]);
	m->layout = LAYOUT(nblocks);
	m->first_free = ROOT_BLOCK;
	xn_mark_fixed(&m->layout, m->map);
	xn_bit_set(m->map, ROOT_BLOCK);
	m->type[ROOT_BLOCK] = CFFS_T_SUPER;
	m->blk.root = ROOT_BLOCK;
	return 0;
}

void memblk_free(struct memblk *m)
{
	free(m->data);
	free(m->map);
	free(m->type);
	free(m->owner);
	free(m->dirty);
	m->data = NULL;
	m->map = NULL;
	m->type = NULL;
	m->owner = NULL;
	m->dirty = NULL;
}

static int mem_read(uint64_t block, uint8_t *buf, void *ctx)
{
	struct memblk *m = ctx;

	memcpy(buf, m->data[block], XOK_XN_BLOCK);
	return 0;
}

int memblk_check(struct memblk *m)
{
	struct xok_xn_super s = m->layout;
	struct xok_xn_root roots[XOK_XN_MAXROOTS] = { 0 };
	size_t bytes = (m->nblocks + 7) / 8;
	uint8_t *map = calloc(bytes + XOK_XN_BLOCK, 1), buf[XOK_XN_BLOCK];
	struct xok_xn_pair *stack = calloc(m->nblocks, sizeof(*stack));
	uint64_t bad;
	int r = -1;

	roots[0] = (struct xok_xn_root){ .block = m->blk.root,
					 .type = CFFS_T_SUPER, .in_use = 1 };
	if (map && stack &&
	    !xn_rebuild(&s, m->types, roots, mem_read, m, map, stack, buf, &bad))
		r = memcmp(map, m->map, bytes) ? -1 : 0;
	free(map);
	free(stack);
	return r;
}

uint64_t memblk_free_count(const struct memblk *m)
{
	uint64_t n = 0;

	for (uint64_t b = 0; b < m->nblocks; b++)
		n += !xn_bit(m->map, b);
	return n;
}
