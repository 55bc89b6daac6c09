/*
 * native: the fast path of native programs. libexos.a defines the C
 * library's hottest calls itself; the linker takes these before musl's,
 * so a native read() is a function call into ExOS, with no kernel entry
 * and no reflection. Every other call of the C library still reaches
 * ExOS by reflection, as an unmodified binary's would.
 *
 * Only libexos.a has these (the image has no C library to stand in for).
 */
#include <xok/sched.h>

#include "exos.h"
#include "exos_native.h"
#include "sys.h"

int *__errno_location(void);
extern char _end[]; /* the linker's: where the program's image ends */

/* Runs handler `fn` in-process; then lets a pending signal in through a
 * real (reflected) call, where ExOS has the registers to deliver it. A
 * call the signals interrupted starts again unless a handler without
 * SA_RESTART ran, as a reflected call does (signal.c). */
static long call(int64_t (*fn)(const struct sysargs *), uint64_t a0,
		 uint64_t a1, uint64_t a2)
{
	struct sysargs a = { { a0, a1, a2 }, 0 };
	int64_t r;

	for (;;) {
		uint64_t interrupting = SELF->interrupting;
		int pending;

		SELF->in_exos = 1;
		r = fn(&a);
		/* Looked at as ExOS: looking may fire the alarm. */
		pending = exos_signal_pending();
		SELF->in_exos = 0;
		if (pending) {
			long ignored;

			__asm__ volatile("syscall" : "=a"(ignored)
					 : "a"((long)L_SYS_getpid)
					 : "rcx", "r11", "memory");
		}
		if (r != -L_EINTR || SELF->interrupting != interrupting)
			break;
	}
	if (r < 0 && r > -4096) {
		*__errno_location() = (int)-r;
		return -1;
	}
	return (long)r;
}

long read(int fd, void *buf, unsigned long n)
{
	return call(sys_read, (uint64_t)fd, (uint64_t)buf, n);
}

long write(int fd, const void *buf, unsigned long n)
{
	return call(sys_write, (uint64_t)fd, (uint64_t)buf, n);
}

int getpid(void)
{
	return SELF->pid;
}

struct timespec;

int clock_gettime(int clk, struct timespec *ts)
{
	return (int)call(sys_clock_gettime, (uint64_t)clk, (uint64_t)ts, 0);
}

/*
 * The first thing a native program runs (entry.S). A program the kernel
 * started finds no ExOS state: it becomes process 1 and sets up what
 * every later process inherits. After exec, the state is there.
 */
uint64_t exos_native_init(const char *kernel_arg, uint64_t rsp)
{
	if (exos_pte(EXOS_SELF)) {
		if (SELF->magic != EXOS_SELF_MAGIC ||
		    SHARED->magic != EXOS_SHARED_MAGIC)
			exos_panic("this program was built for another ExOS "
				   "than the one that runs it");
		/* After exec: the image that loaded us is no longer needed.
		 * (ExOS runs: a signal's call must not take signals here.) */
		SELF->in_exos = 1;
		exos_init_upcalls();
		exos_unmap_range(XOK_EXOS_IMAGE, XOK_EXOS_IMAGE + (1ull << 30));
		SELF->in_exos = 0;
		return rsp;
	}
	exos_map_stacks();
	exos_init_upcalls();
	if (exos_proc_first((uint64_t)_end) < 0)
		exos_panic("cannot set up process 1");
	return exos_first_stack(kernel_arg, rsp);
}

void exos_console_wait(void)
{
	const volatile struct xok_clock *clock = (const void *)XOK_UCLOCK;
	struct exos_watch w = { &clock->cons_in, 0, 1 };

	exos_lock();
	exos_wait_any(&w, 1, EXOS_VANISHED_CHECK_NS);
	exos_proc_bury_vanished();
	exos_unlock();
	exos_tty_serve();
}
