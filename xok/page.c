/*
 * page: free list and reference counts of physical page frames.
 */
#include "page.h"

static int overlaps(uint64_t start, uint64_t end, const struct mem_range *r,
		    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (start < r[i].end && r[i].start < end)
			return 1;
	return 0;
}

static int contained(uint64_t start, uint64_t end, const struct mem_range *r,
		     size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start <= start && end <= r[i].end)
			return 1;
	return 0;
}

void page_pool_init(struct page_pool *pool, struct xok_ppage *pages,
		    uint32_t npages, const struct mem_range *usable,
		    size_t nusable, const struct mem_range *reserved,
		    size_t nreserved)
{
	pool->pages = pages;
	pool->npages = npages;
	pool->free_head = PAGE_NONE;
	pool->nfree = 0;
	/* Push from the top down so the list hands out low frames first. */
	for (uint32_t pfn = npages; pfn-- > 0;) {
		uint64_t start = (uint64_t)pfn * PAGE_SIZE;
		uint64_t end = start + PAGE_SIZE;
		struct xok_ppage *p = &pages[pfn];

		*p = (struct xok_ppage){ .allocated = 1, .kernel = 1,
					 .next_free = PAGE_NONE };
		if (contained(start, end, usable, nusable) &&
		    !overlaps(start, end, reserved, nreserved)) {
			p->allocated = 0;
			p->kernel = 0;
			p->next_free = pool->free_head;
			pool->free_head = pfn;
			pool->nfree++;
		}
	}
}

uint32_t page_alloc(struct page_pool *pool)
{
	uint32_t pfn = pool->free_head;
	struct xok_ppage *p;

	if (pfn == PAGE_NONE)
		return PAGE_NONE;
	p = &pool->pages[pfn];
	pool->free_head = p->next_free;
	pool->nfree--;
	p->next_free = PAGE_NONE;
	p->allocated = 1;
	p->kernel = 0;
	p->ref = 0;
	return pfn;
}

int page_take(struct page_pool *pool, uint32_t pfn)
{
	uint32_t *link = &pool->free_head;

	if (pfn >= pool->npages)
		return PAGE_E_RANGE;
	if (pool->pages[pfn].allocated)
		return PAGE_E_STATE;
	/* A named frame is rare (devices, re-binding a cached block): a walk
	 * of the free list to unlink it is fine. */
	while (*link != pfn)
		link = &pool->pages[*link].next_free;
	*link = pool->pages[pfn].next_free;
	pool->nfree--;
	pool->pages[pfn] = (struct xok_ppage){ .allocated = 1,
					       .next_free = PAGE_NONE };
	return 0;
}

int page_free(struct page_pool *pool, uint32_t pfn)
{
	struct xok_ppage *p;

	if (pfn >= pool->npages)
		return PAGE_E_RANGE;
	p = &pool->pages[pfn];
	if (!p->allocated)
		return PAGE_E_STATE;
	if (p->ref)
		return PAGE_E_BUSY;
	p->allocated = 0;
	p->kernel = 0;
	p->guard = (struct xok_guard){ 0 };
	p->next_free = pool->free_head;
	pool->free_head = pfn;
	pool->nfree++;
	return 0;
}

int page_incref(struct page_pool *pool, uint32_t pfn)
{
	if (pfn >= pool->npages)
		return PAGE_E_RANGE;
	if (!pool->pages[pfn].allocated)
		return PAGE_E_STATE;
	pool->pages[pfn].ref++;
	return 0;
}

int page_decref(struct page_pool *pool, uint32_t pfn)
{
	struct xok_ppage *p;

	if (pfn >= pool->npages)
		return PAGE_E_RANGE;
	p = &pool->pages[pfn];
	if (!p->allocated || !p->ref)
		return PAGE_E_STATE;
	if (--p->ref == 0)
		page_free(pool, pfn);
	return (int)p->ref;
}
