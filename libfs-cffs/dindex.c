/*
 * dindex: the name index (open addressing, linear probing; a removed
 * name leaves a tombstone until the table is emptied).
 */
#include "dindex.h"

#include "../lib/string.h"

#define MASK (DINDEX_NAMES - 1)

static int same_place(const struct cffs_loc *x, const struct cffs_loc *y)
{
	return x->block == y->block && x->off == y->off;
}

void dindex_forget(struct dindex_dir *d)
{
	d->complete = 0;
	d->epoch++;
	d->free_from = 0;
}

void dindex_reset(struct cffs_dindex *ix)
{
	memset(ix, 0, sizeof(*ix));
}

/* Empties the name table: every directory loses its names. */
static void empty_names(struct cffs_dindex *ix)
{
	memset(ix->names, 0, sizeof(ix->names));
	ix->used = 0;
	for (unsigned i = 0; i < DINDEX_DIRS; i++)
		dindex_forget(&ix->dirs[i]);
}

struct dindex_dir *dindex_dir(struct cffs_dindex *ix,
			      const struct cffs_loc *dir, uint32_t gen)
{
	struct dindex_dir *d = NULL;

	for (unsigned i = 0; i < DINDEX_DIRS && !d; i++)
		if (ix->dirs[i].at.block && same_place(&ix->dirs[i].at, dir))
			d = &ix->dirs[i];
	if (!d) {
		d = &ix->dirs[ix->next_dir];
		ix->next_dir = (ix->next_dir + 1) % DINDEX_DIRS;
		dindex_forget(d);
		d->at = *dir;
	} else if (d->gen != gen) {
		dindex_forget(d);
	}
	d->gen = gen;
	return d;
}

uint32_t dindex_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h ? h : 1; /* 0 marks an empty slot */
}

static unsigned dir_number(const struct cffs_dindex *ix,
			   const struct dindex_dir *d)
{
	return (unsigned)(d - ix->dirs);
}

/* Is slot `n` a live name of `d` with `hash`? */
static int is_of(const struct cffs_dindex *ix, const struct dindex_name *n,
		 const struct dindex_dir *d, uint32_t hash)
{
	return n->hash == hash && n->live && n->dir == dir_number(ix, d) &&
	       n->epoch == d->epoch;
}

int dindex_next(const struct cffs_dindex *ix, const struct dindex_dir *d,
		uint32_t hash, unsigned *pos, struct cffs_loc *out)
{
	for (; *pos < DINDEX_NAMES; (*pos)++) {
		const struct dindex_name *n = &ix->names[(hash + *pos) & MASK];

		if (!n->hash)
			return 0;
		if (is_of(ix, n, d, hash)) {
			*out = n->at;
			(*pos)++;
			return 1;
		}
	}
	return 0;
}

void dindex_add(struct cffs_dindex *ix, struct dindex_dir *d, uint32_t hash,
		const struct cffs_loc *at)
{
	unsigned i;

	if (ix->used >= DINDEX_NAMES / 4 * 3)
		empty_names(ix);
	for (i = hash & MASK; ix->names[i].hash; i = (i + 1) & MASK)
		if (is_of(ix, &ix->names[i], d, hash) &&
		    same_place(&ix->names[i].at, at))
			return;
	ix->names[i] = (struct dindex_name){ hash, (uint16_t)dir_number(ix, d),
					     1, d->epoch, *at };
	ix->used++;
}

void dindex_remove(struct cffs_dindex *ix, const struct dindex_dir *d,
		   uint32_t hash, const struct cffs_loc *at)
{
	for (unsigned i = hash & MASK; ix->names[i].hash; i = (i + 1) & MASK)
		if (is_of(ix, &ix->names[i], d, hash) &&
		    same_place(&ix->names[i].at, at))
			ix->names[i].live = 0;
}
