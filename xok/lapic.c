/*
 * lapic: local APIC registers through the direct map.
 */
#include "lapic.h"

#include "cpu.h"
#include "kmemlayout.h"
#include "x86.h"

#define LAPIC_ID      0x020
#define LAPIC_EOI     0x0b0
#define LAPIC_SVR     0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0
#define SVR_ENABLE 0x100
#define LVT_MASKED 0x10000
#define DIV_BY_16 0x3

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61 /* bit 0: channel 2 gate; bit 5: channel 2 output */
#define CALIBRATE_MS 10

uint64_t tsc_hz;
static volatile uint32_t *lapic;
static uint64_t apic_hz; /* timer counts per second (after the divider) */

static uint32_t rd(uint32_t reg)
{
	return lapic[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4]; /* wait for the write to land */
}

void lapic_init(void)
{
	lapic = kaddr(rdmsr(MSR_APIC_BASE) & ~0xfffull);
	wr(LAPIC_SVR, SVR_ENABLE | T_SPURIOUS);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
}

uint32_t lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

/* Counts APIC timer ticks and TSC ticks over CALIBRATE_MS of PIT time
 * (channel 2 in one-shot mode, polled through its output bit). */
void lapic_timer_calibrate(void)
{
	uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint8_t gate = inb(PIT_GATE) & ~0x03; /* speaker off, gate low */
	uint64_t tsc0;

	outb(PIT_GATE, gate);
	outb(PIT_CMD, 0xb0); /* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	wr(LAPIC_TIMER_DIV, DIV_BY_16);
	wr(LAPIC_TIMER_INIT, 0xffffffff);
	tsc0 = rdtsc();
	outb(PIT_GATE, gate | 1); /* gate high: the count starts */
	while (!(inb(PIT_GATE) & 0x20))
		;
	uint32_t elapsed = 0xffffffff - rd(LAPIC_TIMER_CUR);
	tsc_hz = (rdtsc() - tsc0) * (1000 / CALIBRATE_MS);
	wr(LAPIC_TIMER_INIT, 0);
	outb(PIT_GATE, gate);
	apic_hz = (uint64_t)elapsed * (1000 / CALIBRATE_MS);
	wr(LAPIC_LVT_TIMER, T_TIMER); /* one-shot, unmasked */
}

void lapic_timer_arm(uint64_t ns)
{
	uint64_t count = ns * apic_hz / 1000000000ull;

	if (count == 0)
		count = 1;
	if (count > 0xffffffff)
		count = 0xffffffff;
	wr(LAPIC_TIMER_INIT, (uint32_t)count);
}
