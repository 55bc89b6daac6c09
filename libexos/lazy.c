/*
 * lazy: memory filled from a file when it is first touched — the
 * segments of a program exec loads. Exec records each PT_LOAD segment
 * as a region (struct exos_lazy, in SELF, so a fork's child inherits
 * them); a fault on a page no one has filled yet reads it from the file
 * then, with the pages around it (a cluster, as Linux's fault-around
 * does), and gives it the segment's protection. A program touches a
 * fraction of its pages: busybox's shell about a tenth of its 2 MiB.
 *
 * A whole page of the file comes from the page cache (pagecache.c),
 * shared with every process running the same file.
 *
 * The file must still be the one exec opened: a region remembers its
 * size and times, and a fault after the file changed is not resolved
 * (the process gets SIGBUS, as on Linux when a mapped file shrinks).
 */
#include <xok/page.h>
#include <xok/syscall.h>

#include "exos.h"

#define PAGE XOK_PAGE_SIZE
#define PFN(pte) (((pte) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT)
#define CLUSTER (16 * PAGE) /* filled together, aligned */

int exos_lazy_add(const struct exos_lazy *r)
{
	for (unsigned i = 0; i < EXOS_NLAZY; i++)
		if (SELF->lazy[i].hi == 0) {
			SELF->lazy[i] = *r;
			return 0;
		}
	return -L_ENOMEM;
}

/* The region covering page `p`, after `from` (NULL: from the first). */
static struct exos_lazy *covering(uint64_t p, const struct exos_lazy *from)
{
	for (unsigned i = from ? (unsigned)(from - SELF->lazy) + 1 : 0;
	     i < EXOS_NLAZY; i++) {
		struct exos_lazy *r = &SELF->lazy[i];

		if (r->hi && p < r->hi && p + PAGE > r->lo)
			return r;
	}
	return 0;
}

void exos_lazy_forget(uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < EXOS_NLAZY; i++) {
		struct exos_lazy *r = &SELF->lazy[i];

		if (!r->hi || hi <= r->lo || lo >= r->hi)
			continue;
		if (lo > r->lo && hi < r->hi) {
			/* A hole in the middle: the tail becomes a region
			 * of its own (with no room, it is filled now). */
			struct exos_lazy tail = *r;

			tail.lo = hi;
			if (exos_lazy_add(&tail))
				exos_lazy_fill(hi, r->hi);
			r->hi = lo;
			continue;
		}
		if (lo <= r->lo)
			r->lo = hi < r->hi ? hi : r->hi;
		if (hi >= r->hi)
			r->hi = lo > r->lo ? lo : r->lo;
		if (r->lo >= r->hi)
			*r = (struct exos_lazy){ 0 };
	}
}

/* One fill's state: the pages it maps in one batch, and which regions'
 * files it found unchanged (each is looked at once a fill). */
struct fill {
	struct exos_batch b;
	uint32_t checked, unchanged; /* bit i: SELF->lazy[i] */
};

/* Is the file behind `r` still the one mapped? The lock is held. */
static int same_file(struct fill *f, const struct exos_lazy *r)
{
	uint32_t bit = 1u << (r - SELF->lazy);
	struct cffs_inode ino;

	if (!(f->checked & bit)) {
		f->checked |= bit;
		if (exos_root_fs &&
		    !cffs_stat(exos_root_fs, &r->file.loc, &ino) &&
		    ino.size == r->file.size &&
		    ino.mtime_ns == r->file.mtime_ns &&
		    ino.ctime_ns == r->file.ctime_ns)
			f->unchanged |= bit;
	}
	return (f->unchanged & bit) != 0;
}

static long read_file(const struct exos_lazy *r, uint64_t off, uint64_t va,
		      uint64_t len)
{
	return cffs_read(exos_root_fs, &r->file.loc, off, (void *)va, len);
}

/* Page `p`, covered by `r` alone, as a whole page of the file (as Linux
 * maps it: the file's bytes before the segment included)? */
static int whole_file_page(const struct exos_lazy *r, uint64_t p)
{
	return !((r->va - r->off) & (PAGE - 1)) &&
	       p + PAGE <= r->va + r->filesz && !covering(p, r) &&
	       covering(p, 0) == r;
}

/* Maps the page cache's frame of page `p` (filling it first if the cache
 * has none): read-only, or copy-on-write where the segment is writable,
 * so the frame always keeps the file's bytes. The mapping goes in the
 * fill's batch (a cluster's pages in one call). */
static int map_file_page(const struct exos_lazy *r, uint64_t p,
			 struct fill *f)
{
	struct exos_page_key k = { r->file, (p - (r->va - r->off)) / PAGE };
	uint64_t pfn = exos_pagecache_find(&k),
		 perm = (r->perm & XOK_PTE_W) ? EXOS_PTE_COW : 0;

	if (!pfn) {
		if (exos_map_fresh(p, XOK_PTE_W | XOK_PTE_NX) < 0)
			return -L_ENOMEM;
		if (read_file(r, k.index * PAGE, p, PAGE) != PAGE) {
			xok_page_unmap(0, 0, p);
			return -L_EIO;
		}
		pfn = PFN(exos_pte(p));
		exos_pagecache_add(&k, pfn);
	}
	return exos_batch_add(&f->b, p, pfn, perm | (r->perm & XOK_PTE_NX)) <
	       0 ? -L_ENOMEM : 0;
}

/* Fills the absent page `p` from every region on it (segments may share
 * a page), mapped with the union of their protections; a whole page of
 * one file comes from the page cache. The lock is held. 0, or a
 * negative errno. */
static int fill_page(uint64_t p, struct fill *f)
{
	uint64_t w = 0, x = 0;
	struct exos_lazy *r = covering(p, 0);

	if (!same_file(f, r))
		return -L_EIO;
	if (whole_file_page(r, p))
		return map_file_page(r, p, f);
	if (exos_map_fresh(p, XOK_PTE_W | XOK_PTE_NX) < 0)
		return -L_ENOMEM;
	for (; r; r = covering(p, r)) {
		uint64_t from = p > r->va ? p : r->va,
			 to = r->va + r->filesz < p + PAGE ? r->va + r->filesz :
							     p + PAGE;

		if (!same_file(f, r) ||
		    (from < to && read_file(r, r->off + (from - r->va), from,
					    to - from) != (long)(to - from))) {
			xok_page_unmap(0, 0, p);
			return -L_EIO;
		}
		w |= r->perm & XOK_PTE_W;
		x |= !(r->perm & XOK_PTE_NX);
	}
	if (w && !x)
		return 0;
	return (int)xok_page_map(0, 0, p, 0, PFN(exos_pte(p)),
				 w | (x ? 0 : XOK_PTE_NX)) < 0 ? -L_ENOMEM : 0;
}

/* Fills the absent region pages of [lo, hi), in one batch, the lock
 * taken once; with `first`, that page before the others, and only its
 * failure counts (a fault's page, then the pages around it). */
static int fill_range(uint64_t lo, uint64_t hi, uint64_t first)
{
	/* A system call checking a user pointer (exos_uaccess) may hold
	 * the lock already; it is not inside C-FFS then. */
	int held = SHARED->lock == (uint64_t)xok_getenvid();
	struct fill f = { .b = { .env = 0 } };
	int r = 0;

	if (!held)
		exos_lock();
	exos_fs_ready();
	if (first)
		r = fill_page(first, &f);
	for (unsigned i = 0; i < EXOS_NLAZY && !r; i++) {
		const struct exos_lazy *g = &SELF->lazy[i];
		uint64_t from = g->lo > lo ? g->lo : lo,
			 to = g->hi < hi ? g->hi : hi;

		for (uint64_t p = from; p < to && (first || !r); p += PAGE)
			if (p != first && !(exos_pte(p) & XOK_PTE_P) &&
			    (r = fill_page(p, &f)) && first)
				r = 0; /* a page around: not the fault's */
	}
	if (exos_batch_flush(&f.b) < 0 && !r)
		r = -L_ENOMEM;
	if (!held)
		exos_unlock();
	return r;
}

int exos_lazy_fill(uint64_t lo, uint64_t hi)
{
	return fill_range(lo, hi, 0);
}

int exos_lazy_covers(uint64_t va)
{
	return covering(va & ~(PAGE - 1), 0) != 0;
}

int exos_lazy_fault(uint64_t va)
{
	uint64_t p = va & ~(PAGE - 1), lo = va & ~(CLUSTER - 1);

	if (!covering(p, 0))
		return 1;
	return fill_range(lo, lo + CLUSTER, p);
}
