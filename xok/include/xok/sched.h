/*
 * Time as user code sees it: the slice vectors (read-only at XOK_USLICES),
 * the clock page (XOK_UCLOCK), directed-yield results.
 *
 * Each CPU has a vector of XOK_NSLICES slices that the kernel's timer steps
 * through round-robin; each slice names the environment that runs in it.
 * A slice is allocated under a capability and carries its name as guard.
 */
#ifndef XOK_SCHED_H
#define XOK_SCHED_H

#include <stdint.h>
#include <xok/cap.h>
#include <xok/memlayout.h>

#define XOK_MAXCPU 8
#define XOK_NSLICES 64
#define XOK_SLICE_ANY (~0ull)

struct xok_slice {
	uint64_t owner; /* env id; 0 = free */
	struct xok_guard guard;
	uint32_t pad;
};

struct xok_cpu_slices {
	uint32_t pos;      /* the slice running now */
	uint32_t nslices;
	uint64_t running;  /* env id running now, 0 if idle */
	uint64_t start_ns; /* when the slice at pos started (xok_clock_ns):
			    * it ends slice_ns later (plus the grace
			    * period of an epilogue upcall), so a donor
			    * can tell how long a loan the slice's end
			    * cut off ran */
	struct xok_slice slice[XOK_NSLICES];
};

struct xok_clock {
	uint64_t tsc_hz;     /* TSC ticks per second */
	uint64_t boot_tsc;   /* TSC at boot */
	uint64_t ns_mult;    /* ns = (tsc - boot_tsc) * ns_mult >> XOK_CLOCK_SHIFT */
	uint64_t slice_ns;   /* length of one slice */
	uint64_t slices;     /* slices started on CPU 0 */
	uint64_t npages;     /* entries of the physical page table */
	uint32_t ncpu;
	uint32_t cons_in;    /* characters typed and not yet taken (cgetc) */
	uint64_t status_changes; /* environments created, destroyed or whose
				  * status changed, and slices started
				  * (each ends the loans in the last one),
				  * counted; not the DONATING of a
				  * directed yield and its end, which the
				  * lender learns from its yield. A
				  * scheduler that saw no change of this
				  * count need not read its clients'
				  * status again */
};
#define XOK_CLOCK_SHIFT 32

/* The TSC now. */
static inline uint64_t xok_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Nanoseconds in `ticks` of the TSC. */
static inline uint64_t xok_ticks_ns(uint64_t ticks)
{
	const volatile struct xok_clock *c =
		(const volatile struct xok_clock *)XOK_UCLOCK;

	return (uint64_t)(((unsigned __int128)ticks * c->ns_mult) >>
			  XOK_CLOCK_SHIFT);
}

/* Nanoseconds since boot at TSC value `tsc`. */
static inline uint64_t xok_tsc_ns(uint64_t tsc)
{
	const volatile struct xok_clock *c =
		(const volatile struct xok_clock *)XOK_UCLOCK;

	return xok_ticks_ns(tsc - c->boot_tsc);
}

/* Nanoseconds since boot, read from the clock page with no system call. */
static inline uint64_t xok_clock_ns(void)
{
	return xok_tsc_ns(xok_tsc());
}

/* Why a directed yield (xok_yield_to) came back to the donor. */
#define XOK_YIELD_BLOCKED   1 /* the target went to sleep or waits */
#define XOK_YIELD_RETURNED  2 /* the target yielded (back) */
#define XOK_YIELD_SLICE_END 3 /* the slice ran out */
#define XOK_YIELD_GONE      4 /* the target exited or was destroyed */
#define XOK_YIELD_SWITCHED  5 /* a call was made on it (XOK_LOAN_SWITCH) */
#define XOK_YIELD_CONFLICT  6 /* a call made on it found the server
			       * serving another (XOK_LOAN_CONFLICT) */

/* What else ends a loan (xok_yield_loan): the lender's sensitivity. */
#define XOK_LOAN_SWITCH   0x1 /* the environment running on it changes */
#define XOK_LOAN_CONFLICT 0x2 /* it would help another's call */
#define XOK_LOAN_FLAGS    0x3

#endif
