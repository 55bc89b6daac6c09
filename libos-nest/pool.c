/*
 * pool: see pool.h.
 */
#include "pool.h"

#include "../bin/rt/rt.h"
#include "child.h"
#include "memory.h"
#include "space.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

struct nest_pool_stats nest_pool_stats;

/* Shared by the two environments; the pages are the main one's. */
static uint64_t base;
static unsigned npages;
static uint64_t holder[NEST_POOL_MAX]; /* who has page i mapped, or 0 */

static int held(unsigned i)
{
	return holder[i] && ENVS[xok_env_slot(holder[i])].id == holder[i];
}

/* Pool pages held in child `c`'s subtree. */
static uint32_t held_by(const struct nest_child *c)
{
	uint32_t k = 0;

	for (unsigned i = 0; i < npages; i++)
		k += held(i) && nest_in_subtree(holder[i], c->env);
	return k;
}

/* Maps pool page i, zeroed, at `va` in `subject`. */
static int64_t hand_out(const struct nester *n, unsigned i, uint64_t subject,
			uint64_t va)
{
	uint64_t pfn = (rt_pte_of(n->main, base + i * XOK_PAGE_SIZE) &
			XOK_PTE_ADDR) >> XOK_PAGE_SHIFT;
	int64_t r;

	if ((r = xok_page_map(0, 0, NEST_COPY_VA, 0, pfn,
			      XOK_PTE_W | XOK_PTE_NX)) < 0)
		return r;
	memset((void *)NEST_COPY_VA, 0, XOK_PAGE_SIZE);
	xok_page_unmap(0, 0, NEST_COPY_VA);
	if ((r = xok_page_map(0, subject, va, 0, pfn,
			      XOK_PTE_W | XOK_PTE_NX)) < 0)
		return r;
	holder[i] = subject;
	return 0;
}

static int64_t fault(struct nester *n, struct nest_req *rq)
{
	uint64_t subject = nest_req_subject(rq), va = rq->a[0];

	if (!subject)
		return E_PERM;
	if ((va & (XOK_PAGE_SIZE - 1)) || va < NEST_HEAP_BASE ||
	    va >= NEST_HEAP_TOP)
		return E_INVAL;
	if (rt_pte_of(subject, va) & XOK_PTE_P)
		return 0;
	if (held_by(rq->from) < n->quota)
		for (unsigned i = 0; i < npages; i++)
			if (!held(i)) {
				nest_pool_stats.served++;
				return hand_out(n, i, subject, va);
			}
	nest_pool_stats.refused++;
	return E_NOMEM;
}

int64_t nest_pool_serve(struct nester *n, struct nest_req *rq)
{
	if (rq->op == NEST_MEM_FAULT && rq->from)
		return fault(n, rq);
	return nester_default(n, rq);
}

int nest_pool_start(unsigned pages, uint32_t quota)
{
	void *at;

	if (pages > NEST_POOL_MAX)
		return E_INVAL;
	if (!(at = nest_sbrk(pages * XOK_PAGE_SIZE)))
		return E_NOMEM;
	base = (uint64_t)at;
	npages = pages;
	return nester_start(nest_pool_serve, quota);
}
