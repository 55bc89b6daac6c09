/*
 * registry: XN's buffer cache bookkeeping and write ordering.
 */
#include "registry.h"

int xnr_find(const struct xn_registry *r, uint64_t block)
{
	for (uint32_t i = r->head[xok_xn_bucket(block)]; i; i = r->e[i - 1].next)
		if (r->e[i - 1].block == block)
			return (int)i - 1;
	return -1;
}

/* Entry `i` reclaimable (clean, unmapped, nothing depending on it)? */
static int reclaimable(const struct xn_registry *r, unsigned i)
{
	const struct xok_xn_entry *e = &r->e[i];

	return e->pfn && e->state == XOK_XN_VALID && !e->freed && !e->uninit &&
	       !e->error && !e->children &&
	       !r->ops->page_mapped(r->ops->ctx, e->pfn);
}

int xnr_reclaim_one(struct xn_registry *r, int keep)
{
	for (unsigned k = 0; k < r->n; k++) {
		unsigned i = (r->hand + k) % r->n;

		if ((int)i != keep && reclaimable(r, i)) {
			xnr_drop(r, (int)i);
			return 1;
		}
	}
	return 0;
}

/* Takes entry `i` (holding a block) off its bucket's chain. */
static void unchain(struct xn_registry *r, int i)
{
	uint32_t *link = &r->head[xok_xn_bucket(r->e[i].block)];

	while (*link && *link != (uint32_t)i + 1)
		link = &r->e[*link - 1].next;
	if (*link)
		*link = r->e[i].next;
}

void xnr_drop(struct xn_registry *r, int i)
{
	struct xok_xn_entry *e = &r->e[i];

	if (e->parent != XOK_XN_NO_PARENT) {
		r->e[e->parent].children--;
		r->e[e->parent].freed_children -= e->freed;
	}
	unchain(r, i);
	r->ops->page_release(r->ops->ctx, e->pfn);
	*e = (struct xok_xn_entry){ 0 };
	r->used--;
}

/* A free slot from the hand on, reclaiming one (never `keep`) if there
 * is none; -1 if none can be. */
static int free_slot(struct xn_registry *r, int keep)
{
	if (r->used == r->n && !xnr_reclaim_one(r, keep))
		return -1;
	for (unsigned k = 0; k < r->n; k++) {
		unsigned i = (r->hand + k) % r->n;

		if (!r->e[i].pfn) {
			r->hand = (i + 1) % r->n;
			return (int)i;
		}
	}
	return -1;
}

int xnr_new(struct xn_registry *r, const struct xok_xn_entry *tmpl, int keep)
{
	int i = free_slot(r, keep);
	uint64_t pfn;
	uint32_t *head;

	if (i < 0)
		return -1;
	while (!(pfn = r->ops->page_alloc(r->ops->ctx)))
		if (!xnr_reclaim_one(r, keep))
			return -1;
	/* Reclaiming for the page may have emptied an earlier slot, never
	 * filled this one: it is still free. */
	head = &r->head[xok_xn_bucket(tmpl->block)];
	r->e[i] = *tmpl;
	r->e[i].pfn = pfn;
	r->e[i].children = 0;
	r->e[i].freed_children = 0;
	r->e[i].taint = 0;
	r->e[i].pair = 0;
	r->e[i].next = *head;
	*head = (uint32_t)i + 1;
	r->used++;
	if (tmpl->parent != XOK_XN_NO_PARENT)
		r->e[tmpl->parent].children++;
	return i;
}

int xnr_add_children(struct xn_registry *r, int parent,
		     const struct xok_xn_pair *add, size_t n)
{
	int made[XOK_XN_MAXDELTA];

	if (n > XOK_XN_MAXDELTA)
		return -1;
	for (size_t k = 0; k < n; k++) {
		struct xok_xn_entry t = {
			.block = add[k].block, .state = XOK_XN_DIRTY,
			.type = (uint32_t)add[k].type,
			.parent = (uint32_t)parent,
			.root = r->e[parent].root, .uninit = 1,
		};

		if ((made[k] = xnr_new(r, &t, parent)) < 0) {
			while (k-- > 0)
				xnr_drop(r, made[k]);
			return -1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		r->ops->map_set(r->ops->ctx, add[k].block, 1);
		r->e[parent].taint++;
	}
	return 0;
}

/* Releases freed entry `i`, and the freed entries still cached under it
 * (it owned nothing when freed, but the blocks freed from it earlier may
 * still wait for it): none of them is reachable on disk any more. */
static void release(struct xn_registry *r, int i)
{
	for (unsigned k = 0; k < r->n && r->e[i].children; k++)
		if (r->e[k].pfn && r->e[k].parent == (uint32_t)i)
			release(r, (int)k);
	r->ops->map_set(r->ops->ctx, r->e[i].block, 0);
	xnr_drop(r, i);
}

void xnr_mark_freed(struct xn_registry *r, uint64_t block)
{
	int i = xnr_find(r, block);
	struct xok_xn_entry *e;

	if (i < 0 || r->e[i].freed)
		return;
	e = &r->e[i];
	if (e->uninit) {
		/* Never written: no block on disk points to it (its parent
		 * could not be written meanwhile). It no longer taints the
		 * parent, and can go at once. */
		if (e->parent != XOK_XN_NO_PARENT)
			r->e[e->parent].taint--;
		e->uninit = 0;
		if (!e->children) {
			release(r, i);
			return;
		}
	}
	e->freed = 1;
	if (e->parent != XOK_XN_NO_PARENT)
		r->e[e->parent].freed_children++;
}

void xnr_reparent(struct xn_registry *r, uint64_t block, int parent)
{
	int i = xnr_find(r, block);
	struct xok_xn_entry *e;

	if (i < 0 || r->e[i].parent == XOK_XN_NO_PARENT)
		return; /* not cached, or a root (owned by no block) */
	e = &r->e[i];
	r->e[e->parent].children--;
	r->e[parent].children++;
	r->e[e->parent].freed_children -= e->freed;
	r->e[parent].freed_children += e->freed;
	if (e->uninit) {
		r->e[e->parent].taint--;
		r->e[parent].taint++;
	}
	e->parent = (uint32_t)parent;
}

void xnr_pair(struct xn_registry *r, int a, int b)
{
	r->e[a].pair = (uint32_t)b + 1;
	r->e[b].pair = (uint32_t)a + 1;
}

int xnr_partner(const struct xn_registry *r, int i)
{
	return (int)r->e[i].pair - 1;
}

static int writable_alone(const struct xok_xn_entry *e)
{
	return e->state == XOK_XN_DIRTY && !e->taint;
}

/* The taint of entry `i` beyond what its partner `p` gives it as a child
 * never written: a pair reaches the disk in one step, so the order a
 * child must keep before its parent holds between the two by itself (a
 * file moved into a new subdirectory of its own directory pairs the
 * subdirectory's block with its parent's). */
static uint32_t taint_besides(const struct xn_registry *r, int i, int p)
{
	return r->e[i].taint -
	       (r->e[p].uninit && r->e[p].parent == (uint32_t)i);
}

int xnr_writable(const struct xn_registry *r, int i)
{
	int p = xnr_partner(r, i);

	if (p < 0)
		return writable_alone(&r->e[i]) ? 0 : -1;
	return r->e[i].state == XOK_XN_DIRTY && r->e[p].state == XOK_XN_DIRTY &&
	       !taint_besides(r, i, p) && !taint_besides(r, p, i) ? 0 : -1;
}

void xnr_written(struct xn_registry *r, int i)
{
	struct xok_xn_entry *e = &r->e[i];

	if (e->uninit && e->parent != XOK_XN_NO_PARENT)
		r->e[e->parent].taint--;
	e->uninit = 0;
	e->pair = 0;
	for (unsigned k = 0; k < r->n && e->freed_children; k++)
		if (r->e[k].pfn && r->e[k].freed && r->e[k].parent == (uint32_t)i)
			release(r, (int)k);
}
