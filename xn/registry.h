/*
 * registry: the bookkeeping of XN's buffer cache registry — which entry
 * holds which block, the write-ordering rules (taint, deferred frees) and
 * reclaiming. Pure: pages and the free map are reached through struct
 * xn_reg_ops, which the kernel backs with real frames and the host tests
 * with counters (tests/unit/test_xnreg.c).
 *
 * The rules: a block allocated and never written ("uninit") taints its
 * parent, which may not be written until every such child has been (or
 * freed again); a freed block stays in use in the free map until its
 * parent (no longer pointing to it) has been written, and takes the
 * freed blocks still cached under it along; only clean (VALID), unmapped
 * entries with no cached children are reclaimed, never the one a call
 * works on. Two entries changed together (xn_modify_pair) are paired:
 * neither may be written without the other, and both go together.
 */
#ifndef XN_REGISTRY_H
#define XN_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <xok/xn.h>

struct xn_reg_ops {
	/* A zeroed page's frame number, or 0 if memory is short. */
	uint64_t (*page_alloc)(void *ctx);
	void (*page_release)(void *ctx, uint64_t pfn);
	/* Is the frame mapped somewhere (held by more than the registry)? */
	int (*page_mapped)(void *ctx, uint64_t pfn);
	/* Marks a block in use (1) or free (0) in the free map. */
	void (*map_set)(void *ctx, uint64_t block, int used);
	void *ctx;
};

struct xn_registry {
	struct xok_xn_entry *e; /* n entries; pfn 0 = empty */
	unsigned n;
	const struct xn_reg_ops *ops;
	uint32_t *head;  /* XOK_XN_HASH bucket heads: entry index + 1, 0 */
	unsigned used;   /* entries holding a block */
	unsigned hand;   /* where the next search for a slot or victim starts */
};

/* The entry caching `block`, or -1 (a walk of its bucket). */
int xnr_find(const struct xn_registry *r, uint64_t block);

/* Reclaims one clean, unmapped, childless entry other than `keep`, the
 * first from the clock hand on; returns 1 if it found one. */
int xnr_reclaim_one(struct xn_registry *r, int keep);

/*
 * A new entry for `block` with a fresh page (reclaiming clean entries,
 * never `keep`, if the registry or memory is short), filled from `tmpl`
 * (block, pfn and the counters are set here). Returns its index, or -1.
 */
int xnr_new(struct xn_registry *r, const struct xok_xn_entry *tmpl, int keep);

/* Frees entry `i` and its page (it must have no cached children). */
void xnr_drop(struct xn_registry *r, int i);

/*
 * Allocates the `n` blocks `add` as uninitialised, dirty children of entry
 * `parent`: marks them in use and taints the parent by each. All or
 * nothing: returns 0, or -1 (registry or memory exhausted; nothing
 * changed).
 */
int xnr_add_children(struct xn_registry *r, int parent,
		     const struct xok_xn_pair *add, size_t n);

/* Marks the cached block `block` freed: it stays in use until its parent
 * is written; a block never written goes at once (and stops tainting its
 * parent). */
void xnr_mark_freed(struct xn_registry *r, uint64_t block);

/* The cached block `block` (if cached) is now owned by entry `parent`:
 * its parent's child count, and the taint of an uninit block, follow. */
void xnr_reparent(struct xn_registry *r, uint64_t block, int parent);

/* Entries `a` and `b` were changed together: they must reach the disk
 * together. */
void xnr_pair(struct xn_registry *r, int a, int b);

/* The entry paired with `i`, or -1. */
int xnr_partner(const struct xn_registry *r, int i);

/* May entry `i` be written now (with its partner, if paired)? 0, or -1
 * (not dirty, or tainted; or its partner is). */
int xnr_writable(const struct xn_registry *r, int i);

/* Entry `i` reached the disk: untaints its parent if it was uninit,
 * releases the blocks freed from it, and ends its pairing (the caller
 * calls this for the partner too). */
void xnr_written(struct xn_registry *r, int i);

#endif
