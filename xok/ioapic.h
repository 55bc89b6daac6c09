/*
 * ioapic: routes ISA device interrupts to a CPU's local APIC. The legacy
 * 8259 PICs are masked for good; all device interrupts go through here.
 */
#ifndef KERN_IOAPIC_H
#define KERN_IOAPIC_H

#include <stdint.h>

/* Silences the legacy 8259 PICs; the first thing the kernel does. */
void pic_disable(void);

void ioapic_init(void);
/* Delivers ISA `irq` as vector T_IRQ0 + irq to the CPU with APIC id `cpu`. */
void ioapic_enable(int irq, uint32_t cpu);

#endif
