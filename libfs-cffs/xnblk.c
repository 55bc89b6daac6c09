/*
 * xnblk: C-FFS over XN's calls.
 */
#include "xnblk.h"

#include <xok/disk.h>
#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/syscall.h>

#include "../lib/string.h"

#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define MAP ((const volatile uint8_t *)XOK_UXNMAP)
#define HEAD ((const volatile uint32_t *)XOK_UXNHASH)

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

static int holds_block(int64_t i, uint64_t block)
{
	return REG[i].state != XOK_XN_EMPTY && REG[i].block == block &&
	       !REG[i].freed;
}

/* The registry entry holding `block`, or -1 (a walk of its bucket: any
 * process may change the registry, so the entry is checked). */
static int64_t cached(uint64_t block)
{
	int64_t i = xok_xn_lookup(REG, HEAD, block);

	return i >= 0 && holds_block(i, block) ? i : -1;
}

#define UNKNOWN (~0ull)
#define PROBES 32
#define MAX_CHAIN 64 /* parents bound again in one call, at most */

static struct xnblk_link *link_of(struct xnblk *x, uint64_t block)
{
	for (unsigned k = 0; k < PROBES; k++) {
		struct xnblk_link *l =
			&x->parents[(block + k) % XNBLK_PARENTS];

		if (l->block == block || l->block == 0)
			return l;
	}
	return NULL;
}

static void remember(struct xnblk *x, uint64_t block, uint64_t parent)
{
	struct xnblk_link *l = link_of(x, block);

	if (l)
		*l = (struct xnblk_link){ block, parent };
}

static uint64_t parent_of(struct xnblk *x, uint64_t block)
{
	struct xnblk_link *l = link_of(x, block);

	return l && l->block == block ? l->parent : UNKNOWN;
}

/* Binds `block` through `parent` (0: the root), binding the parent again
 * first if it has been reclaimed, and waits for it. */
static int64_t bind_once(struct xnblk *x, uint64_t parent, uint64_t block,
			 unsigned depth)
{
	int64_t idx, pidx = -1;

	if (!parent) {
		idx = block == x->blk.root ? xok_xn_bind_root(x->cap, x->root)
					   : E_INVAL;
	} else {
		if ((pidx = cached(parent)) < 0) {
			uint64_t up = parent_of(x, parent);

			if (up == UNKNOWN || depth == MAX_CHAIN)
				return E_STATE;
			if ((pidx = bind_once(x, up, parent, depth + 1)) < 0)
				return pidx;
		}
		settle(pidx); /* perhaps still being read ahead */
		/* Every disk request slot taken (reads ahead, or another
		 * process's): let the disk work. */
		while ((idx = xok_xn_bind(x->cap, (uint64_t)pidx, block)) ==
		       E_AGAIN)
			xok_yield();
	}
	if (idx < 0)
		return idx;
	if (settle(idx) == XOK_XN_EMPTY || REG[idx].error)
		return E_IO;
	/* Only metadata is ever bound through: a data block's parent need
	 * not take a place in the table, which a large file would fill. */
	if (REG[idx].type != XOK_XN_DATA)
		remember(x, block, parent);
	return idx;
}

static uint64_t page_of(struct xnblk *x, int64_t idx, int writable)
{
	return x->window +
	       ((uint64_t)idx + (writable ? XOK_XN_REGISTRY : 0)) * XOK_PAGE_SIZE;
}

/* Forgets every mapping (a dirty block stays cached, and dirty, in XN),
 * unmapping it first if `present`: a fork's copy of an instance has the
 * records but not the mappings. Only records in use are written, so a
 * forked child's copy of the tables stays shared with its parent's. */
static void drop_entry(struct xnblk *x, int64_t i, int present)
{
	if (x->shown[i]) {
		if (present)
			xok_page_unmap(0, 0, page_of(x, i, 0));
		x->shown[i] = 0;
	}
	if (x->writable[i]) {
		if (present)
			xok_page_unmap(0, 0, page_of(x, i, 1));
		x->writable[i] = 0;
	}
}

static void drop_mappings(struct xnblk *x, int present)
{
	if (x->mapped <= XNBLK_HELD)
		for (unsigned k = 0; k < x->mapped; k++)
			drop_entry(x, x->held[k], present);
	else
		for (int64_t i = 0; i < XOK_XN_REGISTRY; i++)
			drop_entry(x, i, present);
	x->mapped = 0;
}

/* Counts a new mapping of entry `idx`, remembering it while there is
 * room. */
static void hold_mapping(struct xnblk *x, int64_t idx)
{
	if (x->mapped < XNBLK_HELD)
		x->held[x->mapped] = (uint16_t)idx;
	x->mapped++;
}

/* Makes room in XN's registry: writes every dirty block back and drops
 * every mapping, so XN may reclaim what it needs. */
static int release(struct xnblk *x)
{
	int r = xnblk_flush();

	drop_mappings(x, 1);
	return r;
}

void xnblk_trim(struct xnblk *x, unsigned keep)
{
	if (x->mapped > keep)
		drop_mappings(x, 1);
}

void xnblk_forked(struct xnblk *x)
{
	drop_mappings(x, 0);
}

/* The entry of `block` if it is cached and readable; else -1. Cached,
 * it is bound already: no need to ask XN (and run the parent's
 * owns-UDF) again. */
static int64_t bound(struct xnblk *x, uint64_t parent, uint64_t block)
{
	int64_t idx = cached(block);

	if (idx < 0 || settle(idx) == XOK_XN_EMPTY || REG[idx].error ||
	    !holds_block(idx, block))
		return -1;
	if (REG[idx].type != XOK_XN_DATA)
		remember(x, block, parent);
	return idx;
}

static int64_t bind(struct xnblk *x, uint64_t parent, uint64_t block)
{
	int64_t idx = bound(x, parent, block);

	if (idx >= 0)
		return idx;
	idx = bind_once(x, parent, block, 0);

	if (idx == E_NOMEM && !release(x))
		idx = bind_once(x, parent, block, 0);
	return idx;
}

/* The registry entry of `block`, bound again if it was reclaimed. */
static int64_t entry_of(struct xnblk *x, uint64_t block)
{
	int64_t idx = cached(block);
	uint64_t parent;

	if (idx >= 0)
		return idx;
	if ((parent = parent_of(x, block)) == UNKNOWN)
		return E_STATE;
	return bind(x, parent, block);
}


static const uint8_t *xn_get(struct cffs_blk *b, uint64_t parent,
			     uint64_t block)
{
	struct xnblk *x = of(b);
	int64_t idx = bind(x, parent, block);
	uint64_t va = page_of(x, idx, 0);

	if (idx < 0)
		return NULL;
	/* Block numbers and entries are both reused (a block freed and
	 * allocated again, perhaps in the same entry); the frame is not
	 * while this mapping holds it, so the frame tells. */
	if (x->shown[idx] != REG[idx].pfn + 1) {
		if (xok_xn_map(x->cap, (uint64_t)idx, va, 0) < 0)
			return NULL;
		if (!x->shown[idx])
			hold_mapping(x, idx);
		x->shown[idx] = REG[idx].pfn + 1;
	}
	return (const uint8_t *)va;
}

/* Binds the `n` blocks `blocks` (each through the block it is
 * remembered under, else — or if that one does not own it, as when
 * another process freed and reused the block — through `owner`) and
 * maps them, so that they stay cached while a change needs them
 * (binding one may make XN reclaim another). */
static int hold(struct xnblk *x, uint64_t owner, const uint64_t *blocks,
		size_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		int held = 1;

		for (size_t i = 0; i < n; i++) {
			uint64_t p = parent_of(x, blocks[i]);

			if ((p == UNKNOWN || !xn_get(&x->blk, p, blocks[i])) &&
			    !xn_get(&x->blk, owner, blocks[i]))
				return E_STATE;
		}
		/* A release while binding the last drops the others' maps. */
		for (size_t i = 0; i < n; i++) {
			int64_t idx = cached(blocks[i]);

			held &= idx >= 0 && x->shown[idx] == REG[idx].pfn + 1;
		}
		if (held)
			return 0;
	}
	return E_STATE;
}

/* XN frees only cached blocks: hold those `d` frees, with `more`. */
static int hold_changed(struct xnblk *x, uint64_t owner,
			const struct xok_xn_delta *d, const uint64_t *more,
			size_t nmore)
{
	uint64_t blocks[XOK_XN_MAXDELTA + 2];
	size_t n = 0;

	for (uint64_t i = 0; i < d->nrm && i < XOK_XN_MAXDELTA; i++)
		blocks[n++] = d->rm[i].block;
	for (size_t i = 0; i < nmore && i < 2; i++)
		blocks[n++] = more[i];
	return hold(x, owner, blocks, n);
}

static int64_t try_modify(struct xnblk *x, uint64_t block,
			  const struct xok_xn_mod *mods, size_t n,
			  const struct xok_xn_delta *d)
{
	int64_t idx;
	int r;

	/* Bound, the freed blocks keep `block` cached: bind them first. */
	if ((r = hold_changed(x, block, d, NULL, 0)))
		return r;
	if ((idx = entry_of(x, block)) < 0)
		return idx;
	return xok_xn_modify(x->cap, (uint64_t)idx, mods, n, d);
}

/* XN refuses a change while its registry is full (E_NOMEM), or while a
 * block it needs is paired with another not yet written (E_STATE):
 * writing everything back answers both; then try once more. */
static int retried(struct xnblk *x, int64_t r)
{
	return (r == E_NOMEM || r == E_STATE) && !release(x);
}

/* Remembers each of the `n` blocks at `p` under the cached block XN
 * says owns it now. */
static void remember_owners(struct xnblk *x, const struct xok_xn_pair *p,
			    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t idx = p[i].type == XOK_XN_DATA ? -1 : cached(p[i].block);

		if (idx >= 0 && REG[idx].parent != XOK_XN_NO_PARENT)
			remember(x, p[i].block, REG[REG[idx].parent].block);
	}
}

static int xn_modify_block(struct cffs_blk *b, uint64_t block,
			   const struct xok_xn_mod *mods, size_t n,
			   const struct xok_xn_delta *d)
{
	struct xnblk *x = of(b);
	int64_t r = try_modify(x, block, mods, n, d);

	if (retried(x, r))
		r = try_modify(x, block, mods, n, d);
	if (r)
		return (int)r;
	remember_owners(x, d->add, d->nadd);
	/* A freed block may come back as another's child. */
	for (uint64_t i = 0; i < d->nrm; i++)
		if (parent_of(x, d->rm[i].block) != UNKNOWN)
			remember(x, d->rm[i].block, UNKNOWN);
	return 0;
}

static int64_t try_modify_pair(struct xnblk *x, const uint64_t block[2],
			       struct xok_xn_pair_change *c)
{
	int r;

	if ((r = hold_changed(x, block[0], &c->delta, block, 2)))
		return r;
	for (int k = 0; k < 2; k++) {
		int64_t idx = cached(block[k]);

		if (idx < 0)
			return E_STATE;
		c->idx[k] = (uint64_t)idx;
	}
	return xok_xn_modify_pair(x->cap, c);
}

static int xn_modify_pair(struct cffs_blk *b, const uint64_t block[2],
			  const struct xok_xn_mod mod[2],
			  const struct xok_xn_delta *d,
			  const struct xok_xn_pair *moved, size_t nmoved)
{
	static struct xok_xn_pair_change c;
	struct xnblk *x = of(b);
	int64_t r;

	if (nmoved > XOK_XN_MAXMOVE)
		return E_INVAL;
	c = (struct xok_xn_pair_change){
		.mods = { (uint64_t)&mod[0], (uint64_t)&mod[1] },
		.nmods = { 1, 1 }, .delta = *d, .nmoved = nmoved,
	};
	memcpy(c.moved, moved, nmoved * sizeof(*moved));
	r = try_modify_pair(x, block, &c);
	if (retried(x, r))
		r = try_modify_pair(x, block, &c);
	if (r)
		return (int)r;
	remember_owners(x, d->add, d->nadd);
	/* A moved block not cached was owned by one and is by the other. */
	for (size_t i = 0; i < nmoved; i++)
		if (parent_of(x, moved[i].block) == block[0])
			remember(x, moved[i].block, block[1]);
		else if (parent_of(x, moved[i].block) == block[1])
			remember(x, moved[i].block, block[0]);
	remember_owners(x, moved, nmoved);
	return 0;
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
	if (!x->writable[idx])
		hold_mapping(x, idx);
	x->writable[idx] = 1;
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

		/* Eight in use at once: a file's blocks are in a row. */
		if (blk % 8 == 0 && MAP[blk / 8] == 0xff &&
		    blk + 8 <= x->nblocks) {
			k += 7;
			continue;
		}
		if (xok_xn_allocatable(MAP, REG, HEAD, blk))
			return blk;
	}
	return 0;
}

/* Starts reading the `n` uncached blocks from `block` on, children of
 * cached entry `pidx`: one request, else (refused: a block another
 * process cached meanwhile, say) one bind each. */
static void bind_ahead(struct xnblk *x, int64_t pidx, uint64_t block,
		       uint64_t n)
{
	if (n > 1 && !xok_xn_bind_run(x->cap, (uint64_t)pidx, block, n))
		return;
	for (uint64_t k = 0; k < n; k++)
		if (cached(block + k) < 0)
			(void)xok_xn_bind(x->cap, (uint64_t)pidx, block + k);
}

static void xn_prefetch(struct cffs_blk *b, uint64_t parent, uint64_t block,
			uint64_t n)
{
	struct xnblk *x = of(b);
	int64_t pidx = cached(parent);
	uint64_t k = 0;

	/* A full registry or a busy disk just means no prefetching. */
	if (pidx < 0)
		return;
	while (k < n) {
		uint64_t first, len = 0;

		while (k < n && cached(block + k) >= 0)
			k++;
		for (first = block + k; k < n && len < XOK_DISK_MAXPAGES &&
		     cached(block + k) < 0; k++)
			len++;
		if (len)
			bind_ahead(x, pidx, first, len);
	}
}

static int xn_sync(struct cffs_blk *b)
{
	(void)b;
	return xnblk_flush();
}

static int xn_sync_blocks(struct cffs_blk *b, const uint64_t *blocks,
			  size_t n);

static const struct cffs_blk_ops xn_ops = {
	xn_get, xn_modify_block, xn_write_data, xn_free_block, xn_sync,
	xn_modify_pair, xn_prefetch, xn_sync_blocks,
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

/* Waits for the writes started at entries `started[from..to)`. */
static int settle_writes(const int64_t *started, unsigned from, unsigned to)
{
	int r = 0;

	/* Dirty again is fine: another process changed it meanwhile. */
	for (unsigned k = from; k < to; k++)
		if (settle(started[k]) == XOK_XN_EMPTY || REG[started[k]].error)
			r = E_IO;
	return r;
}

/* Is entry `i` of `want` one XN would write on its own now: dirty,
 * pointing to no block never written, not paired? */
static int goes_alone(const uint8_t *want, int64_t i)
{
	return REG[i].state == XOK_XN_DIRTY && !REG[i].freed &&
	       !REG[i].taint && !REG[i].pair && (!want || want[i]);
}

/* The blocks in a row with entry `i`'s that go alone, from the first
 * before it, one disk request's worth: their entries into run[], the
 * count returned (0 if `i` itself cannot go). */
static unsigned run_of(const uint8_t *want, int64_t i, uint64_t *run)
{
	uint64_t first = REG[i].block;
	unsigned n = 0;
	int64_t j;

	if (!goes_alone(want, i))
		return 0;
	while (first > 0 && REG[i].block - first < XOK_DISK_MAXPAGES - 1 &&
	       (j = cached(first - 1)) >= 0 && goes_alone(want, j))
		first--;
	for (; n < XOK_DISK_MAXPAGES && (j = cached(first + n)) >= 0 &&
	       goes_alone(want, j); n++)
		run[n] = (uint64_t)j;
	return n;
}

/* Starts writing entry `i`, with the blocks in a row with it that can
 * go too (one request); their entries into started[]. The error of
 * xn_write or xn_write_run. */
static int64_t start_write(const uint8_t *want, int64_t i, int64_t *started,
			   unsigned *n)
{
	uint64_t run[XOK_DISK_MAXPAGES];
	unsigned len = run_of(want, i, run);
	int64_t w = len > 1 ? xok_xn_write_run(run, len)
			    : xok_xn_write((uint64_t)i);

	if (w)
		return w;
	if (len <= 1)
		started[(*n)++] = i;
	for (unsigned k = 0; len > 1 && k < len; k++)
		started[(*n)++] = (int64_t)run[k];
	return 0;
}

/* One pass of a flush: starts writing every dirty block of `want`
 * (registry indexes; NULL: all) that XN lets go (not one pointing to a
 * block never written), blocks in a row together, keeping the disk
 * busy, and waits for them. 1 if something was written, 0 if nothing
 * is dirty, E_STATE if nothing dirty could go. */
static int flush_pass(const uint8_t *want)
{
	/* Not on the stack: a libOS may run on a small one. */
	static int64_t started[XOK_XN_REGISTRY];
	unsigned n = 0, done = 0;
	int dirty = 0, r;

	for (int64_t i = 0; i < XOK_XN_REGISTRY; i++) {
		int64_t w;

		/* A freed block is never written: it goes when its parent
		 * (being written, perhaps) reaches the disk. */
		if (REG[i].state != XOK_XN_DIRTY || REG[i].freed ||
		    (want && !want[i]))
			continue;
		dirty = 1;
		/* The disk's request slots are full: wait for our oldest
		 * write, or for whatever holds them. */
		while ((w = start_write(want, i, started, &n)) == E_AGAIN) {
			if (done == n) {
				xok_yield();
				continue;
			}
			if ((r = settle_writes(started, done, done + 1)))
				return r;
			done++;
		}
		/* Its turn comes in a later pass (a run: another process
		 * changed one of its blocks meanwhile). */
		if (w == E_STATE || w == E_INVAL)
			continue;
		if (w)
			return (int)w;
	}
	if ((r = settle_writes(started, done, n)))
		return r;
	return n ? 1 : dirty ? E_STATE : 0;
}

static int flush_set(const uint8_t *want)
{
	for (int pass = 0; pass < XOK_XN_REGISTRY; pass++) {
		int r = flush_pass(want);

		if (r <= 0)
			return r;
	}
	return E_STATE;
}

int xnblk_flush(void)
{
	return flush_set(NULL);
}

/* Adds to `want` what its blocks need on disk with them: the blocks
 * never written that they point to (XN writes those first), and the
 * block pointing to one never written (or it is not reachable on disk),
 * both as far as they go. */
static void with_dependencies(uint8_t *want)
{
	for (int grew = 1; grew;) {
		grew = 0;
		for (int64_t i = 0; i < XOK_XN_REGISTRY; i++) {
			uint32_t p = REG[i].parent;

			if (REG[i].state == XOK_XN_EMPTY || !REG[i].uninit ||
			    p == XOK_XN_NO_PARENT || want[i] == want[p])
				continue;
			want[i] = want[p] = 1;
			grew = 1;
		}
	}
}

static int xn_sync_blocks(struct cffs_blk *b, const uint64_t *blocks,
			  size_t n)
{
	static uint8_t want[XOK_XN_REGISTRY];

	(void)b;
	memset(want, 0, sizeof(want));
	/* A block not cached is on disk already: XN keeps dirty ones. */
	for (size_t k = 0; k < n; k++) {
		int64_t idx = cached(blocks[k]);

		if (idx >= 0)
			want[idx] = 1;
	}
	with_dependencies(want);
	return flush_set(want);
}
