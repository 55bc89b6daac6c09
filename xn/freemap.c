/*
 * freemap: layout and reconstruction of the free map.
 */
#include "freemap.h"

#include "owns.h"

#define BITS_PER_BLOCK (XOK_XN_BLOCK * 8ull)

int xn_layout(uint64_t nblocks, struct xok_xn_super *s)
{
	uint64_t map_blocks = (nblocks + BITS_PER_BLOCK - 1) / BITS_PER_BLOCK;

	*s = (struct xok_xn_super){
		.magic = XOK_XN_MAGIC,
		.version = XOK_XN_VERSION,
		.nblocks = nblocks,
		.freemap_start = 1,
		.freemap_blocks = map_blocks,
		.types_start = 1 + map_blocks,
		.roots_block = 1 + map_blocks + XOK_XN_MAXTYPES,
		.clean = 1,
	};
	/* At least one block must be left for a root. */
	return nblocks > xn_first_owned(s) ? 0 : XN_E_SUPER;
}

int xn_super_check(const struct xok_xn_super *s, uint64_t disk_blocks)
{
	struct xok_xn_super want;

	if (s->magic != XOK_XN_MAGIC || s->version != XOK_XN_VERSION ||
	    s->nblocks > disk_blocks || xn_layout(s->nblocks, &want))
		return XN_E_SUPER;
	/* The layout is a function of the size: anything else is damage. */
	if (s->freemap_start != want.freemap_start ||
	    s->freemap_blocks != want.freemap_blocks ||
	    s->types_start != want.types_start ||
	    s->roots_block != want.roots_block || s->clean > 1)
		return XN_E_SUPER;
	return 0;
}

void xn_mark_fixed(const struct xok_xn_super *s, uint8_t *map)
{
	for (uint64_t b = 0; b < xn_first_owned(s); b++)
		xn_bit_set(map, b);
}

int xn_log_check(const struct xok_xn_super *s, const struct xok_xn_log *l)
{
	if (l->magic == 0)
		return 0;
	if (l->magic != XOK_XN_LOG_MAGIC || l->block[0] == l->block[1])
		return XN_E_LOG;
	for (unsigned k = 0; k < 2; k++)
		if (l->block[k] < xn_first_owned(s) || l->block[k] >= s->nblocks)
			return XN_E_LOG;
	return 1;
}

uint64_t xn_log_redirect(const struct xok_xn_super *s,
			 const struct xok_xn_log *l, uint64_t block)
{
	if (xn_log_check(s, l) != 1)
		return block;
	for (unsigned k = 0; k < 2; k++)
		if (block == l->block[k])
			return xn_log_start(s) + 1 + k;
	return block;
}

/* Marks `p` reached and queues it; a second arrival is an error. */
static int reach(const struct xok_xn_super *s, uint8_t *map,
		 struct xok_xn_pair *stack, uint64_t *top,
		 const struct xok_xn_pair *p, uint64_t *bad)
{
	*bad = p->block;
	if (p->block >= s->nblocks)
		return XN_E_ROOT;
	if (xn_bit(map, p->block))
		return XN_E_TWICE_REACHED;
	xn_bit_set(map, p->block);
	stack[(*top)++] = *p;
	return 0;
}

int xn_rebuild(const struct xok_xn_super *s,
	       const struct xok_xn_template *types,
	       const struct xok_xn_root *roots, xn_read_fn read, void *ctx,
	       uint8_t *map, struct xok_xn_pair *stack, uint8_t *buf,
	       uint64_t *bad)
{
	static struct xok_xn_pair owned[XN_MAXPAIRS];
	struct xn_context cx = { types, s->nblocks, NULL };
	uint64_t top = 0;
	size_t n;
	int r;

	xn_mark_fixed(s, map);
	for (size_t i = 0; i < XOK_XN_MAXROOTS; i++) {
		struct xok_xn_pair p = { roots[i].block, roots[i].type };

		if (!roots[i].in_use)
			continue;
		if (p.type >= XOK_XN_MAXTYPES ||
		    (p.type != XOK_XN_DATA && !types[p.type].in_use)) {
			*bad = p.block;
			return XN_E_ROOT;
		}
		if ((r = reach(s, map, stack, &top, &p, bad)))
			return r;
	}
	while (top) {
		struct xok_xn_pair p = stack[--top];

		if (p.type == XOK_XN_DATA)
			continue;
		*bad = p.block;
		if (read(p.block, buf, ctx))
			return XN_E_READ;
		if ((r = xn_owned(&cx, p.type, buf, owned, &n)))
			return r;
		for (size_t i = 0; i < n; i++)
			if ((r = reach(s, map, stack, &top, &owned[i], bad)))
				return r;
	}
	return 0;
}
