/*
 * Disks as user code sees them: the exported disk table (read-only at
 * XOK_UDISKS) with each disk's size and its request slots.
 *
 * A request (xok_disk_io) moves 1..XOK_DISK_MAXPAGES whole 4 KiB blocks
 * between the disk and physical frames the caller may map. It runs while
 * the caller does something else: its slot's state goes PENDING -> DONE
 * (or ERROR) in the exported table, which a wakeup predicate can wait on,
 * and the caller then collects it with xok_disk_reap. The kernel holds a
 * reference to the frames until the device is done with them.
 */
#ifndef XOK_DISK_H
#define XOK_DISK_H

#include <stdint.h>
#include <xok/cap.h>

#define XOK_NDISKS 4
#define XOK_DISK_SLOTS 16
#define XOK_DISK_MAXPAGES 8
#define XOK_BLOCK_SIZE 4096

/* struct xok_disk_req.state */
#define XOK_REQ_FREE    0
#define XOK_REQ_PENDING 1
#define XOK_REQ_DONE    2
#define XOK_REQ_ERROR   3

/* struct xok_disk.kind */
#define XOK_DISK_NONE   0
#define XOK_DISK_VIRTIO 1
#define XOK_DISK_ATA    2

struct xok_disk_req {
	volatile uint32_t state;
	uint32_t write;
	uint64_t owner;  /* env id that submitted it */
	uint64_t block;
	uint64_t npages;
	uint64_t seq;    /* per-disk request number, for predicates */
};

struct xok_disk {
	uint32_t kind;
	uint32_t pad;
	uint64_t nblocks;   /* 4 KiB blocks */
	uint64_t reads, writes, dropped; /* dropped: by fault injection */
	volatile uint64_t completed;
	struct xok_guard guard; /* opens for R to read blocks, W to write */
	uint32_t pad2;
	struct xok_disk_req req[XOK_DISK_SLOTS];
};

#endif
