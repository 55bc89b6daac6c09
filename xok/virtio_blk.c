/*
 * virtio_blk: requests are descriptor chains (header, data pages, status
 * byte) in a split virtqueue. Each of the XOK_DISK_SLOTS request slots
 * owns a fixed run of descriptors, so no descriptor allocator is needed.
 */
#include "virtio_blk.h"

#include <stddef.h>
#include <xok/disk.h>

#include "../lib/string.h"
#include "console.h"
#include "cpu.h"
#include "disk.h"
#include "kmemlayout.h"
#include "lapic.h"
#include "pci.h"
#include "x86.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_BLK_TRANSITIONAL 0x1001

/* Legacy register offsets in BAR 0 (I/O space). */
#define REG_DEVICE_FEATURES 0x00
#define REG_GUEST_FEATURES  0x04
#define REG_QUEUE_PFN       0x08
#define REG_QUEUE_SIZE      0x0c
#define REG_QUEUE_SELECT    0x0e
#define REG_QUEUE_NOTIFY    0x10
#define REG_STATUS          0x12
#define REG_ISR             0x13
#define REG_CONFIG_VECTOR   0x14 /* with MSI-X on */
#define REG_QUEUE_VECTOR    0x16
#define REG_CONFIG          0x18 /* device config, with MSI-X on */
#define NO_VECTOR 0xffff

#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED 128

#define DESC_NEXT 1
#define DESC_WRITE 2 /* the device writes this buffer */
#define BLK_IN 0     /* read from disk */
#define BLK_OUT 1    /* write to disk */
#define SECTORS_PER_BLOCK 8

#define QMAX 256
#define DESC_PER_SLOT (XOK_DISK_MAXPAGES + 2)

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct used_elem {
	uint32_t id;
	uint32_t len;
};

struct blk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	uint16_t io;
	uint16_t qsize;
	uint16_t last_used;
	int disk;
	struct desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[qsize] */
	volatile uint16_t *used;  /* flags, idx, then struct used_elem[] */
	struct blk_header hdr[XOK_DISK_SLOTS];
	volatile uint8_t status[XOK_DISK_SLOTS];
	/* The queue: descriptors, the available ring, then (page-aligned)
	 * the used ring; in the kernel image, so physically contiguous. */
	uint8_t ring[4 * 4096] __attribute__((aligned(4096)));
};

static struct vblk vblks[XOK_NDISKS];

static void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static void vblk_start(void *priv, int slot, uint64_t block,
		       const uint64_t *pa, unsigned npages, int write)
{
	struct vblk *v = priv;
	uint16_t head = (uint16_t)(slot * DESC_PER_SLOT), d = head;

	v->hdr[slot] = (struct blk_header){
		.type = write ? BLK_OUT : BLK_IN,
		.sector = block * SECTORS_PER_BLOCK,
	};
	v->status[slot] = 0xff;
	v->desc[d] = (struct desc){ paddr(&v->hdr[slot]),
				    sizeof(v->hdr[slot]), DESC_NEXT, d + 1 };
	for (unsigned i = 0; i < npages; i++, d++)
		v->desc[d + 1] = (struct desc){
			pa[i], XOK_BLOCK_SIZE,
			DESC_NEXT | (write ? 0 : DESC_WRITE), d + 2 };
	d++;
	v->desc[d] = (struct desc){ paddr((const void *)&v->status[slot]), 1,
				    DESC_WRITE, 0 };
	v->avail[2 + v->avail[1] % v->qsize] = head;
	barrier();
	v->avail[1]++;
	barrier();
	outw(v->io + REG_QUEUE_NOTIFY, 0);
}

static void vblk_intr(void *priv)
{
	struct vblk *v = priv;
	const volatile struct used_elem *ring =
		(const volatile struct used_elem *)(v->used + 2);

	(void)inb(v->io + REG_ISR); /* acknowledges a legacy interrupt */
	while (v->last_used != v->used[1]) {
		barrier();
		uint32_t id = ring[v->last_used % v->qsize].id;
		int slot = (int)(id / DESC_PER_SLOT);

		v->last_used++;
		if (slot < XOK_DISK_SLOTS)
			disk_complete(v->disk, slot, v->status[slot] == 0);
	}
}

static const struct disk_ops vblk_ops = { vblk_start, vblk_intr };

/* Brings up one device; returns 0 or -1 (then it is left unused). */
static int vblk_init(struct vblk *v, const struct pci_dev *pd, int index)
{
	uint16_t io = (uint16_t)pci_bar(pd, 0);
	size_t avail_bytes;
	uint64_t sectors;

	v->io = io;
	pci_enable(pd);
	outb(io + REG_STATUS, 0); /* reset */
	outb(io + REG_STATUS, STATUS_ACK | STATUS_DRIVER);
	outl(io + REG_GUEST_FEATURES, 0); /* none needed */
	if (pci_msix_route(pd, 0, T_DISK0 + index, lapic_id()))
		return -1;
	outw(io + REG_QUEUE_SELECT, 0);
	v->qsize = inw(io + REG_QUEUE_SIZE);
	if (v->qsize < XOK_DISK_SLOTS * DESC_PER_SLOT || v->qsize > QMAX)
		return -1;
	memset(v->ring, 0, sizeof(v->ring));
	v->desc = (struct desc *)v->ring;
	v->avail = (volatile uint16_t *)(v->ring + 16 * v->qsize);
	avail_bytes = 6 + 2 * v->qsize;
	v->used = (volatile uint16_t *)(v->ring +
		((16 * v->qsize + avail_bytes + 4095) & ~4095ul));
	outl(io + REG_QUEUE_PFN, (uint32_t)(paddr(v->ring) >> 12));
	outw(io + REG_CONFIG_VECTOR, NO_VECTOR);
	outw(io + REG_QUEUE_VECTOR, 0);
	if (inw(io + REG_QUEUE_VECTOR) != 0)
		return -1;
	sectors = inl(io + REG_CONFIG) | ((uint64_t)inl(io + REG_CONFIG + 4) << 32);
	outb(io + REG_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
	v->disk = disk_register(&vblk_ops, v, XOK_DISK_VIRTIO,
				sectors / SECTORS_PER_BLOCK);
	return v->disk < 0 ? -1 : 0;
}

void virtio_blk_probe(void)
{
	struct pci_dev pd;

	for (int i = 0; i < XOK_NDISKS &&
			pci_find(VIRTIO_VENDOR, VIRTIO_BLK_TRANSITIONAL, i, &pd);
	     i++)
		if (vblk_init(&vblks[i], &pd, i)) {
			outb(vblks[i].io + REG_STATUS, STATUS_FAILED);
			cprintf("xok: virtio-blk at %02x:%02x.%x: cannot use it\n",
				pd.bus, pd.dev, pd.fn);
		}
}
