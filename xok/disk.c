/*
 * disk: request slots, checks and completion. Contracts of the calls in
 * xok/syscalls.tab.
 */
#include "disk.h"

#include <xok/error.h>
#include <xok/page.h>

#include "ata.h"
#include "cap.h"
#include "console.h"
#include "env.h"
#include "export.h"
#include "pmap.h"
#include "syscall_decls.h"
#include "virtio_blk.h"
#include "x86.h"

#define NO_INJECTION (~0ull)

struct disk_dev {
	const struct disk_ops *ops;
	void *priv;
	uint64_t writes_left; /* before the simulated power cut */
	uint64_t seq;
	uint64_t pa[XOK_DISK_SLOTS][XOK_DISK_MAXPAGES]; /* pinned frames */
	/* For the kernel's own requests (owner 0): who to tell. */
	void (*done[XOK_DISK_SLOTS])(void *arg, int ok);
	void *done_arg[XOK_DISK_SLOTS];
};

static struct disk_dev devs[XOK_NDISKS];
static int ndisks;

int disk_register(const struct disk_ops *ops, void *priv, uint32_t kind,
		  uint64_t nblocks)
{
	struct xok_cap root = cap_root();

	if (ndisks == XOK_NDISKS)
		return -1;
	devs[ndisks] = (struct disk_dev){ .ops = ops, .priv = priv,
					  .writes_left = NO_INJECTION };
	exp_disks[ndisks] = (struct xok_disk){ .kind = kind,
					       .nblocks = nblocks,
					       .guard = cap_guard(&root) };
	return ndisks++;
}

void disk_init(void)
{
	virtio_blk_probe();
	ata_probe();
	for (int i = 0; i < ndisks; i++)
		cprintf("xok: disk %d: %lu blocks of 4 KiB (%s)\n", i,
			exp_disks[i].nblocks,
			exp_disks[i].kind == XOK_DISK_VIRTIO ? "virtio-blk" : "ATA");
}

void disk_complete(int disk, int slot, int ok)
{
	struct xok_disk_req *r = &exp_disks[disk].req[slot];
	struct disk_dev *d = &devs[disk];

	if (r->write)
		exp_disks[disk].writes++;
	else
		exp_disks[disk].reads++;
	exp_disks[disk].completed++;
	if (!r->owner) { /* the kernel's own: its frame is not pinned here */
		r->state = XOK_REQ_FREE;
		d->done[slot](d->done_arg[slot], ok);
		return;
	}
	for (uint64_t i = 0; i < r->npages; i++)
		page_release(d->pa[slot][i]);
	/* Nobody is left to reap the request of a destroyed environment. */
	r->state = env_lookup(r->owner) ? (ok ? XOK_REQ_DONE : XOK_REQ_ERROR)
					: XOK_REQ_FREE;
}

void disk_intr(int disk)
{
	if (disk < ndisks)
		devs[disk].ops->intr(devs[disk].priv);
}

void disk_env_gone(uint64_t id)
{
	for (int d = 0; d < ndisks; d++)
		for (int s = 0; s < XOK_DISK_SLOTS; s++) {
			struct xok_disk_req *r = &exp_disks[d].req[s];

			if (r->owner == id && r->state != XOK_REQ_PENDING)
				r->state = XOK_REQ_FREE;
		}
}

/* May the caller use `pfn` as a transfer buffer with capability `c`? A
 * disk write only reads the frame; a disk read writes it. */
static int check_frame(const struct xok_cap *c, uint64_t pfn, int write)
{
	const struct xok_ppage *p;

	if (pfn >= phys_pages.npages)
		return E_INVAL;
	p = &phys_pages.pages[pfn];
	if (!p->allocated || p->kernel || !p->ref)
		return E_INVAL;
	return cap_opens(c, &p->guard, write ? XOK_CAP_R : XOK_CAP_W) ? 0
								     : E_PERM;
}

static int free_slot(int disk)
{
	for (int s = 0; s < XOK_DISK_SLOTS; s++)
		if (exp_disks[disk].req[s].state == XOK_REQ_FREE)
			return s;
	return -1;
}

/* Hands a filled-in request in `slot` to the driver, or drops it if the
 * simulated power is off. */
static void submit(int disk, int slot, const uint64_t *pa)
{
	struct xok_disk_req *r = &exp_disks[disk].req[slot];
	struct disk_dev *d = &devs[disk];

	r->seq = ++d->seq;
	if (r->write && d->writes_left == 0) {
		exp_disks[disk].dropped++; /* the power is "off": lost */
		disk_complete(disk, slot, 1);
		return;
	}
	if (r->write && d->writes_left != NO_INJECTION)
		d->writes_left--;
	d->ops->start(d->priv, slot, r->block, pa, (unsigned)r->npages,
		      (int)r->write);
}

int64_t sys_disk_io(uint64_t cap, uint64_t disk, uint64_t block,
		    uint64_t npages, const uint64_t *pfns, uint64_t write)
{
	uint64_t frames[XOK_DISK_MAXPAGES], pa[XOK_DISK_MAXPAGES];
	const struct xok_cap *c;
	struct xok_disk *d;
	int r, slot;

	if (disk >= (uint64_t)ndisks || npages == 0 ||
	    npages > XOK_DISK_MAXPAGES || write > 1)
		return E_INVAL;
	d = &exp_disks[disk];
	if (block >= d->nblocks || npages > d->nblocks - block)
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	if (!cap_opens(c, &d->guard, write ? XOK_CAP_W : XOK_CAP_R))
		return E_PERM;
	if (copy_from_user(curenv()->pml4_pa, frames, (uint64_t)pfns,
			   npages * sizeof(frames[0])))
		return E_FAULT;
	for (uint64_t i = 0; i < npages; i++)
		if ((r = check_frame(c, frames[i], (int)write)))
			return r;
	if ((slot = free_slot((int)disk)) < 0)
		return E_AGAIN;

	for (uint64_t i = 0; i < npages; i++) {
		pa[i] = frames[i] * PAGE_SIZE;
		page_incref(&phys_pages, (uint32_t)frames[i]);
		devs[disk].pa[slot][i] = pa[i];
	}
	d->req[slot] = (struct xok_disk_req){
		.state = XOK_REQ_PENDING, .write = (uint32_t)write,
		.owner = curenv()->pub->id, .block = block, .npages = npages,
	};
	submit((int)disk, slot, pa);
	return slot;
}

int disk_kernel_io_pages(int disk, uint64_t block, const uint64_t *pa,
			 uint64_t npages, int write,
			 void (*done)(void *arg, int ok), void *arg)
{
	int slot;

	if (disk < 0 || disk >= ndisks || npages == 0 ||
	    npages > XOK_DISK_MAXPAGES || block >= exp_disks[disk].nblocks ||
	    npages > exp_disks[disk].nblocks - block)
		return E_INVAL;
	if ((slot = free_slot(disk)) < 0)
		return E_AGAIN;
	devs[disk].done[slot] = done;
	devs[disk].done_arg[slot] = arg;
	exp_disks[disk].req[slot] = (struct xok_disk_req){
		.state = XOK_REQ_PENDING, .write = (uint32_t)!!write,
		.block = block, .npages = npages,
	};
	submit(disk, slot, pa);
	return 0;
}

int disk_kernel_io(int disk, uint64_t block, uint64_t pa, int write,
		   void (*done)(void *arg, int ok), void *arg)
{
	return disk_kernel_io_pages(disk, block, &pa, 1, write, done, arg);
}

static void sync_done(void *arg, int ok)
{
	*(volatile int *)arg = ok ? 1 : -1;
}

int disk_kernel_io_sync(int disk, uint64_t block, uint64_t pa, int write)
{
	volatile int result = 0;
	int r = disk_kernel_io(disk, block, pa, write, sync_done,
			       (void *)&result);

	if (r)
		return r;
	while (!result)
		sti_hlt(); /* the disk's interrupt ends the wait */
	return result > 0 ? 0 : E_IO;
}

int64_t sys_disk_reap(uint64_t disk, uint64_t slot)
{
	struct xok_disk_req *r;
	int64_t result;

	if (disk >= (uint64_t)ndisks || slot >= XOK_DISK_SLOTS)
		return E_INVAL;
	r = &exp_disks[disk].req[slot];
	if (r->state == XOK_REQ_FREE)
		return E_INVAL;
	if (r->owner != curenv()->pub->id)
		return E_PERM;
	if (r->state == XOK_REQ_PENDING)
		return E_AGAIN;
	result = r->state == XOK_REQ_DONE ? 0 : E_IO;
	r->state = XOK_REQ_FREE;
	return result;
}

int64_t sys_disk_fault(uint64_t cap, uint64_t disk, uint64_t writes_left)
{
	const struct xok_cap *c;
	int r;

	if (disk >= (uint64_t)ndisks)
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	if (!cap_opens(c, &exp_disks[disk].guard, XOK_CAP_W))
		return E_PERM;
	devs[disk].writes_left = writes_left;
	return 0;
}
