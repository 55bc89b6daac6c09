/*
 * sys_page: physical pages and page-table entries. Contracts in
 * xok/syscalls.tab. Each call checks every operand (environment, address,
 * permissions, frame, capability) before it changes anything.
 */
#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/page.h>

#include "../lib/string.h"
#include "cap.h"
#include "env.h"
#include "kmemlayout.h"
#include "pmap.h"
#include "syscall_decls.h"

/* A batch is copied in once, so user code cannot change it between the
 * checks and the changes (the kernel is not preemptible: one buffer). */
static struct xok_pte_op batch[XOK_PTE_BATCH_MAX];
static uint64_t *batch_pte[XOK_PTE_BATCH_MAX]; /* where each op maps */
static uint16_t present[512]; /* pte_share: the entries to map */

static int check_va(uint64_t va)
{
	if (va >= XOK_USER_TOP || (va & (PAGE_SIZE - 1)) || va == XOK_UAREA)
		return E_INVAL;
	return 0;
}

static int check_perm(uint64_t perm)
{
	return perm & ~XOK_PTE_USER_BITS ? E_INVAL : 0;
}

/* May the caller map frame `pfn` with `perm` through its slot `cap`? */
static int check_frame(uint64_t pfn, uint64_t cap, uint64_t perm)
{
	const struct xok_cap *c;
	const struct xok_ppage *p;
	int r;

	if (pfn >= phys_pages.npages)
		return E_INVAL;
	p = &phys_pages.pages[pfn];
	if (!p->allocated || p->kernel || !p->ref)
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	if (!cap_opens(c, &p->guard, perm & XOK_PTE_W ? XOK_CAP_W : XOK_CAP_R))
		return E_PERM;
	return 0;
}

int64_t sys_page_alloc(uint64_t cap, uint64_t envid, uint64_t va,
		       uint64_t perm, uint64_t pfn)
{
	const struct xok_cap *c;
	struct env *e;
	uint32_t frame;
	uint64_t *pte;
	int r;

	if ((r = env_cap(curenv(), cap, XOK_CAP_W, &c)))
		return r;
	if ((r = env_check(cap, envid, XOK_CAP_W, &e)) || (r = check_va(va)) ||
	    (r = check_perm(perm)))
		return r;
	if (pfn != XOK_PFN_ANY && pfn >= phys_pages.npages)
		return E_INVAL;
	if (pfn != XOK_PFN_ANY && phys_pages.pages[pfn].allocated)
		return E_BUSY;
	if (!(pte = pmap_prepare(e->pml4_pa, va)))
		return E_NOMEM; /* va was checked */
	if (pfn == XOK_PFN_ANY) {
		if ((frame = page_alloc(&phys_pages)) == PAGE_NONE)
			return E_NOMEM;
	} else {
		frame = (uint32_t)pfn;
		page_take(&phys_pages, frame);
	}
	phys_pages.pages[frame].guard = cap_guard(c);
	memset(kaddr((uint64_t)frame * PAGE_SIZE), 0, PAGE_SIZE);
	pmap_set(e->pml4_pa, pte, va, (uint64_t)frame * PAGE_SIZE, perm);
	return frame;
}

int64_t sys_page_map(uint64_t envcap, uint64_t envid, uint64_t va,
		     uint64_t pagecap, uint64_t pfn, uint64_t perm)
{
	struct env *e;
	int r;

	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)) ||
	    (r = check_va(va)) || (r = check_perm(perm)) ||
	    (r = check_frame(pfn, pagecap, perm)))
		return r;
	return pmap_insert(e->pml4_pa, va, pfn * PAGE_SIZE, perm);
}

int64_t sys_page_unmap(uint64_t envcap, uint64_t envid, uint64_t va)
{
	struct env *e;
	int r;

	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)) || (r = check_va(va)))
		return r;
	pmap_remove(e->pml4_pa, va);
	return 0;
}

int64_t sys_pte_batch(uint64_t envcap, uint64_t envid,
		      const struct xok_pte_op *ops, uint64_t n)
{
	struct env *e;
	int r;

	if (n > XOK_PTE_BATCH_MAX)
		return E_INVAL;
	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)))
		return r;
	if (copy_from_user(curenv()->pml4_pa, batch, (uint64_t)ops,
			   n * sizeof(*ops)))
		return E_FAULT;
	for (uint64_t i = 0; i < n; i++) {
		const struct xok_pte_op *op = &batch[i];

		if ((r = check_va(op->va)) || (r = check_perm(op->perm)) ||
		    (op->pfn != XOK_PFN_NONE &&
		     (r = check_frame(op->pfn, op->page_cap, op->perm))))
			return r;
	}
	/* Page tables first: after this no insertion can fail. Tables made
	 * for a batch that then fails hold nothing and go with the
	 * environment. */
	for (uint64_t i = 0; i < n; i++)
		if (batch[i].pfn != XOK_PFN_NONE &&
		    !(batch_pte[i] = pmap_prepare(e->pml4_pa, batch[i].va)))
			return E_NOMEM; /* every va was checked */
	for (uint64_t i = 0; i < n; i++) {
		if (batch[i].pfn == XOK_PFN_NONE)
			pmap_remove(e->pml4_pa, batch[i].va);
		else
			pmap_set(e->pml4_pa, batch_pte[i], batch[i].va,
				 batch[i].pfn * PAGE_SIZE, batch[i].perm);
	}
	return 0;
}

/* The permission pte_share gives an entry of permission `perm`. */
static uint64_t shared_perm(const struct xok_pte_share *rq, uint64_t perm)
{
	perm &= XOK_PTE_USER_BITS;
	if ((perm & rq->when) != rq->when || (perm & rq->unless))
		return perm;
	return (perm & ~rq->clear) | rq->set;
}

int64_t sys_pte_share(uint64_t envcap, uint64_t envid,
		      const struct xok_pte_share *req)
{
	struct xok_pte_share rq;
	struct env *e, *self = curenv();
	uint64_t *src, *dst, n = 0;
	int r;

	if (copy_from_user(self->pml4_pa, &rq, (uint64_t)req, sizeof(rq)))
		return E_FAULT;
	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)))
		return r;
	if (e == self || rq.va >= XOK_USER_TOP ||
	    (rq.va & (XOK_PTE_SHARE_SPAN - 1)) || rq.both > 1 ||
	    check_perm(rq.when) || check_perm(rq.unless) ||
	    check_perm(rq.clear) || check_perm(rq.set))
		return E_INVAL;
	if (!(src = pmap_entry(self->pml4_pa, rq.va)))
		return 0; /* nothing mapped there */
	/* Every frame checked before anything changes (the u-area, each
	 * environment's own, is never shared). */
	for (unsigned i = pmap_next_present(src, 0); i < 512;
	     i = pmap_next_present(src, i + 1)) {
		if (rq.va + i * PAGE_SIZE == XOK_UAREA)
			continue;
		if ((r = check_frame((src[i] & PTE_ADDR) / PAGE_SIZE,
				     rq.page_cap, shared_perm(&rq, src[i]))))
			return r;
		present[n++] = (uint16_t)i;
	}
	if (n && !(dst = pmap_prepare(e->pml4_pa, rq.va)))
		return E_NOMEM;
	for (uint64_t k = 0; k < n; k++) {
		unsigned i = present[k];
		uint64_t va = rq.va + i * PAGE_SIZE, pte = src[i],
			 perm = shared_perm(&rq, pte);

		pmap_set(e->pml4_pa, &dst[i], va, pte & PTE_ADDR, perm);
		if (rq.both && perm != (pte & XOK_PTE_USER_BITS))
			pmap_set(self->pml4_pa, &src[i], va, pte & PTE_ADDR,
				 perm);
	}
	return (int64_t)n;
}

int64_t sys_page_unmap_span(uint64_t envcap, uint64_t envid, uint64_t va)
{
	struct env *e;
	uint64_t *pt, n = 0;
	int r;

	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)))
		return r;
	if (va >= XOK_USER_TOP || (va & (XOK_PTE_SHARE_SPAN - 1)))
		return E_INVAL;
	if (!(pt = pmap_entry(e->pml4_pa, va)))
		return 0;
	for (unsigned i = pmap_next_present(pt, 0); i < 512;
	     i = pmap_next_present(pt, i + 1))
		if (va + i * PAGE_SIZE != XOK_UAREA) {
			pmap_clear(e->pml4_pa, &pt[i], va + i * PAGE_SIZE);
			n++;
		}
	return (int64_t)n;
}

int64_t sys_pt_view(uint64_t envid)
{
	struct env *self = curenv(), *e = 0;

	if (envid && !(e = env_lookup(envid)))
		return E_BADENV;
	self->view = envid;
	pmap_set_view(self->pml4_pa, e ? e->pml4_pa : 0);
	return 0;
}
