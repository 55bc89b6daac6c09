/*
 * memory: see memory.h.
 */
#include "memory.h"

#include "../bin/rt/rt.h"
#include "nester.h"
#include "segment.h"
#include "space.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
#define GROW_MAX 64 /* pages per call: one call may not hold the server long */

static int alive(uint64_t id)
{
	return ENVS[xok_env_slot(id)].id == id;
}

/* Shared by the nester's two environments; the frames are the server's,
 * mapped at NEST_SEG_VA (segment i's page p at seg_va(i, p)). */
static struct nest_segs segs = { .alive = alive };

static uint64_t seg_va(unsigned i, uint64_t p)
{
	return NEST_SEG_VA + (i * NEST_SEG_PAGES + p) * XOK_PAGE_SIZE;
}

int nest_in_subtree(uint64_t env, uint64_t root)
{
	/* Bounded: capabilities nest at most XOK_CAP_MAXLEN deep, and each
	 * level may add a helper environment. */
	for (int depth = 0; env && depth <= 2 * XOK_CAP_MAXLEN; depth++) {
		if (env == root)
			return 1;
		if (ENVS[xok_env_slot(env)].id != env)
			return 0;
		env = ENVS[xok_env_slot(env)].parent;
	}
	return 0;
}

uint64_t nest_req_subject(const struct nest_req *rq)
{
	uint64_t subject = rq->msg->subject;

	return rq->from && nest_in_subtree(subject, rq->from->env) ? subject : 0;
}

/* c's own slot, or for a subject deeper, NEST_NAME_SLOT given the
 * subject's own name (from c's, which dominates it), so that every nester
 * between may map its pages on too (a memory manager's pool). */
int64_t nest_memory_name(const struct nester *n, const struct nest_child *c,
			 uint64_t subject)
{
	unsigned slot = (unsigned)(c - n->child) + 1;
	struct xok_cap name;
	int64_t r;

	if (subject == c->env)
		return slot;
	name = *(const struct xok_cap *)&ENVS[xok_env_slot(subject)].caps[0];
	if (!name.valid)
		return E_PERM;
	name.rights = XOK_CAP_RIGHTS;
	if (!memcmp((const void *)&RT_SELF->caps[NEST_NAME_SLOT], &name,
		    sizeof(name)))
		return NEST_NAME_SLOT; /* it names the last one's too */
	if ((r = xok_cap_grant(slot, 0, 0, NEST_NAME_SLOT, &name)) < 0)
		return r;
	return NEST_NAME_SLOT;
}

/* `pages` zeroed pages at `va` for `subject` (0: not the caller's to
 * ask for) in child `c`'s subtree; for a fault, a page that is there by
 * now is success. */
static int64_t grow(struct nester *n, struct nest_child *c, uint64_t subject,
		    uint64_t va, uint64_t pages, int fault)
{
	int64_t slot;

	if (!subject)
		return E_PERM;
	if ((va & (XOK_PAGE_SIZE - 1)) || va < NEST_HEAP_BASE ||
	    pages > GROW_MAX || va + pages * XOK_PAGE_SIZE > NEST_HEAP_TOP)
		return E_INVAL;
	if (fault && (rt_pte_of(subject, va) & XOK_PTE_P))
		return 0;
	if (nest_memory_room(n, c, pages) < 0)
		return E_NOMEM;
	if (!pages)
		return 0;
	if ((slot = nest_memory_name(n, c, subject)) < 0)
		return slot;
	for (uint64_t i = 0; i < pages; i++) {
		int64_t r = xok_page_alloc((uint64_t)slot, subject,
					   va + i * XOK_PAGE_SIZE,
					   XOK_PTE_W | XOK_PTE_NX, XOK_PFN_ANY);

		if (r < 0)
			return r;
		c->pages++;
	}
	return 0;
}

int64_t nest_memory_room(const struct nester *n, const struct nest_child *c,
			 uint64_t pages)
{
	return c->pages + nest_seg_charged(&segs, c->env) + pages > n->quota ?
		E_NOMEM : 0;
}

/* Unmaps segment i's first `pages` frames from the server. */
static void unmap_seg(const struct nester *n, unsigned i, uint64_t pages)
{
	for (uint64_t p = 0; p < pages; p++)
		xok_page_unmap(0, n->server, seg_va(i, p));
}

void nest_memory_reclaim(const struct nester *n)
{
	for (unsigned i = 0; i < NEST_MAXSEGS; i++)
		if (nest_seg_dead(&segs, i)) {
			unmap_seg(n, i, segs.seg[i].pages);
			nest_seg_clear(&segs, i);
		}
}

/* CREATE_SEGMENT a = key, pages, partner, for `subject` in child c's
 * subtree: the frames are the server's, named by its own capability, so
 * only it maps them (into the holders, with MAP). */
static int64_t create_segment(struct nester *n, struct nest_child *c,
			      uint64_t subject, const uint64_t a[3])
{
	uint64_t partner = a[2];
	int64_t i;

	if (!subject)
		return E_PERM;
	if (partner && (!alive(partner) ||
			ENVS[xok_env_slot(partner)].parent !=
				ENVS[xok_env_slot(subject)].parent))
		return E_INVAL;
	nest_memory_reclaim(n);
	if ((i = nest_seg_new(&segs, a[0], a[1], subject, partner, c->env)) < 0)
		return i;
	if (nest_memory_room(n, c, 0) < 0) {
		nest_seg_clear(&segs, (unsigned)i);
		return E_NOMEM;
	}
	for (uint64_t p = 0; p < a[1]; p++) {
		int64_t r = xok_page_alloc(0, 0, seg_va((unsigned)i, p),
					   XOK_PTE_W | XOK_PTE_NX, XOK_PFN_ANY);

		if (r < 0) {
			unmap_seg(n, (unsigned)i, p);
			nest_seg_clear(&segs, (unsigned)i);
			return r;
		}
	}
	return 0;
}

/* MAP a = key, va, prot: the segment's frames into `subject`. */
static int64_t map_segment(uint64_t subject, const uint64_t a[3])
{
	uint64_t va = a[1], perm = XOK_PTE_NX;
	int64_t i;

	if (!subject)
		return E_PERM;
	if ((i = nest_seg_lookup(&segs, a[0], subject)) < 0)
		return i;
	if (a[2] == (NEST_PROT_READ | NEST_PROT_WRITE))
		perm |= XOK_PTE_W;
	else if (a[2] != NEST_PROT_READ)
		return E_INVAL;
	if (!nest_map_range_ok(va, segs.seg[i].pages))
		return E_INVAL;
	for (uint64_t p = 0; p < segs.seg[i].pages; p++) {
		uint64_t pfn = (rt_pte(seg_va((unsigned)i, p)) & XOK_PTE_ADDR) >>
			       XOK_PAGE_SHIFT;
		int64_t r = xok_page_map(0, subject, va + p * XOK_PAGE_SIZE, 0,
					 pfn, perm);

		if (r < 0)
			return r;
	}
	return 0;
}

int64_t nest_memory_serve(struct nester *n, struct nest_req *rq)
{
	uint64_t subject = nest_req_subject(rq);

	switch (rq->op) {
	case NEST_MEM_GROW:
		return grow(n, rq->from, subject, rq->a[0], rq->a[1], 0);
	case NEST_MEM_FAULT:
		return grow(n, rq->from, subject, rq->a[0], 1, 1);
	case NEST_MEM_CREATE_SEGMENT:
		return create_segment(n, rq->from, subject, rq->a);
	case NEST_MEM_MAP:
		return map_segment(subject, rq->a);
	default:
		return E_NOSYS;
	}
}
