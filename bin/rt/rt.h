/*
 * rt: the minimal runtime of native test programs that run on Xok without
 * a libOS: console printing and exit. ExOS provides the real one.
 */
#ifndef BIN_RT_H
#define BIN_RT_H

#include <stdint.h>
#include <xok/env.h>
#include <xok/error.h>
#include <xok/memlayout.h>
#include <xok/page.h>
#include <xok/sched.h>
#include <xok/syscall.h>

#include "../../lib/string.h"

/* The program's entry: `arg` is the text after "NAME:" in init=. */
int main(const char *arg);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_exit(int64_t status) __attribute__((noreturn));

/* Exception stack of every rt program (and of its rt_spawn children). */
#define RT_XSTACK_TOP (XOK_USTACK_TOP - 0x40000000ull)
/* Stack of an rt_spawn child. */
#define RT_CHILD_STACK_PAGES 4

/* This environment (from the exported table) and its u-area. */
#define RT_SELF (&((const volatile struct xok_env *)XOK_UENVS)[ \
	xok_env_slot(xok_getenvid())])
#define RT_UAREA ((struct xok_uarea *)XOK_UAREA)

/* An upcall handler: the frame to resume from (it may change it), and for
 * IPC the caller's id and four arguments. */
typedef void (*rt_upcall_fn)(struct xok_upcall_frame *f, uint64_t a0,
			     uint64_t a1, uint64_t a2, uint64_t a3,
			     uint64_t a4);
/* Volatile: upcalls read it at any moment, so a store to it must not be
 * moved past the code that may fault. */
extern rt_upcall_fn volatile rt_upcall_handlers[XOK_NUPCALLS];

/* Makes the handlers in rt_upcall_handlers this environment's upcall
 * entries (a null handler leaves the kernel's default), allocating the
 * exception stack on first use. Returns 0 or a Xok error. */
int rt_upcalls_install(void);

/* The page-table entry mapping `va` in this environment (through
 * XOK_UVPT), or 0 if none. */
uint64_t rt_pte(uint64_t va);
/* The same in environment `env`, through XOK_UVIEW (xok_pt_view). */
uint64_t rt_pte_of(uint64_t env, uint64_t va);

/*
 * Creates a child environment (guarded by capability slot 0) that shares
 * this program's image (code read-only, data writable: globals are
 * shared), with its own stack and exception stack and the same upcall
 * entries, runnable, to run fn(arg) and exit. It has no slices: give it
 * some, or donate. Returns its id or a Xok error.
 */
int64_t rt_spawn(void (*fn)(uint64_t), uint64_t arg);

/* Free physical pages, counted in the exported page table. */
long rt_free_pages(void);

/* A region tests may map pages in; its page tables are made before the
 * first test, so a test that unmaps what it mapped leaves the free-page
 * count as it found it. */
#define RT_SCRATCH 0x0000100000000000ull

/* Reads or writes a byte at `addr`, reporting a fault instead of dying:
 * returns 0, or the trap number (XOK_T_PGFLT...) of the fault. */
int rt_probe_read(uint64_t addr);
int rt_probe_write(uint64_t addr);

/* Directed yield to `id` that keeps donating when the slice ends first,
 * so the result is why the target stopped (blocked, yielded, gone) and
 * never depends on where the timer happened to fire. */
int64_t rt_donate(uint64_t id);

/* Sleeps for good on a predicate that never fires: the main loop of an
 * environment that only serves upcalls (IPC). Never returns. */
void rt_sleep_forever(void) __attribute__((noreturn));

/* Robust critical sections: no epilogue upcall while inside; leaving
 * yields if the kernel deferred one. */
void rt_critical_enter(void);
void rt_critical_leave(void);

/* XN helpers (rt/xn.c). Is `block` in use in XN's exported free map? */
int rt_xn_in_use(uint64_t block);
/* The first block at or after `from` that XN may allocate now, or 0. */
uint64_t rt_xn_free_block(uint64_t from, uint64_t nblocks);
/* Sleeps until registry entry `idx` is neither reading nor writing;
 * returns its state (or `idx` if that is an error). */
int64_t rt_xn_settle(int64_t idx);
/* Writes registry entry `idx` back and waits: 0 or an error. */
int64_t rt_xn_write_wait(int64_t idx);

/* Mounts disk 0 (made by xn-mkfs), installs the two sample types
 * (xn/sample_types.h), creates root `name` (a dir) and binds it, mapped
 * read-only at `pin_va` so it stays cached. Returns its registry index,
 * or a negative number saying which step failed. */
int64_t rt_xn_sample_disk(const char *name, uint64_t pin_va);

/* The time-stamp counter (benchmarks; tests never judge it). */
static inline uint64_t rt_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Sorts `n` numbers in place (small n: benchmark batches). */
void rt_sort_u64(uint64_t *v, int n);

/* Whether rt_run_selftests checks each test for leaked pages (1 unless a
 * program keeps pages on purpose, like XN's buffer cache). */
extern int rt_check_leaks;

/* Runs this program's SELFTESTs named in `select` ("all" if empty), each
 * checked for leaked physical pages, and returns the process status: 0
 * if all passed. Installs the fault upcall rt_probe_* rely on. */
int rt_run_selftests(const char *select);

#endif
