/*
 * imgblk: C-FFS on an XN image file, through a memblk.
 */
#include "imgblk.h"

#include <stdlib.h>
#include <string.h>

#include "../xn/freemap.h"
#include "format.h"
#include "templates.h"

#define BITS_PER_BLOCK (XOK_XN_BLOCK * 8ull)

/* The largest disk the kernel's XN mounts: its free map is exported in
 * XOK_XN_MAXMAPBLOCKS blocks. */
#define MAX_BLOCKS (XOK_XN_MAXMAPBLOCKS * BITS_PER_BLOCK)

int imgblk_format(const char *path, uint64_t nblocks, const char *root,
		  FILE *err)
{
	static struct xnimage_head h;
	static uint8_t block[XOK_XN_BLOCK];
	struct xok_xn_template t;
	struct xok_xn_root *r = &h.roots[0];
	const struct xok_xn_super *s = &h.super;
	FILE *img;
	int bad = 0;

	if (!root[0] || strlen(root) >= XOK_XN_NAME) {
		fprintf(err, "%s: bad root name '%s'\n", path, root);
		return -1;
	}
	if (nblocks > MAX_BLOCKS) {
		fprintf(err, "%s: %lu blocks is more than Xok's XN mounts (%llu)\n",
			path, (unsigned long)nblocks, MAX_BLOCKS);
		return -1;
	}
	if (xnimage_format(path, nblocks, err))
		return -1;
	if (!(img = fopen(path, "r+b"))) {
		fprintf(err, "%s: cannot open\n", path);
		return -1;
	}
	xn_layout(nblocks, &h.super);
	for (unsigned type = 1; type < CFFS_NTYPES; type++) {
		cffs_template(type, &t);
		memset(block, 0, sizeof(block));
		memcpy(block, &t, sizeof(t));
		bad |= xnimage_write(img, s->types_start + type, block);
	}
	/* Where the kernel's xn_root_create puts a first root: the first
	 * free block, zeroed (the format left it so), under the root
	 * capability's guard (the empty name). */
	memset(h.roots, 0, sizeof(h.roots));
	*r = (struct xok_xn_root){ .block = xn_first_owned(s),
				   .type = CFFS_T_SUPER, .in_use = 1 };
	memcpy(r->name, root, strlen(root));
	memset(block, 0, sizeof(block));
	memcpy(block, h.roots, sizeof(h.roots));
	bad |= xnimage_write(img, s->roots_block, block);
	bad |= xnimage_read(img, s->freemap_start, block);
	xn_bit_set(block, r->block);
	bad |= xnimage_write(img, s->freemap_start, block);
	if (fclose(img) || bad) {
		fprintf(err, "%s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* Writes what changed since the last sync, then the free map, then a
 * superblock marked clean (the map on disk is right again). */
static int persist(struct memblk *m)
{
	static uint8_t block[XOK_XN_BLOCK];
	struct imgblk *x = (struct imgblk *)m;
	struct xok_xn_super *s = &x->head.super;
	int bad = 0;

	for (uint64_t b = 0; b < m->nblocks; b++) {
		if (!xn_bit(m->dirty, b))
			continue;
		bad |= xnimage_write(x->img, b, m->data[b]);
		xn_bit_clear(m->dirty, b);
	}
	for (uint64_t i = 0; i < s->freemap_blocks; i++)
		bad |= xnimage_write(x->img, s->freemap_start + i,
				     m->map + i * XOK_XN_BLOCK);
	s->clean = 1;
	memset(block, 0, sizeof(block));
	memcpy(block, s, sizeof(*s));
	bad |= xnimage_write(x->img, 0, block);
	return bad | fflush(x->img) ? -1 : 0;
}

/* Are C-FFS's types installed, each exactly as cffs_template makes it? */
static int cffs_types(const struct xnimage_head *h)
{
	struct xok_xn_template t;

	for (unsigned type = 1; type < CFFS_NTYPES; type++)
		if (cffs_template(type, &t) ||
		    memcmp(&t, &h->types[type], sizeof(t)))
			return 0;
	return 1;
}

/* The catalogue slot of the SUPER root named `name`, or -1. */
static int find_root(const struct xnimage_head *h, const char *name)
{
	for (unsigned i = 0; i < XOK_XN_MAXROOTS; i++)
		if (h->roots[i].in_use && h->roots[i].type == CFFS_T_SUPER &&
		    !strncmp(h->roots[i].name, name, XOK_XN_NAME))
			return (int)i;
	return -1;
}

static int read_loaded(uint64_t block, uint8_t *buf, void *ctx)
{
	struct memblk *m = ctx;

	memcpy(buf, m->data[block], XOK_XN_BLOCK);
	return 0;
}

/* Loads every block, and the free map rebuilt from all the roots. */
static int load(struct imgblk *x, const char *path, FILE *err)
{
	static uint8_t buf[XOK_XN_BLOCK];
	const struct xok_xn_super *s = &x->head.super;
	struct memblk *m = &x->mem;
	struct xok_xn_pair *stack;
	uint64_t bad;
	int r;

	if (memblk_alloc(m, s->nblocks) ||
	    !(stack = calloc(s->nblocks, sizeof(*stack)))) {
		fprintf(err, "%s: out of memory\n", path);
		return -1;
	}
	if (fseeko(x->img, 0, SEEK_SET) ||
	    fread(m->data, XOK_XN_BLOCK, s->nblocks, x->img) != s->nblocks) {
		fprintf(err, "%s: cannot read\n", path);
		free(stack);
		return -1;
	}
	memcpy(m->types, x->head.types, sizeof(m->types));
	r = xn_rebuild(s, m->types, x->head.roots, read_loaded, m, m->map,
		       stack, buf, &bad);
	free(stack);
	if (r)
		fprintf(err, "%s: block %lu: %s (cffs-fsck tells more)\n", path,
			(unsigned long)bad, xnimage_strerror(r));
	return r ? -1 : 0;
}

int imgblk_open(struct imgblk *x, const char *path, const char *root,
		int writable, FILE *err)
{
	int slot;

	memset(x, 0, sizeof(*x));
	if (!(x->img = fopen(path, writable ? "r+b" : "rb"))) {
		fprintf(err, "%s: cannot open\n", path);
		return -1;
	}
	x->writable = writable;
	if (xnimage_load(x->img, path, &x->head, err) < 0)
		goto fail;
	if (!cffs_types(&x->head)) {
		fprintf(err, "%s: C-FFS's types are not installed as this "
			     "C-FFS makes them\n", path);
		goto fail;
	}
	if ((slot = find_root(&x->head, root)) < 0) {
		fprintf(err, "%s: no C-FFS root named '%s'\n", path, root);
		goto fail;
	}
	if (load(x, path, err))
		goto fail;
	x->mem.blk.root = x->head.roots[slot].block;
	x->mem.type[x->mem.blk.root] = CFFS_T_SUPER;
	x->mem.layout = x->head.super;
	x->mem.first_free = xn_first_owned(&x->head.super);
	x->mem.persist = writable ? persist : NULL;
	return 0;
fail:
	fclose(x->img);
	memblk_free(&x->mem);
	x->img = NULL;
	return -1;
}

int imgblk_close(struct imgblk *x)
{
	int r = x->writable ? persist(&x->mem) : 0;

	r |= fclose(x->img);
	x->img = NULL;
	memblk_free(&x->mem);
	return r ? -1 : 0;
}
