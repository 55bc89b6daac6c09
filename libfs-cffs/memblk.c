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

#define ROOT_BLOCK 1
#define BITS_PER_BLOCK (XOK_XN_BLOCK * 8)

static struct memblk *of(struct cffs_blk *b)
{
	return (struct memblk *)b;
}

static struct xn_context context(struct memblk *m)
{
	return (struct xn_context){ m->types, m->nblocks };
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

static int mem_modify(struct cffs_blk *b, uint64_t block,
		      const struct xok_xn_mod *mods, size_t n,
		      const struct xok_xn_delta *d)
{
	static uint8_t copy[XOK_XN_BLOCK];
	struct memblk *m = of(b);
	struct xn_context cx = context(m);
	int64_t type = find_type(m, block);

	if (type <= 0 || d->nadd > XOK_XN_MAXDELTA || d->nrm > XOK_XN_MAXDELTA)
		return -1;
	memcpy(copy, m->data[block], sizeof(copy));
	for (size_t i = 0; i < n; i++) {
		if (mods[i].offset > XOK_XN_BLOCK ||
		    mods[i].len > XOK_XN_BLOCK - mods[i].offset)
			return -1;
		memcpy(copy + mods[i].offset, (const void *)mods[i].bytes,
		       mods[i].len);
	}
	for (uint64_t i = 0; i < d->nadd; i++)
		if (d->add[i].block >= m->nblocks || xn_bit(m->map, d->add[i].block))
			return -2; /* not free */
	if (xn_check_change(&cx, (uint64_t)type, m->data[block], copy, d->add,
			    d->nadd, d->rm, d->nrm))
		return -3;
	for (uint64_t i = 0; i < d->nadd; i++) {
		xn_bit_set(m->map, d->add[i].block);
		m->type[d->add[i].block] = (uint8_t)d->add[i].type;
		m->owner[d->add[i].block] = block;
		memset(m->data[d->add[i].block], 0, XOK_XN_BLOCK);
		xn_bit_set(m->dirty, d->add[i].block);
	}
	for (uint64_t i = 0; i < d->nrm; i++)
		xn_bit_clear(m->map, d->rm[i].block);
	memcpy(m->data[block], copy, sizeof(copy));
	xn_bit_set(m->dirty, block);
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
	if (nblocks < 4 || memblk_alloc(m, nblocks))
		return -1;
	for (unsigned t = 1; t < CFFS_NTYPES; t++)
		cffs_template(t, &m->types[t]);
	/* Block 0 stands for XN's own fixed blocks here. */
	m->first_free = ROOT_BLOCK;
	xn_bit_set(m->map, 0);
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
	struct xok_xn_super s = { .nblocks = m->nblocks,
				  .roots_block = m->first_free - 1 };
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
