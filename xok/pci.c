/*
 * pci: configuration mechanism #1 (ports 0xcf8/0xcfc), which every PC
 * chipset QEMU models provides.
 */
#include "pci.h"

#include "kmemlayout.h"
#include "x86.h"

#define CONFIG_ADDR 0xcf8
#define CONFIG_DATA 0xcfc
#define PCI_COMMAND 0x04
#define CMD_IO 0x1
#define CMD_MEM 0x2
#define CMD_MASTER 0x4
#define PCI_BAR0 0x10
#define PCI_CAPS 0x34
#define PCI_STATUS_CAPS (1u << 20) /* in the command/status dword */
#define CAP_MSIX 0x11
#define MSIX_ENABLE (1u << 31)     /* in the capability's first dword */
#define MSIX_FUNCTION_MASK (1u << 30)

static uint32_t addr(const struct pci_dev *d, uint8_t off)
{
	return 0x80000000u | ((uint32_t)d->bus << 16) |
	       ((uint32_t)d->dev << 11) | ((uint32_t)d->fn << 8) | (off & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	outl(CONFIG_ADDR, addr(d, off));
	return inl(CONFIG_DATA);
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
	outl(CONFIG_ADDR, addr(d, off));
	outl(CONFIG_DATA, v);
}

int pci_find(uint16_t vendor, uint16_t device, int index, struct pci_dev *d)
{
	for (unsigned bus = 0; bus < 256; bus++)
		for (unsigned dev = 0; dev < 32; dev++)
			for (unsigned fn = 0; fn < 8; fn++) {
				struct pci_dev c = { bus, dev, fn, 0, 0 };
				uint32_t id = pci_read32(&c, 0);

				if ((id & 0xffff) == 0xffff)
					continue;
				if ((id & 0xffff) == vendor &&
				    (id >> 16) == device && index-- == 0) {
					c.vendor = vendor;
					c.device = device;
					*d = c;
					return 1;
				}
			}
	return 0;
}

uint64_t pci_bar(const struct pci_dev *d, int n)
{
	uint32_t bar = pci_read32(d, PCI_BAR0 + 4 * n);

	if (bar & 1)
		return bar & ~3u; /* I/O space */
	if (((bar >> 1) & 3) == 2) /* 64-bit memory */
		return ((uint64_t)pci_read32(d, PCI_BAR0 + 4 * (n + 1)) << 32) |
		       (bar & ~0xfu);
	return bar & ~0xfu;
}

void pci_enable(const struct pci_dev *d)
{
	pci_write32(d, PCI_COMMAND, pci_read32(d, PCI_COMMAND) | CMD_IO |
					    CMD_MEM | CMD_MASTER);
}

/* The configuration offset of capability `id`, or 0. */
static uint8_t find_cap(const struct pci_dev *d, uint8_t id)
{
	if (!(pci_read32(d, PCI_COMMAND) & PCI_STATUS_CAPS))
		return 0;
	for (uint8_t off = pci_read32(d, PCI_CAPS) & 0xfc, n = 0; off && n < 48;
	     off = (pci_read32(d, off) >> 8) & 0xfc, n++)
		if ((pci_read32(d, off) & 0xff) == id)
			return off;
	return 0;
}

int pci_msix_route(const struct pci_dev *d, int entry, int vector,
		   uint32_t apic)
{
	uint8_t cap = find_cap(d, CAP_MSIX);
	uint32_t table, ctl;
	volatile uint32_t *e;

	if (!cap)
		return -1;
	ctl = pci_read32(d, cap);
	if (entry > (int)((ctl >> 16) & 0x7ff))
		return -1;
	table = pci_read32(d, cap + 4);
	e = (volatile uint32_t *)kaddr(pci_bar(d, table & 7) + (table & ~7u) +
				       16 * entry);
	e[0] = 0xfee00000u | (apic << 12); /* message address: this CPU */
	e[1] = 0;
	e[2] = (uint32_t)vector;           /* message data: fixed, edge */
	e[3] = 0;                          /* unmasked */
	pci_write32(d, cap, (ctl | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK);
	return 0;
}
