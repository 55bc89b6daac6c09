/*
 * lock: the one lock over ExOS's shared state, and sleeping until shared
 * state changes.
 *
 * The lock word holds the holder's environment id. Xok preempts at slice
 * ends, so a holder may be descheduled inside; a process that finds the
 * lock taken donates its slice to the holder (directed yield), which
 * finishes sooner for it. A holder that died (its slot is free or reused)
 * leaves the lock to the next taker.
 */
#include <xok/error.h>
#include <xok/sched.h>
#include <xok/syscall.h>
#include <xok/wk.h>

#include "exos.h"

static int holder_alive(uint64_t id)
{
	return ENVS[xok_env_slot(id)].id == id;
}

void exos_lock(void)
{
	uint64_t me = xok_getenvid();

	for (;;) {
		uint64_t h = 0;

		if (__atomic_compare_exchange_n(&SHARED->lock, &h, me, 0,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		if (h == me)
			exos_panic("lock taken twice");
		if (!holder_alive(h)) {
			__atomic_compare_exchange_n(&SHARED->lock, &h, 0, 0,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
			continue;
		}
		if (xok_yield_to(h) < 0)
			xok_yield();
	}
}

void exos_unlock(void)
{
	exos_fs_trim();
	__atomic_store_n(&SHARED->lock, 0, __ATOMIC_RELEASE);
	if (SELF->ncalls)
		exos_signal_calls(); /* the signals sent meanwhile */
}

/* Sleeps until a watched word or the caller's event count changes (or
 * `ns` pass, or with `alarm` the process's alarm is due), the lock
 * released meanwhile. */
static void sleep_on(const struct exos_watch *w, unsigned nw, uint64_t ns,
		     int alarm)
{
	struct exos_proc *me = exos_proc_self();
	uint64_t events = me->events, due = ns ? xok_clock_ns() + ns : 0;
	struct xok_wk_insn p[4 * 3 + 6];
	unsigned n = 0;
	uint8_t term = 0;

	if (nw > 3)
		exos_panic("exos_wait_any: too many words");
	for (unsigned i = 0; i <= nw; i++) {
		const volatile void *addr = i < nw ? w[i].addr : &me->events;
		uint64_t seen = i < nw ? w[i].seen : events;
		int is32 = i < nw && w[i].is32;

		p[n++] = (struct xok_wk_insn){
			.op = is32 ? XOK_WK_LOAD32 : XOK_WK_LOAD64, .dst = 0,
			.imm = (uint64_t)addr };
		p[n++] = (struct xok_wk_insn){ .op = XOK_WK_CONST, .dst = 1,
					       .imm = seen };
		p[n++] = (struct xok_wk_insn){ .op = XOK_WK_WAKE_NE, .a = 0,
					       .b = 1, .term = term++ };
	}
	if (alarm && SELF->alarm_ns) {
		uint64_t alarm_at = SELF->alarm_ns -
			(uint64_t)(exos_now_ns() - (int64_t)xok_clock_ns());

		if (!due || alarm_at < due)
			due = alarm_at;
	}
	if (due) {
		p[n++] = (struct xok_wk_insn){ .op = XOK_WK_CLOCK, .dst = 2 };
		p[n++] = (struct xok_wk_insn){ .op = XOK_WK_CONST, .dst = 3,
					       .imm = due };
		p[n++] = (struct xok_wk_insn){ .op = XOK_WK_WAKE_GEU, .a = 2,
					       .b = 3, .term = term };
	}
	p[n++] = (struct xok_wk_insn){ .op = XOK_WK_END };
	exos_unlock();
	xok_wk_sleep(p, n);
	exos_lock();
}

int exos_wait_any(const struct exos_watch *w, unsigned nw, uint64_t ns)
{
	if (exos_signal_pending())
		return -L_EINTR;
	sleep_on(w, nw, ns, 1);
	return exos_signal_pending() ? -L_EINTR : 0;
}

void exos_wait_events(void)
{
	sleep_on(0, 0, 0, 0);
}

int exos_wait_change(const volatile uint64_t *word, uint64_t seen,
		     uint64_t ns)
{
	struct exos_watch w = { word, seen, 0 };

	return exos_wait_any(&w, 1, ns);
}
