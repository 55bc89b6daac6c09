/*
 * xnmount: XN's disk, C-FFS's types and root, an xnblk over them.
 */
#include "xnmount.h"

#include <xok/sched.h>
#include <xok/disk.h>
#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/syscall.h>

#include "cffs.h"
#include "templates.h"

/* Xok keeps time since boot only; a Unix libOS adds the epoch. */
static int64_t since_boot(void)
{
	return (int64_t)xok_clock_ns();
}

static int64_t install_types(void)
{
	for (unsigned type = 1; type < CFFS_NTYPES; type++) {
		struct xok_xn_template t;
		int64_t r;

		if (cffs_template(type, &t))
			return E_INVAL;
		if ((r = xok_xn_type_install(0, type, &t)) < 0)
			return r;
	}
	return 0;
}

int xnmount_cffs(struct xnblk *x, struct cffs_dindex *index,
		 const char *name, uint64_t window, int fresh)
{
	uint64_t nblocks = ((const volatile struct xok_disk *)XOK_UDISKS)[0].nblocks;
	int64_t root;
	int r;

	if ((root = xok_xn_mount(0, 0)) < 0 ||
	    (fresh && (root = install_types()) < 0))
		return (int)root;
	root = fresh ? xok_xn_root_create(0, name, CFFS_T_SUPER)
		     : xok_xn_root_find(name);
	if (root < 0)
		return (int)root;
	if ((r = xnblk_open(x, 0, (uint64_t)root, nblocks, window)))
		return r;
	x->blk.now = since_boot;
	if ((x->blk.index = index))
		dindex_reset(index);
	if (fresh && (r = cffs_mkfs(&x->blk)))
		return r;
	if ((r = cffs_mount(&x->blk)) || (r = cffs_reclaim(&x->blk)) < 0)
		return r;
	return 0;
}
