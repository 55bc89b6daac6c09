/*
 * ata: one request at a time on the device, the others queued in slot
 * order of arrival; the interrupt moves each 512-byte sector between the
 * data port and the request's frames through the direct map.
 */
#include "ata.h"

#include <xok/disk.h>

#include "cpu.h"
#include "disk.h"
#include "ioapic.h"
#include "kmemlayout.h"
#include "lapic.h"
#include "pci.h"
#include "x86.h"

#define PIIX3_IDE 0x7010
#define INTEL 0x8086

#define DATA    0x1f0
#define COUNT   0x1f2
#define LBA_LO  0x1f3
#define LBA_MID 0x1f4
#define LBA_HI  0x1f5
#define DRIVE   0x1f6
#define STATUS  0x1f7 /* reading it acknowledges the interrupt */
#define COMMAND 0x1f7
#define ALT_STATUS 0x3f6

#define ST_BSY 0x80
#define ST_DF  0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define DRIVE_LBA_MASTER 0x40
#define CMD_IDENTIFY 0xec
#define CMD_READ_EXT 0x24
#define CMD_WRITE_EXT 0x34
#define SECTOR 512
#define SECTORS_PER_BLOCK 8
#define SPIN_LIMIT 10000000

struct request {
	uint64_t block;
	uint64_t pa[XOK_DISK_MAXPAGES];
	unsigned npages;
	int write;
};

static struct {
	int disk;      /* number in disk.c, or -1 */
	int queue[XOK_DISK_SLOTS];
	unsigned head, tail; /* queue of slots; queue[head] is on the device */
	struct request req[XOK_DISK_SLOTS];
	unsigned sector; /* sectors of the current request done */
} ata = { .disk = -1 };

/* Waits for BSY to clear; returns the status, or 0xff if it never does. */
static uint8_t wait_ready(void)
{
	for (long i = 0; i < SPIN_LIMIT; i++) {
		uint8_t st = inb(ALT_STATUS);

		if (!(st & ST_BSY))
			return st;
	}
	return 0xff;
}

static void *sector_addr(const struct request *r, unsigned s)
{
	return (char *)kaddr(r->pa[s / SECTORS_PER_BLOCK]) +
	       (s % SECTORS_PER_BLOCK) * SECTOR;
}

/* Sends the request at the head of the queue to the device. */
static void issue(void)
{
	const struct request *r = &ata.req[ata.queue[ata.head % XOK_DISK_SLOTS]];
	uint64_t lba = r->block * SECTORS_PER_BLOCK;
	unsigned count = r->npages * SECTORS_PER_BLOCK;

	ata.sector = 0;
	wait_ready();
	outb(DRIVE, DRIVE_LBA_MASTER);
	outb(COUNT, (uint8_t)(count >> 8)); /* LBA48: high bytes first */
	outb(LBA_LO, (uint8_t)(lba >> 24));
	outb(LBA_MID, (uint8_t)(lba >> 32));
	outb(LBA_HI, (uint8_t)(lba >> 40));
	outb(COUNT, (uint8_t)count);
	outb(LBA_LO, (uint8_t)lba);
	outb(LBA_MID, (uint8_t)(lba >> 8));
	outb(LBA_HI, (uint8_t)(lba >> 16));
	outb(COMMAND, r->write ? CMD_WRITE_EXT : CMD_READ_EXT);
	if (r->write) {
		/* The first sector goes before any interrupt; each interrupt
		 * then asks for the next. */
		uint8_t st = wait_ready();

		if (st & ST_DRQ)
			outsw(DATA, sector_addr(r, 0), SECTOR / 2);
	}
}

static void finish(int ok)
{
	int slot = ata.queue[ata.head++ % XOK_DISK_SLOTS];

	disk_complete(ata.disk, slot, ok);
	if (ata.head != ata.tail)
		issue();
}

static void ata_start(void *priv, int slot, uint64_t block,
		      const uint64_t *pa, unsigned npages, int write)
{
	struct request *r = &ata.req[slot];

	(void)priv;
	r->block = block;
	r->npages = npages;
	r->write = write;
	for (unsigned i = 0; i < npages; i++)
		r->pa[i] = pa[i];
	ata.queue[ata.tail++ % XOK_DISK_SLOTS] = slot;
	if (ata.tail - ata.head == 1)
		issue();
}

static void ata_disk_intr(void *priv)
{
	const struct request *r;
	uint8_t st = inb(STATUS);

	(void)priv;
	if (ata.head == ata.tail)
		return; /* nothing outstanding: a stray interrupt */
	r = &ata.req[ata.queue[ata.head % XOK_DISK_SLOTS]];
	if (st & (ST_ERR | ST_DF)) {
		finish(0);
		return;
	}
	if (!r->write) {
		if (!(st & ST_DRQ))
			return;
		insw(DATA, sector_addr(r, ata.sector), SECTOR / 2);
	}
	if (++ata.sector == r->npages * SECTORS_PER_BLOCK)
		finish(1);
	else if (r->write)
		outsw(DATA, sector_addr(r, ata.sector), SECTOR / 2);
}

void ata_intr(void)
{
	if (ata.disk >= 0)
		disk_intr(ata.disk);
	else
		(void)inb(STATUS);
}

static const struct disk_ops ata_ops = { ata_start, ata_disk_intr };

void ata_probe(void)
{
	uint16_t id[256];
	struct pci_dev pd;
	uint64_t sectors;
	uint8_t st;

	if (!pci_find(INTEL, PIIX3_IDE, 0, &pd))
		return;
	pci_enable(&pd);
	outb(DRIVE, 0xa0); /* master */
	outb(COMMAND, CMD_IDENTIFY);
	if (inb(STATUS) == 0 || (st = wait_ready()) == 0xff || (st & ST_ERR) ||
	    !(st & ST_DRQ))
		return; /* no drive */
	insw(DATA, id, 256);
	sectors = (uint64_t)id[100] | ((uint64_t)id[101] << 16) |
		  ((uint64_t)id[102] << 32) | ((uint64_t)id[103] << 48);
	ata.disk = disk_register(&ata_ops, 0, XOK_DISK_ATA,
				 sectors / SECTORS_PER_BLOCK);
	if (ata.disk >= 0)
		ioapic_enable(IRQ_ATA, lapic_id());
}
