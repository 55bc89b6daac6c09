/*
 * lapic: this CPU's local APIC: its periodic timer (the scheduling tick)
 * and end-of-interrupt. The timer and the TSC are calibrated once against
 * the PIT, so no rate is assumed from the emulator.
 */
#ifndef XOK_LAPIC_H
#define XOK_LAPIC_H

#include <stdint.h>

#define TIMER_HZ 100

void lapic_init(void);
/* Starts the periodic timer at TIMER_HZ on vector T_TIMER. */
void lapic_timer_start(void);
void lapic_eoi(void);
uint32_t lapic_id(void);

/* TSC ticks per second, measured at boot. */
extern uint64_t tsc_hz;

#endif
