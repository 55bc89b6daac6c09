/*
 * ioapic: the I/O APIC at its architectural default address. (QEMU's pc and
 * q35 machines put it there; reading the ACPI MADT would find it on any
 * board, and is left for when Xok runs on one that differs.)
 */
#include "ioapic.h"

#include "cpu.h"
#include "kmemlayout.h"
#include "x86.h"

#define IOAPIC_PA 0xfec00000ull
#define IOREGSEL 0
#define IOWIN 4 /* in 32-bit words */
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL 0x10
#define RED_MASKED 0x10000

static volatile uint32_t *ioapic;

static void wr(uint32_t reg, uint32_t v)
{
	ioapic[IOREGSEL] = reg;
	ioapic[IOWIN] = v;
}

static uint32_t rd(uint32_t reg)
{
	ioapic[IOREGSEL] = reg;
	return ioapic[IOWIN];
}

void pic_disable(void)
{
	/* Remap the 8259s away from the exception vectors, then mask them,
	 * so a stray legacy interrupt cannot pose as a CPU exception. This
	 * runs first at boot: the firmware leaves the PIT ticking into the
	 * 8259, whose output reaches the CPU through the local APIC's LINT0
	 * (virtual wire). Masked now, while LINT0 still listens, a request
	 * raised during boot is withdrawn; masked after LINT0, it stays
	 * pending with no vector, and QEMU delivers it at the first sti as
	 * a #GP (error code -14). */
	outb(0x20, 0x11); outb(0xa0, 0x11);   /* ICW1: init, expect ICW4 */
	outb(0x21, T_IRQ0); outb(0xa1, T_IRQ0 + 8);
	outb(0x21, 0x04); outb(0xa1, 0x02);   /* cascade on IRQ2 */
	outb(0x21, 0x01); outb(0xa1, 0x01);   /* 8086 mode */
	outb(0x21, 0xff); outb(0xa1, 0xff);
}

void ioapic_init(void)
{
	ioapic = kaddr(IOAPIC_PA);
	int pins = ((rd(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (int i = 0; i < pins; i++) {
		wr(IOAPIC_REDTBL + 2 * i, RED_MASKED | (T_IRQ0 + i));
		wr(IOAPIC_REDTBL + 2 * i + 1, 0);
	}
}

void ioapic_enable(int irq, uint32_t cpu)
{
	/* ISA interrupts are edge-triggered, active high: the defaults. */
	wr(IOAPIC_REDTBL + 2 * irq, T_IRQ0 + irq);
	wr(IOAPIC_REDTBL + 2 * irq + 1, cpu << 24);
}
