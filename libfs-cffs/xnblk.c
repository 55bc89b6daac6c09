/*
 * xnblk: C-FFS over XN's calls.
 */
#include "xnblk.h"

#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/syscall.h>

#include "../lib/string.h"

#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define MAP ((const volatile uint8_t *)XOK_UXNMAP)

static struct xnblk *of(struct cffs_blk *b)
{
	return (struct xnblk *)b;
}

/* Sleeps until entry `idx` is neither being read nor written. */
static uint32_t settle(int64_t idx)
{
	struct xok_wk_insn prog[XOK_XN_SETTLE_INSNS];

	xok_xn_settle_prog(prog, &REG[idx]);
	while (REG[idx].state == XOK_XN_READING ||
	       REG[idx].state == XOK_XN_WRITING)
		xok_wk_sleep(prog, XOK_XN_SETTLE_INSNS);
	return REG[idx].state;
}

/* The registry entry holding `block`, or -1. */
static int64_t cached(uint64_t block)
{
	for (int64_t i = 0; i < XOK_XN_REGISTRY; i++)
		if (REG[i].state != XOK_XN_EMPTY && REG[i].block == block &&
		    !REG[i].freed)
			return i;
	return -1;
}

/* Binds `block` through `parent` (0: the root) and waits for it. */
static int64_t bind(struct xnblk *x, uint64_t parent, uint64_t block)
{
	int64_t idx, pidx;

	if (!parent)
		idx = block == x->blk.root ? xok_xn_bind_root(x->cap, x->root)
					   : E_INVAL;
	else if ((pidx = cached(parent)) < 0)
		return E_STATE;
	else
		idx = xok_xn_bind(x->cap, (uint64_t)pidx, block);
	if (idx >= 0 && (settle(idx) == XOK_XN_EMPTY || REG[idx].error))
		return E_IO;
	return idx;
}

static uint64_t page_of(struct xnblk *x, int64_t idx, int writable)
{
	return x->window +
	       ((uint64_t)idx + (writable ? XOK_XN_REGISTRY : 0)) * XOK_PAGE_SIZE;
}

static const uint8_t *xn_get(struct cffs_blk *b, uint64_t parent,
			     uint64_t block)
{
	struct xnblk *x = of(b);
	int64_t idx = bind(x, parent, block);
	uint64_t va = page_of(x, idx, 0);

	if (idx < 0)
		return NULL;
	if (x->shown[idx] != block + 1) {
		if (xok_xn_map(x->cap, (uint64_t)idx, va, 0) < 0)
			return NULL;
		x->shown[idx] = block + 1;
	}
	return (const uint8_t *)va;
}

/* XN frees only cached blocks: bind those the change frees. */
static int bind_freed(struct xnblk *x, uint64_t block,
		      const struct xok_xn_delta *d)
{
	for (uint64_t i = 0; i < d->nrm && i < XOK_XN_MAXDELTA; i++) {
		int64_t r = cached(d->rm[i].block) >= 0
				    ? 0 : bind(x, block, d->rm[i].block);

		if (r < 0)
			return (int)r;
	}
	return 0;
}

static int xn_modify_block(struct cffs_blk *b, uint64_t block,
			   const struct xok_xn_mod *mods, size_t n,
			   const struct xok_xn_delta *d)
{
	struct xnblk *x = of(b);
	int64_t idx = cached(block);
	int r;

	if (idx < 0)
		return E_STATE;
	if ((r = bind_freed(x, block, d)))
		return r;
	return (int)xok_xn_modify(x->cap, (uint64_t)idx, mods, n, d);
}

static int xn_write_data(struct cffs_blk *b, uint64_t parent, uint64_t block,
			 uint32_t off, const void *bytes, uint32_t len)
{
	struct xnblk *x = of(b);
	int64_t idx = bind(x, parent, block);
	uint64_t va = page_of(x, idx, 1);

	if (idx < 0)
		return (int)idx;
	if (off > XOK_XN_BLOCK || len > XOK_XN_BLOCK - off)
		return E_INVAL;
	/* Mapping it writable is what marks it dirty, so map every time. */
	if (xok_xn_map(x->cap, (uint64_t)idx, va, 1) < 0)
		return E_STATE;
	memcpy((uint8_t *)va + off, bytes, len);
	return 0;
}

static uint64_t xn_free_block(struct cffs_blk *b, uint64_t hint)
{
	struct xnblk *x = of(b);

	if (hint >= x->nblocks)
		hint = 0;
	for (uint64_t k = 0; k < x->nblocks; k++) {
		uint64_t blk = (hint + k) % x->nblocks;

		if (!((MAP[blk / 8] >> (blk % 8)) & 1) && cached(blk) < 0)
			return blk;
	}
	return 0;
}

static const struct cffs_blk_ops xn_ops = {
	xn_get, xn_modify_block, xn_write_data, xn_free_block,
};

int xnblk_open(struct xnblk *x, uint64_t cap, uint64_t root,
	       uint64_t nblocks, uint64_t window)
{
	int64_t idx;

	memset(x, 0, sizeof(*x));
	x->cap = cap;
	x->root = root;
	x->nblocks = nblocks;
	x->window = window;
	x->blk.ops = &xn_ops;
	if ((idx = xok_xn_bind_root(cap, root)) < 0)
		return (int)idx;
	if (settle(idx) != XOK_XN_VALID && REG[idx].state != XOK_XN_DIRTY)
		return E_IO;
	x->blk.root = REG[idx].block;
	return xn_get(&x->blk, 0, x->blk.root) ? 0 : E_IO;
}

int xnblk_flush(void)
{
	for (int pass = 0; pass < XOK_XN_REGISTRY; pass++) {
		int dirty = 0, wrote = 0;

		for (int64_t i = 0; i < XOK_XN_REGISTRY; i++) {
			int64_t r;

			if (REG[i].state != XOK_XN_DIRTY)
				continue;
			dirty = 1;
			/* A block pointing to unwritten ones waits its turn. */
			if ((r = xok_xn_write((uint64_t)i)) == E_STATE)
				continue;
			if (r && r != E_AGAIN)
				return (int)r;
			if (!r) {
				wrote = 1;
				if (settle(i) != XOK_XN_VALID || REG[i].error)
					return E_IO;
			}
		}
		if (!dirty)
			return 0;
		if (!wrote)
			return E_STATE;
	}
	return E_STATE;
}
