/*
 * time: the clocks programs read, from Xok's clock page without a system
 * call. Xok counts from boot and has no battery clock: ExOS's wall clock
 * starts at EXOS_EPOCH_NS (set at build time to the build's date), so
 * file times and `date` are plausible and increase; see README. Setting
 * the time (`date -s`) moves every process's wall clock until the next
 * boot (an offset in the shared pages).
 */
#include <xok/sched.h>

#include "exos.h"

#ifndef EXOS_EPOCH_NS
#define EXOS_EPOCH_NS 0
#endif

int64_t exos_now_ns(void)
{
	return (int64_t)(EXOS_EPOCH_NS + xok_clock_ns()) +
	       SHARED->clock_offset_ns;
}

void exos_set_now_ns(int64_t ns)
{
	SHARED->clock_offset_ns = ns - (int64_t)(EXOS_EPOCH_NS +
						 xok_clock_ns());
}
