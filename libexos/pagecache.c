/*
 * pagecache: frames holding whole pages of program files, shared by
 * every process that runs them — Linux's page cache, for what exec
 * maps. A process filling a page of a file (lazy.c) leaves the frame
 * here; the next process running the same file maps that frame
 * read-only (copy-on-write where the segment is writable) instead of
 * reading the file again. busybox's shell starts without copying its
 * text.
 *
 * The table is in the shared pages (struct exos_shared), under the
 * lock; a frame stays allocated while init, which lives as long as the
 * system, maps it in a window of its own (EXOS_PAGECACHE, one page per
 * slot: Xok frees a frame at its last unmapping). A slot is the page's
 * file and index, hashed so a file's consecutive pages take
 * consecutive slots; a new page takes its slot from whatever held it
 * (the frame lives on in the processes still mapping it). A key holds
 * the file's size and times, so a page of a file that changed is never
 * found again.
 */
#include <xok/page.h>
#include <xok/syscall.h>

#include "exos.h"

#define PAGE XOK_PAGE_SIZE

static int same_key(const struct exos_page_key *a,
		    const struct exos_page_key *b)
{
	return a->file.loc.block == b->file.loc.block &&
	       a->file.loc.off == b->file.loc.off &&
	       a->file.size == b->file.size &&
	       a->file.mtime_ns == b->file.mtime_ns &&
	       a->file.ctime_ns == b->file.ctime_ns && a->index == b->index;
}

static unsigned slot_of(const struct exos_page_key *k)
{
	uint64_t h = (k->file.loc.block * 0x9e3779b97f4a7c15ull) ^
		     k->file.loc.off;

	return (unsigned)((h ^ (h >> 29)) + k->index) % EXOS_NCACHED;
}

static uint64_t window_page(unsigned slot)
{
	return EXOS_PAGECACHE + (uint64_t)slot * PAGE;
}

uint64_t exos_pagecache_find(const struct exos_page_key *k)
{
	const struct exos_cached_page *c = &SHARED->pages[slot_of(k)];

	return c->pfn && same_key(&c->key, k) ? c->pfn : 0;
}

void exos_pagecache_add(const struct exos_page_key *k, uint64_t pfn)
{
	unsigned slot = slot_of(k);
	struct exos_cached_page *c = &SHARED->pages[slot];

	if (xok_page_map(0, SHARED->init_env, window_page(slot), 0, pfn,
			 XOK_PTE_NX) < 0)
		return; /* not cached: the caller keeps its frame anyway */
	c->key = *k;
	c->pfn = pfn;
}

void exos_pagecache_drop(void)
{
	for (unsigned slot = 0; slot < EXOS_NCACHED; slot++)
		if (SHARED->pages[slot].pfn) {
			xok_page_unmap(0, SHARED->init_env, window_page(slot));
			SHARED->pages[slot].pfn = 0;
		}
}
