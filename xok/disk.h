/*
 * disk: the disks Xok multiplexes, whatever their driver. Owns the
 * exported disk table (<xok/disk.h>): checks each request (capability,
 * range, frames), pins its frames, hands it to the driver, and records its
 * completion. A driver implements struct disk_ops and calls disk_complete.
 *
 * For crash-consistency tests it can also act out a power cut: after N
 * more writes, writes are acknowledged but never reach the disk.
 */
#ifndef KERN_DISK_H
#define KERN_DISK_H

#include <stdint.h>
#include <xok/disk.h>

struct disk_ops {
	/* Starts moving `npages` blocks from `block` to (or, if `write`,
	 * from) the frames at physical addresses `pa`; the driver calls
	 * disk_complete(disk, slot, ok) when the device is done. */
	void (*start)(void *priv, int slot, uint64_t block, const uint64_t *pa,
		      unsigned npages, int write);
	/* Its interrupt: collects finished requests. */
	void (*intr)(void *priv);
};

/* Adds a disk of `nblocks` 4 KiB blocks; returns its number or -1. Its
 * guard is the root's name: raw block access is for holders of the root
 * capability (XN grants finer access). */
int disk_register(const struct disk_ops *ops, void *priv, uint32_t kind,
		  uint64_t nblocks);

/* Called by drivers: request `slot` of `disk` finished. */
void disk_complete(int disk, int slot, int ok);

/*
 * A request of the kernel's own (XN's), on one page at physical `pa`:
 * `done(arg, ok)` is called from the disk's interrupt when it finishes,
 * and its slot is freed then. Honours the power-cut injection like user
 * writes. Returns 0, E_INVAL (no such disk or block) or E_AGAIN (no slot).
 */
int disk_kernel_io(int disk, uint64_t block, uint64_t pa, int write,
		   void (*done)(void *arg, int ok), void *arg);

/* disk_kernel_io on `npages` (1..XOK_DISK_MAXPAGES) pages at pa[], for
 * as many blocks from `block` on, in one request. */
int disk_kernel_io_pages(int disk, uint64_t block, const uint64_t *pa,
			 uint64_t npages, int write,
			 void (*done)(void *arg, int ok), void *arg);

/* Runs disk_kernel_io and waits for it (interrupts on, as in the idle
 * loop). For mounting and catalogue updates. Returns 0, E_IO, or the
 * error of disk_kernel_io. */
int disk_kernel_io_sync(int disk, uint64_t block, uint64_t pa, int write);

/* The interrupt of disk `disk`. */
void disk_intr(int disk);

/* Frees the finished requests of a destroyed environment. */
void disk_env_gone(uint64_t id);

/* Probes for every disk the kernel has a driver for. */
void disk_init(void);

/* Vector of disk `n`'s interrupt. */
#define T_DISK0 64

#endif
