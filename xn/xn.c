/*
 * xn: XN in the kernel. The mounted disk's catalogues and free map, the
 * buffer cache registry, and the calls (contracts in xok/syscalls.tab).
 *
 * Protection: administering the disk (mount, types, roots) needs a
 * capability opening the disk's guard for W. Every other block belongs to
 * the subtree of one root and is guarded by that root's guard: R to bind
 * and map it, W to change it. Metadata is never mapped writable: it
 * changes only through xn_modify, whose change XN checks with the type's
 * owns-UDF. Write ordering: a block pointing to an allocated but never
 * written block is tainted and cannot be written; a freed block stays in
 * use in the free map until its parent, without the pointer, is on disk.
 * Two blocks changed together by xn_modify_pair reach the disk together,
 * through the pair log (see write_pair).
 */
#include <xok/disk.h>
#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/xn.h>

#include "../lib/string.h"
#include "cap.h"
#include "disk.h"
#include "env.h"
#include "export.h"
#include "freemap.h"
#include "kmemlayout.h"
#include "memo.h"
#include "owns.h"
#include "pmap.h"
#include "registry.h"
#include "syscall_decls.h"

static struct {
	int disk; /* mounted disk, or -1 */
	struct xok_xn_super super;
	struct xok_xn_template types[XOK_XN_MAXTYPES];
	uint64_t steps[XOK_XN_MAXTYPES]; /* each type's owns-UDF's worst case */
	struct xok_xn_root roots[XOK_XN_MAXROOTS];
} xn = { .disk = -1 };

/* Owned sets of the blocks changed and bound through lately: the
 * templates and the disk are fixed from mount on. */
static struct xn_memo memo;

/* The page catalogue and map I/O goes through: in the kernel image, so
 * it needs no allocation (a failed mount leaves nothing behind). */
static uint8_t scratch_page[XOK_XN_BLOCK] __attribute__((aligned(4096)));

/* The registry and the free map are exported (export.c). */
static struct xok_xn_entry *const reg = exp_xn;
static uint8_t *const flat_map = exp_xnmap;

static struct xn_context context(void)
{
	return (struct xn_context){ xn.types, xn.super.nblocks, xn.steps };
}

static void map_set(uint64_t block, int used)
{
	if (used)
		xn_bit_set(flat_map, block);
	else
		xn_bit_clear(flat_map, block);
}

static int read_sync(uint64_t block, uint8_t *buf, void *ctx)
{
	(void)ctx;
	if (disk_kernel_io_sync(xn.disk, block, paddr(scratch_page), 0))
		return -1;
	memcpy(buf, scratch_page, XOK_XN_BLOCK);
	return 0;
}

static int write_sync(uint64_t block, const void *bytes, size_t len)
{
	memset(scratch_page, 0, XOK_XN_BLOCK);
	memcpy(scratch_page, bytes, len);
	return disk_kernel_io_sync(xn.disk, block, paddr(scratch_page), 1);
}

static int write_map(void)
{
	for (uint64_t m = 0; m < xn.super.freemap_blocks; m++)
		if (write_sync(xn.super.freemap_start + m,
			       flat_map + m * XOK_XN_BLOCK, XOK_XN_BLOCK))
			return E_IO;
	return 0;
}

/* Does slot `cap` of the caller open the guard of disk `disk` for W? */
static int admin_check(uint64_t cap, int disk)
{
	const struct xok_cap *c;
	int r;

	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	return cap_opens(c, &exp_disks[disk].guard, XOK_CAP_W) ? 0 : E_PERM;
}

static const struct xok_xn_log empty_log;

/* Finishes a pair write a crash interrupted: if the log's header is
 * committed, copies both images in place (again: copying is idempotent),
 * then empties the log. A damaged header refuses the mount. */
static int replay_log(void)
{
	static uint8_t buf[XOK_XN_BLOCK];
	uint64_t log = xn_log_start(&xn.super);
	struct xok_xn_log l;
	int r;

	if (read_sync(log, buf, 0))
		return E_IO;
	memcpy(&l, buf, sizeof(l));
	if ((r = xn_log_check(&xn.super, &l)) <= 0)
		return r;
	for (unsigned k = 0; k < 2; k++)
		if (read_sync(log + 1 + k, buf, 0) ||
		    write_sync(l.block[k], buf, XOK_XN_BLOCK))
			return E_IO;
	return write_sync(log, &empty_log, sizeof(empty_log)) ? E_IO : 0;
}

/* Loads the catalogues; rebuilds the map if the disk was not shut down
 * cleanly. */
static int load(void)
{
	/* Every block is pushed at most once. */
	static struct xok_xn_pair stack[XOK_XN_MAXMAPBLOCKS * XOK_XN_BLOCK * 8];
	static uint8_t buf[XOK_XN_BLOCK];
	uint64_t bad;

	for (unsigned t = 0; t < XOK_XN_MAXTYPES; t++) {
		if (read_sync(xn.super.types_start + t, buf, 0))
			return E_IO;
		memcpy(&xn.types[t], buf, sizeof(xn.types[t]));
		if (xn.types[t].in_use &&
		    (xn_template_check(&xn.types[t]) ||
		     xn_owns_steps(&xn.types[t], &xn.steps[t])))
			xn.types[t].in_use = 0; /* damaged: unusable */
	}
	if (read_sync(xn.super.roots_block, buf, 0))
		return E_IO;
	memcpy(xn.roots, buf, sizeof(xn.roots));
	if (replay_log())
		return E_IO;
	memset(flat_map, 0, sizeof(flat_map));
	if (xn.super.clean) {
		for (uint64_t m = 0; m < xn.super.freemap_blocks; m++)
			if (read_sync(xn.super.freemap_start + m,
				      flat_map + m * XOK_XN_BLOCK, 0))
				return E_IO;
		return 0;
	}
	if (xn_rebuild(&xn.super, xn.types, xn.roots, read_sync, 0, flat_map,
		       stack, buf, &bad))
		return E_IO; /* damage beyond XN's repair: refuse the mount */
	return write_map();
}

int64_t sys_xn_mount(uint64_t cap, uint64_t disk)
{
	static uint8_t buf[XOK_XN_BLOCK];
	int r;

	if (disk >= XOK_NDISKS || exp_disks[disk].kind == XOK_DISK_NONE)
		return E_INVAL;
	if ((r = admin_check(cap, (int)disk)))
		return r;
	if (xn.disk >= 0)
		return E_BUSY;
	xn.disk = (int)disk;
	if (read_sync(0, buf, 0) || (memcpy(&xn.super, buf, sizeof(xn.super)),
				     xn_super_check(&xn.super,
						    exp_disks[disk].nblocks)) ||
	    xn.super.freemap_blocks > XOK_XN_MAXMAPBLOCKS || load()) {
		xn.disk = -1;
		return E_INVAL;
	}
	xn_memo_clear(&memo);
	xn.super.clean = 0; /* until an orderly xn_sync(..., 1) */
	if (write_sync(0, &xn.super, sizeof(xn.super))) {
		xn.disk = -1;
		return E_IO;
	}
	return 0;
}

int64_t sys_xn_type_install(uint64_t cap, uint64_t type,
			    const struct xok_xn_template *t)
{
	static struct xok_xn_template tmpl;
	uint64_t steps;
	int r;

	if (xn.disk < 0)
		return E_STATE;
	if (type == XOK_XN_DATA || type >= XOK_XN_MAXTYPES)
		return E_INVAL;
	if ((r = admin_check(cap, xn.disk)))
		return r;
	if (copy_from_user(curenv()->pml4_pa, &tmpl, (uint64_t)t, sizeof(tmpl)))
		return E_FAULT;
	tmpl.in_use = 1;
	if (xn_template_check(&tmpl) || xn_owns_steps(&tmpl, &steps))
		return E_INVAL;
	if (xn.types[type].in_use)
		return E_BUSY;
	if (write_sync(xn.super.types_start + type, &tmpl, sizeof(tmpl)))
		return E_IO;
	xn.types[type] = tmpl;
	xn.steps[type] = steps;
	return 0;
}

/* The lowest free block, or 0 if none. */
static uint64_t first_free(void)
{
	for (uint64_t b = xn_first_owned(&xn.super); b < xn.super.nblocks; b++)
		if (!xn_bit(flat_map, b))
			return b;
	return 0;
}

/* Copies in a root's name: 0, E_FAULT, or E_INVAL (empty or too long). */
static int copy_name(const char *name, char n[XOK_XN_NAME])
{
	if (copy_from_user(curenv()->pml4_pa, n, (uint64_t)name, XOK_XN_NAME))
		return E_FAULT;
	return !n[0] || strnlen(n, XOK_XN_NAME) == XOK_XN_NAME ? E_INVAL : 0;
}

/* The catalogue index of the root named `n`, or -1. */
static int64_t root_named(const char *n)
{
	for (size_t slot = 0; slot < XOK_XN_MAXROOTS; slot++)
		if (xn.roots[slot].in_use && !strcmp(xn.roots[slot].name, n))
			return (int64_t)slot;
	return -1;
}

int64_t sys_xn_root_create(uint64_t cap, const char *name, uint64_t type)
{
	static const uint8_t zero[XOK_XN_BLOCK];
	const struct xok_cap *c;
	char n[XOK_XN_NAME];
	uint64_t block;
	size_t slot;
	int r;

	if (xn.disk < 0)
		return E_STATE;
	if ((r = admin_check(cap, xn.disk)))
		return r;
	env_cap(curenv(), cap, 0, &c);
	if ((r = copy_name(name, n)))
		return r;
	if (type >= XOK_XN_MAXTYPES ||
	    (type != XOK_XN_DATA && !xn.types[type].in_use))
		return E_INVAL;
	if (root_named(n) >= 0)
		return E_BUSY;
	for (slot = 0; slot < XOK_XN_MAXROOTS && xn.roots[slot].in_use; slot++)
		;
	if (slot == XOK_XN_MAXROOTS || !(block = first_free()))
		return E_NOMEM;
	/* On disk in this order: the zeroed block, the catalogue naming it,
	 * the map. A crash between them leaves a disk that recovery (which
	 * trusts the catalogue, not the map) turns consistent. */
	if (write_sync(block, zero, sizeof(zero)))
		return E_IO;
	xn.roots[slot] = (struct xok_xn_root){ .block = block,
					       .type = (uint32_t)type,
					       .in_use = 1,
					       .guard = cap_guard(c) };
	memcpy(xn.roots[slot].name, n, sizeof(n));
	map_set(block, 1);
	if (write_sync(xn.super.roots_block, xn.roots, sizeof(xn.roots)) ||
	    write_map())
		return E_IO;
	return (int64_t)slot;
}

/* ---- The registry. ---- */

static uint64_t reg_page_alloc(void *ctx)
{
	(void)ctx;
	return pmap_page_alloc() / PAGE_SIZE; /* zeroed; 0 when out */
}

static void reg_page_release(void *ctx, uint64_t pfn)
{
	(void)ctx;
	page_release(pfn * PAGE_SIZE);
}

/* The registry holds one reference; any other is a mapping. */
static int reg_page_mapped(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return phys_pages.pages[pfn].ref > 1;
}

static void reg_map_set(void *ctx, uint64_t block, int used)
{
	(void)ctx;
	map_set(block, used);
}

static const struct xn_reg_ops reg_ops = {
	reg_page_alloc, reg_page_release, reg_page_mapped, reg_map_set, 0,
};
static struct xn_registry registry = { exp_xn, XOK_XN_REGISTRY, &reg_ops,
				       exp_xnhash, 0, 0 };

/* The entry `idx` if it exists and slot `cap` opens its root's guard for
 * `rights`. */
static int entry_check(uint64_t cap, uint64_t idx, unsigned rights,
		       struct xok_xn_entry **out)
{
	const struct xok_cap *c;
	int r;

	if (xn.disk < 0)
		return E_STATE;
	if (idx >= XOK_XN_REGISTRY || !reg[idx].pfn || reg[idx].freed)
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	if (!cap_opens(c, &xn.roots[reg[idx].root].guard, rights))
		return E_PERM;
	if (reg[idx].state != XOK_XN_READING) {
		/* The type may refuse more than the guard does. */
		struct xn_context cx = context();
		uint64_t cred[XOK_XN_NCRED] = { rights, curenv()->pub->id };

		if (!xn_access(&cx, reg[idx].type,
			       kaddr(reg[idx].pfn * PAGE_SIZE), cred,
			       XOK_XN_NCRED))
			return E_PERM;
	}
	*out = &reg[idx];
	return 0;
}

static void read_done(void *arg, int ok)
{
	struct xok_xn_entry *e = arg;

	e->state = XOK_XN_VALID;
	e->error = !ok;
}

/* Makes a registry entry for `block` and starts reading it. */
static int64_t bind(uint64_t block, uint32_t type, uint32_t parent,
		    uint32_t root)
{
	struct xok_xn_entry t = { .block = block, .state = XOK_XN_READING,
				  .type = type, .parent = parent,
				  .root = root };
	int i = xnr_find(&registry, block), r;

	if (i >= 0)
		return i; /* cached already: share it */
	/* The parent must survive: the new entry names it. */
	if ((i = xnr_new(&registry, &t, (int)parent)) < 0)
		return E_NOMEM;
	if ((r = disk_kernel_io(xn.disk, block, reg[i].pfn * PAGE_SIZE, 0,
				read_done, &reg[i]))) {
		xnr_drop(&registry, i);
		return r;
	}
	return i;
}

int64_t sys_xn_root_find(const char *name)
{
	char n[XOK_XN_NAME];
	int64_t slot;
	int r;

	if (xn.disk < 0)
		return E_STATE;
	if ((r = copy_name(name, n)))
		return r;
	return (slot = root_named(n)) < 0 ? E_INVAL : slot;
}

int64_t sys_xn_bind_root(uint64_t cap, uint64_t root)
{
	const struct xok_cap *c;
	int r;

	if (xn.disk < 0)
		return E_STATE;
	if (root >= XOK_XN_MAXROOTS || !xn.roots[root].in_use)
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	if (!cap_opens(c, &xn.roots[root].guard, XOK_CAP_R))
		return E_PERM;
	return bind(xn.roots[root].block, xn.roots[root].type,
		    XOK_XN_NO_PARENT, (uint32_t)root);
}

/* Entry `parent`, which a bind goes through: it exists, slot `cap`
 * opens its root's guard for R, and its bytes are there to read. */
static int parent_check(uint64_t cap, uint64_t parent,
			struct xok_xn_entry **p)
{
	int r = entry_check(cap, parent, XOK_CAP_R, p);

	if (r)
		return r;
	return (*p)->state == XOK_XN_READING || (*p)->error ? E_STATE : 0;
}

int64_t sys_xn_bind(uint64_t cap, uint64_t parent, uint64_t block)
{
	struct xn_context cx = context();
	const struct xok_xn_pair *set;
	struct xok_xn_entry *p;
	uint64_t type;
	size_t n;
	int r;

	if ((r = parent_check(cap, parent, &p)))
		return r;
	/* Reads bind blocks through their parent: the parent's own bytes
	 * say the block is its child, and of which type. Its whole set is
	 * remembered for the next child (a file read binds them in turn);
	 * a parent whose set is refused may still name the child. */
	if (xn_memo_owned(&memo, &cx, p->type, kaddr(p->pfn * PAGE_SIZE),
			  &set, &n) == 0)
		r = xn_set_find(set, n, block, &type);
	else
		r = xn_find_owned(&cx, p->type, kaddr(p->pfn * PAGE_SIZE),
				  block, &type);
	if (r)
		return E_INVAL;
	return bind(block, (uint32_t)type, (uint32_t)parent, p->root);
}

int64_t sys_xn_map(uint64_t cap, uint64_t idx, uint64_t va, uint64_t writable)
{
	struct xok_xn_entry *e;
	int r;

	if (writable > 1)
		return E_INVAL;
	if ((r = entry_check(cap, idx, writable ? XOK_CAP_W : XOK_CAP_R, &e)))
		return r;
	/* Metadata changes only through xn_modify, where XN checks it. */
	if (writable && e->type != XOK_XN_DATA)
		return E_PERM;
	/* The read still in flight would overwrite what the caller writes. */
	if (writable && e->state == XOK_XN_READING)
		return E_STATE;
	if (va >= XOK_USER_TOP || (va & (PAGE_SIZE - 1)) || va == XOK_UAREA)
		return E_INVAL;
	if (writable)
		e->state = XOK_XN_DIRTY; /* the caller will change it */
	return pmap_insert(curenv()->pml4_pa, va, e->pfn * PAGE_SIZE,
			   (writable ? PTE_W : 0) | PTE_NX);
}

/* Applies `mods` (copied in) to a copy of the block: 0 or an error. */
static int apply_mods(const struct xok_xn_mod *mods, uint64_t n,
		      uint8_t *copy)
{
	for (uint64_t i = 0; i < n; i++) {
		if (mods[i].offset > XOK_XN_BLOCK ||
		    mods[i].len > XOK_XN_BLOCK - mods[i].offset)
			return E_INVAL;
		if (copy_from_user(curenv()->pml4_pa, copy + mods[i].offset,
				   mods[i].bytes, mods[i].len))
			return E_FAULT;
	}
	return 0;
}

/* May every pair of `d` be allocated (free on disk, not cached) and
 * every removed one freed (cached, owning nothing, nothing pending, not
 * waiting to be written with a partner)? */
static int delta_check(const struct xok_xn_delta *d)
{
	static struct xok_xn_pair owned[XN_MAXPAIRS];
	struct xn_context cx = context();
	size_t n;

	if (d->nadd > XOK_XN_MAXDELTA || d->nrm > XOK_XN_MAXDELTA)
		return E_INVAL;
	for (uint64_t i = 0; i < d->nadd; i++)
		if (d->add[i].block >= xn.super.nblocks ||
		    xn_bit(flat_map, d->add[i].block) ||
		    xnr_find(&registry, d->add[i].block) >= 0)
			return E_BUSY; /* someone else's, or not yet reusable */
	for (uint64_t i = 0; i < d->nrm; i++) {
		int k = xnr_find(&registry, d->rm[i].block);

		if (k < 0 || reg[k].freed || reg[k].pair ||
		    reg[k].state == XOK_XN_READING ||
		    reg[k].state == XOK_XN_WRITING)
			return E_STATE; /* bind it first, or wait for it */
		if (xn_owned(&cx, reg[k].type, kaddr(reg[k].pfn * PAGE_SIZE),
			     owned, &n) || n)
			return E_STATE; /* still owns blocks: free those first */
	}
	return 0;
}

/* The checks a change of metadata entry `idx` needs before its delta:
 * the entry, rights, state, and the caller's `nmods` modifications at
 * `mods`, copied in to m[] (XOK_XN_MAXMODS), applied to `copy` (a copy
 * of the block). */
static int prepare(uint64_t cap, uint64_t idx, uint64_t mods, uint64_t nmods,
		   struct xok_xn_mod *m, uint8_t *copy,
		   struct xok_xn_entry **out)
{
	struct xok_xn_entry *e;
	int r;

	if ((r = entry_check(cap, idx, XOK_CAP_W, &e)))
		return r;
	if (e->type == XOK_XN_DATA || nmods > XOK_XN_MAXMODS)
		return E_INVAL;
	if (e->state == XOK_XN_READING || e->state == XOK_XN_WRITING ||
	    e->error)
		return E_STATE;
	if (copy_from_user(curenv()->pml4_pa, m, mods, nmods * sizeof(m[0])))
		return E_FAULT;
	memcpy(copy, kaddr(e->pfn * PAGE_SIZE), XOK_XN_BLOCK);
	*out = e;
	return apply_mods(m, nmods, copy);
}

/* Installs the checked new contents `copy` of entry `e`: the bytes the
 * `n` modifications m[] changed (the rest is as it was). */
static void install(struct xok_xn_entry *e, const uint8_t *copy,
		    const struct xok_xn_mod *m, uint64_t n)
{
	uint8_t *page = kaddr(e->pfn * PAGE_SIZE);

	for (uint64_t i = 0; i < n; i++)
		memcpy(page + m[i].offset, copy + m[i].offset, m[i].len);
	e->state = XOK_XN_DIRTY;
}

static void mark_freed(const struct xok_xn_delta *d)
{
	for (uint64_t i = 0; i < d->nrm; i++)
		xnr_mark_freed(&registry, d->rm[i].block);
}

int64_t sys_xn_modify(uint64_t cap, uint64_t idx,
		      const struct xok_xn_mod *mods, uint64_t nmods,
		      const struct xok_xn_delta *delta)
{
	static struct xok_xn_mod m[XOK_XN_MAXMODS];
	static struct xok_xn_delta d;
	static uint8_t copy[XOK_XN_BLOCK];
	struct xn_context cx = context();
	const struct xok_xn_pair *before, *after;
	struct xok_xn_entry *e;
	size_t nb, na;
	int r;

	if ((r = prepare(cap, idx, (uint64_t)mods, nmods, m, copy, &e)))
		return r;
	if (copy_from_user(curenv()->pml4_pa, &d, (uint64_t)delta, sizeof(d)))
		return E_FAULT;
	if ((r = delta_check(&d)))
		return r;
	/* The set before is usually remembered from the last change; the
	 * one after is remembered for the next, and is the one before if
	 * the change leaves every byte the owns-UDF reads alone. */
	if (xn_memo_change(&memo, &cx, e->type, kaddr(e->pfn * PAGE_SIZE),
			   copy, m, nmods, &before, &nb, &after, &na) ||
	    xn_check_sets(before, nb, after, na, d.add, d.nadd, d.rm, d.nrm))
		return E_INVAL;
	/* Every check passed: now change things, the children first (all
	 * or nothing), so nothing after them can fail. */
	if (xnr_add_children(&registry, (int)idx, d.add, d.nadd))
		return E_NOMEM;
	install(e, copy, m, nmods);
	mark_freed(&d);
	return 0;
}

int64_t sys_xn_modify_pair(uint64_t cap, const struct xok_xn_pair_change *pc)
{
	static struct xok_xn_pair_change c;
	static struct xok_xn_mod m[2][XOK_XN_MAXMODS];
	static uint8_t copy[2][XOK_XN_BLOCK];
	static struct xok_xn_pair add[2][XOK_XN_MAXDELTA];
	uint8_t add_to[XOK_XN_MAXDELTA], moved_to[XOK_XN_MAXMOVE];
	uint64_t nadd[2] = { 0, 0 };
	struct xn_context cx = context();
	struct xok_xn_entry *e[2];
	struct xn_side side[2];
	int r;

	if (copy_from_user(curenv()->pml4_pa, &c, (uint64_t)pc, sizeof(c)))
		return E_FAULT;
	if (c.idx[0] == c.idx[1] || c.nmoved > XOK_XN_MAXMOVE)
		return E_INVAL;
	for (int k = 0; k < 2; k++) {
		int partner;

		if ((r = prepare(cap, c.idx[k], c.mods[k], c.nmods[k], m[k],
				 copy[k], &e[k])))
			return r;
		/* Moving blocks between roots would move them between
		 * guards, and their cached descendants' too. */
		if (e[k]->root != e[0]->root)
			return E_INVAL;
		partner = xnr_partner(&registry, (int)c.idx[k]);
		if (partner >= 0 && (uint64_t)partner != c.idx[1 - k])
			return E_STATE; /* paired with a third: write it first */
		side[k] = (struct xn_side){ e[k]->type,
					    kaddr(e[k]->pfn * PAGE_SIZE),
					    copy[k] };
	}
	if ((r = delta_check(&c.delta)))
		return r;
	if (xn_check_pair(&cx, side, c.delta.add, c.delta.nadd, c.delta.rm,
			  c.delta.nrm, c.moved, c.nmoved, add_to, moved_to))
		return E_INVAL;
	for (uint64_t i = 0; i < c.delta.nadd; i++)
		add[add_to[i]][nadd[add_to[i]]++] = c.delta.add[i];
	/* Every check passed. The children first, all or nothing: */
	if (xnr_add_children(&registry, (int)c.idx[0], add[0], nadd[0]))
		return E_NOMEM;
	if (xnr_add_children(&registry, (int)c.idx[1], add[1], nadd[1])) {
		/* never written, the first side's go again at once */
		for (uint64_t i = 0; i < nadd[0]; i++)
			xnr_mark_freed(&registry, add[0][i].block);
		return E_NOMEM;
	}
	install(e[0], copy[0], m[0], c.nmods[0]);
	install(e[1], copy[1], m[1], c.nmods[1]);
	mark_freed(&c.delta);
	for (uint64_t i = 0; i < c.nmoved; i++)
		xnr_reparent(&registry, c.moved[i].block,
			     (int)c.idx[moved_to[i]]);
	xnr_pair(&registry, (int)c.idx[0], (int)c.idx[1]);
	return 0;
}

static void write_done(void *arg, int ok)
{
	struct xok_xn_entry *e = arg;

	e->error = !ok;
	if (e->state == XOK_XN_WRITING)
		e->state = ok ? XOK_XN_VALID : XOK_XN_DIRTY;
	if (ok)
		xnr_written(&registry, (int)(e - reg));
}

/*
 * Writes paired entries `a` and `b` so that a crash at any point leaves
 * both old or both new on disk: their images to the log, the committed
 * header, both in place, the emptied header — one after the other, each
 * waited for (the device completes writes in order; mounting replays a
 * committed log). Slow, but a pair is rare: a rename or a new link.
 */
static int write_pair(int a, int b)
{
	uint64_t log = xn_log_start(&xn.super);
	struct xok_xn_log l = { XOK_XN_LOG_MAGIC, 0,
				{ reg[a].block, reg[b].block } };
	int r;

	reg[a].state = reg[b].state = XOK_XN_WRITING;
	r = disk_kernel_io_sync(xn.disk, log + 1, reg[a].pfn * PAGE_SIZE, 1) ||
	    disk_kernel_io_sync(xn.disk, log + 2, reg[b].pfn * PAGE_SIZE, 1) ||
	    write_sync(log, &l, sizeof(l)) ||
	    disk_kernel_io_sync(xn.disk, l.block[0], reg[a].pfn * PAGE_SIZE, 1) ||
	    disk_kernel_io_sync(xn.disk, l.block[1], reg[b].pfn * PAGE_SIZE, 1) ||
	    write_sync(log, &empty_log, sizeof(empty_log));
	reg[a].state = reg[b].state = r ? XOK_XN_DIRTY : XOK_XN_VALID;
	reg[a].error = reg[b].error = r != 0;
	if (r)
		return E_IO;
	xnr_written(&registry, a);
	xnr_written(&registry, b);
	return 0;
}

int64_t sys_xn_write(uint64_t idx)
{
	struct xok_xn_entry *e;
	int r, partner;

	if (xn.disk < 0)
		return E_STATE;
	if (idx >= XOK_XN_REGISTRY || !reg[idx].pfn || reg[idx].freed)
		return E_INVAL;
	e = &reg[idx];
	if (xnr_writable(&registry, (int)idx))
		return E_STATE; /* nothing to write, or it points at garbage */
	if ((partner = xnr_partner(&registry, (int)idx)) >= 0)
		return write_pair((int)idx, partner);
	e->state = XOK_XN_WRITING;
	if ((r = disk_kernel_io(xn.disk, e->block, e->pfn * PAGE_SIZE, 1,
				write_done, e))) {
		e->state = XOK_XN_DIRTY;
		return r;
	}
	return 0;
}

/* The entries of each run being written (xn_write_run), for its
 * completion: at most one a disk slot. */
static struct run {
	uint64_t n; /* 0: free */
	uint32_t idx[XOK_DISK_MAXPAGES];
} runs[XOK_DISK_SLOTS];

static void run_done(void *arg, int ok)
{
	struct run *w = arg;

	for (uint64_t k = 0; k < w->n; k++)
		write_done(&reg[w->idx[k]], ok);
	w->n = 0;
}

static struct run *free_run(void)
{
	for (unsigned i = 0; i < XOK_DISK_SLOTS; i++)
		if (!runs[i].n)
			return &runs[i];
	return 0;
}

/* Are the `n` entries idx[] cached, not freed, and of consecutive
 * blocks? (Then they are distinct.) */
static int consecutive(const uint64_t *idx, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		if (idx[k] >= XOK_XN_REGISTRY || !reg[idx[k]].pfn ||
		    reg[idx[k]].freed ||
		    reg[idx[k]].block != reg[idx[0]].block + k)
			return 0;
	return 1;
}

int64_t sys_xn_write_run(const uint64_t *uidx, uint64_t n)
{
	uint64_t idx[XOK_DISK_MAXPAGES], pa[XOK_DISK_MAXPAGES];
	struct run *w;
	int r;

	if (xn.disk < 0)
		return E_STATE;
	if (n == 0 || n > XOK_DISK_MAXPAGES)
		return E_INVAL;
	if (copy_from_user(curenv()->pml4_pa, idx, (uint64_t)uidx,
			   n * sizeof(idx[0])))
		return E_FAULT;
	if (!consecutive(idx, n))
		return E_INVAL;
	/* Each as xn_write would write it alone; a pair goes by its log. */
	for (uint64_t k = 0; k < n; k++)
		if (xnr_writable(&registry, (int)idx[k]) ||
		    xnr_partner(&registry, (int)idx[k]) >= 0)
			return E_STATE;
	if (!(w = free_run()))
		return E_AGAIN;
	/* Before the request: a write the power cut drops ends at once. */
	for (uint64_t k = 0; k < n; k++) {
		pa[k] = reg[idx[k]].pfn * PAGE_SIZE;
		w->idx[k] = (uint32_t)idx[k];
		reg[idx[k]].state = XOK_XN_WRITING;
	}
	w->n = n;
	if ((r = disk_kernel_io_pages(xn.disk, reg[idx[0]].block, pa, n, 1,
				      run_done, w))) {
		for (uint64_t k = 0; k < n; k++)
			reg[idx[k]].state = XOK_XN_DIRTY;
		w->n = 0;
		return r;
	}
	return 0;
}

static void read_run_done(void *arg, int ok)
{
	struct run *w = arg;

	for (uint64_t k = 0; k < w->n; k++)
		read_done(&reg[w->idx[k]], ok);
	w->n = 0;
}

int64_t sys_xn_bind_run(uint64_t cap, uint64_t parent, uint64_t block,
			uint64_t n)
{
	struct xn_context cx = context();
	uint64_t type[XOK_DISK_MAXPAGES], pa[XOK_DISK_MAXPAGES];
	const struct xok_xn_pair *set;
	struct xok_xn_entry *p;
	struct run *w;
	size_t nset;
	int r;

	if ((r = parent_check(cap, parent, &p)))
		return r;
	if (n == 0 || n > XOK_DISK_MAXPAGES ||
	    xn_memo_owned(&memo, &cx, p->type, kaddr(p->pfn * PAGE_SIZE),
			  &set, &nset))
		return E_INVAL;
	/* As xn_bind, for each: the parent's bytes name it, and its type. */
	for (uint64_t k = 0; k < n; k++)
		if (xn_set_find(set, nset, block + k, &type[k]))
			return E_INVAL;
	for (uint64_t k = 0; k < n; k++)
		if (xnr_find(&registry, block + k) >= 0)
			return E_BUSY;
	if (!(w = free_run()))
		return E_AGAIN;
	for (uint64_t k = 0; k < n; k++) {
		struct xok_xn_entry t = { .block = block + k,
					  .state = XOK_XN_READING,
					  .type = (uint32_t)type[k],
					  .parent = (uint32_t)parent,
					  .root = p->root };
		int i = xnr_new(&registry, &t, (int)parent);

		if (i < 0) {
			while (k-- > 0)
				xnr_drop(&registry, (int)w->idx[k]);
			return E_NOMEM;
		}
		w->idx[k] = (uint32_t)i;
		pa[k] = reg[i].pfn * PAGE_SIZE;
	}
	w->n = n;
	if ((r = disk_kernel_io_pages(xn.disk, block, pa, n, 0, read_run_done,
				      w))) {
		for (uint64_t k = 0; k < n; k++)
			xnr_drop(&registry, (int)w->idx[k]);
		w->n = 0;
		return r;
	}
	return 0;
}

int64_t sys_xn_sync(uint64_t clean)
{
	if (xn.disk < 0)
		return E_STATE;
	if (clean > 1)
		return E_INVAL;
	/* Clean only when every change is on disk. A block still being read
	 * changes nothing (the disk's copy is the block): a read-ahead in
	 * flight does not keep the disk from being clean. */
	for (int i = 0; clean && i < XOK_XN_REGISTRY; i++)
		if (reg[i].pfn && (reg[i].state == XOK_XN_DIRTY ||
				   reg[i].state == XOK_XN_WRITING || reg[i].freed))
			return E_BUSY;
	if (write_map())
		return E_IO;
	xn.super.clean = (uint32_t)clean;
	return write_sync(0, &xn.super, sizeof(xn.super)) ? E_IO : 0;
}
