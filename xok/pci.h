/*
 * pci: configuration space through the legacy I/O ports, and the few
 * things drivers need from it: finding a device, its BARs, bus mastering,
 * MSI-X.
 */
#ifndef KERN_PCI_H
#define KERN_PCI_H

#include <stdint.h>

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);

/* Finds the `index`th function with this vendor and device id (on any
 * bus). Returns 1 and fills *d, or 0. */
int pci_find(uint16_t vendor, uint16_t device, int index, struct pci_dev *d);

/* The address of BAR `n` (I/O port or memory; 64-bit BARs combined). */
uint64_t pci_bar(const struct pci_dev *d, int n);

/* Enables I/O and memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);

/* Points MSI-X table entry `entry` at `vector` on the CPU with APIC id
 * `apic`, and enables MSI-X. Returns 0, or -1 if the device has none. */
int pci_msix_route(const struct pci_dev *d, int entry, int vector,
		   uint32_t apic);

#endif
