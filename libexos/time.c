/*
 * time: the clocks programs read, from Xok's clock page without a system
 * call. Xok counts from boot and has no battery clock: ExOS's wall clock
 * starts at EXOS_EPOCH_NS (set at build time to the build's date), so
 * file times and `date` are plausible and increase; see README.
 */
#include <xok/sched.h>

#include "exos.h"

#ifndef EXOS_EPOCH_NS
#define EXOS_EPOCH_NS 0
#endif

int64_t exos_now_ns(void)
{
	return (int64_t)(EXOS_EPOCH_NS + xok_clock_ns());
}
