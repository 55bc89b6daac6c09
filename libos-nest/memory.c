/*
 * memory: see memory.h.
 */
#include "memory.h"

#include "../bin/rt/rt.h"
#include "nester.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
#define GROW_MAX 64 /* pages per call: one call may not hold the server long */

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

/* The server's capability slot that names pages for `subject` in child
 * c's subtree: c's own, or for one deeper, NEST_NAME_SLOT given the
 * subject's own name (from c's, which dominates it), so that every nester
 * between may map them on too (a memory manager's pool); a slot or an
 * error. */
static int64_t naming_slot(const struct nester *n, const struct nest_child *c,
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
	if (c->pages + pages > n->quota)
		return E_NOMEM;
	if (!pages)
		return 0;
	if ((slot = naming_slot(n, c, subject)) < 0)
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

int64_t nest_memory_serve(struct nester *n, struct nest_req *rq)
{
	uint64_t subject = nest_req_subject(rq);

	switch (rq->op) {
	case NEST_MEM_GROW:
		return grow(n, rq->from, subject, rq->a[0], rq->a[1], 0);
	case NEST_MEM_FAULT:
		return grow(n, rq->from, subject, rq->a[0], 1, 1);
	default:
		return E_NOSYS;
	}
}
