/*
 * virtio_blk: the virtio block device over PCI (legacy interface, which
 * QEMU's default transitional device offers), one request queue, MSI-X
 * interrupts. Registers each device it finds with disk.c.
 */
#ifndef KERN_VIRTIO_BLK_H
#define KERN_VIRTIO_BLK_H

void virtio_blk_probe(void);

#endif
