/*
 * ata: the primary-channel master of a PCI IDE controller in legacy mode
 * (QEMU's piix3-ide, on either machine), programmed I/O with LBA48 and
 * an interrupt per sector. Registers the disk with disk.c.
 */
#ifndef KERN_ATA_H
#define KERN_ATA_H

#define IRQ_ATA 14

void ata_probe(void);
/* The primary channel's interrupt. */
void ata_intr(void);

#endif
