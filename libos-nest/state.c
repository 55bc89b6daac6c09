/*
 * state: see state.h.
 */
#include "state.h"

#include "../bin/rt/rt.h"
#include "sched.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
/* Where a child's frame is mapped while copied: inside the 2 MiB that
 * the exception stack's page table already covers (an rt program with
 * upcalls has it; a nester does), 1 MiB below its top, so peeking makes
 * no page tables that outlive it. */
#define PEEK_VA (RT_XSTACK_TOP - 0x100000)

int64_t nest_stop(uint64_t id)
{
	for (;;) {
		const volatile struct xok_env *e = &ENVS[xok_env_slot(id)];
		uint64_t target;

		if (e->id != id)
			return E_BADENV;
		if (e->status == XOK_ENV_STOPPED)
			return 0;
		if (e->status == XOK_ENV_RUNNABLE)
			return xok_env_status(0, id, XOK_ENV_STOPPED);
		if (e->status != XOK_ENV_WAITING ||
		    !(target = nest_runs_for(id)))
			return E_STATE;
		/* In a call: its server finishes it on this loan. */
		xok_yield_to(target);
	}
}

int64_t nest_get_regs(uint64_t id, struct xok_env_state *st)
{
	return xok_env_get(0, id, st);
}

int64_t nest_set_regs(uint64_t id, const struct xok_env_state *st)
{
	return xok_env_set(0, id, st, XOK_SET_ALL);
}

int64_t nest_restart(uint64_t id)
{
	return xok_env_status(0, id, XOK_ENV_RUNNABLE);
}

/* Copies between `buf` and [va, va + n) in `id`, page by page. */
static int64_t copy(uint64_t id, uint64_t va, uint8_t *buf, size_t n,
		    int in)
{
	while (n) {
		uint64_t off = va & (XOK_PAGE_SIZE - 1);
		size_t part = XOK_PAGE_SIZE - off < n ? XOK_PAGE_SIZE - off : n;
		uint64_t pte = rt_pte_of(id, va);
		int64_t r;

		if (!(pte & XOK_PTE_P) || (in && !(pte & XOK_PTE_W)))
			return E_FAULT;
		if ((r = xok_page_map(0, 0, PEEK_VA, 0,
				      (pte & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT,
				      XOK_PTE_W | XOK_PTE_NX)) < 0)
			return r;
		if (in)
			memcpy((uint8_t *)PEEK_VA + off, buf, part);
		else
			memcpy(buf, (uint8_t *)PEEK_VA + off, part);
		xok_page_unmap(0, 0, PEEK_VA);
		va += part, buf += part, n -= part;
	}
	return 0;
}

int64_t nest_peek(uint64_t id, uint64_t va, void *buf, size_t n)
{
	return copy(id, va, buf, n, 0);
}

int64_t nest_poke(uint64_t id, uint64_t va, const void *buf, size_t n)
{
	return copy(id, va, (uint8_t *)buf, n, 1);
}
