/*
 * lapic: this CPU's local APIC: its one-shot timer (slice ends) and
 * end-of-interrupt. The timer and the TSC are calibrated once against
 * the PIT, so no rate is assumed from the emulator.
 */
#ifndef KERN_LAPIC_H
#define KERN_LAPIC_H

#include <stdint.h>

void lapic_init(void);
/* Measures the timer's and the TSC's rates against the PIT. */
void lapic_timer_calibrate(void);
/* Interrupts this CPU once, on vector T_TIMER, `ns` from now (replacing
 * any earlier request). */
void lapic_timer_arm(uint64_t ns);
void lapic_eoi(void);
uint32_t lapic_id(void);

/* TSC ticks per second, measured at boot. */
extern uint64_t tsc_hz;

#endif
