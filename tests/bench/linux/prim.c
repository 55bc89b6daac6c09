/*
 * prim: the cost of Linux's primitives in TSC cycles, the Linux column of
 * `make bench`. Runs as the initramfs's program under Debian's kernel and
 * prints, for each figure, exactly one line
 *   BENCH <name> cycles <median> <min> <max> <batches>
 * the format bin/xokbench prints on Xok, which tests/bench/benchtab reads:
 *   null_call        getpid through syscall(2), never cached
 *   fault_roundtrip  ud2, SIGILL to a handler that moves the saved RIP
 *                    past it, sigreturn
 *   ipc_roundtrip    one byte to a child and back through two pipes
 *   yield_roundtrip  two processes taking turns on a shared counter,
 *                    sched_yield while waiting
 * Each batch runs N operations; its figure is cycles / N. Usage:
 *   prim [quick|full] [icount|wall]
 * "quick" runs few short batches (the test suite's smoke run); "icount"
 * says QEMU runs with -icount, and is echoed as "BENCH-MODE icount".
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_BATCHES 15

/* Batches per figure, and a divisor of every batch's length. */
static int batches = MAX_BATCHES;
static unsigned long shrink = 1;

/* The time stamp counter. Under QEMU's TCG instructions run in order, and
 * with -icount it counts virtual nanoseconds, i.e. instructions. */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Stops the program with a message: a figure that cannot be measured is
 * not printed at all, so the table shows it as missing. */
static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Sorts a few values in place (insertion sort: at most 15 of them). */
static void sort(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* Times `batch` (which runs n operations) over the batches, after one
 * untimed warm-up batch, and prints the figure's BENCH line. */
static void measure(const char *name, void (*batch)(unsigned long),
		    unsigned long n)
{
	uint64_t per_op[MAX_BATCHES];

	n /= shrink;
	batch(n); /* warm: first-touch page faults, caches, the TLB */
	for (int b = 0; b < batches; b++) {
		uint64_t t0 = tsc();

		batch(n);
		per_op[b] = (tsc() - t0) / n;
	}
	sort(per_op, batches);
	printf("BENCH %s cycles %llu %llu %llu %d\n", name,
	       (unsigned long long)per_op[batches / 2],
	       (unsigned long long)per_op[0],
	       (unsigned long long)per_op[batches - 1], batches);
	fflush(stdout);
}

/* null_call: the cheapest real system call; syscall() bypasses any
 * caching of getpid a C library might do. */
static void null_calls(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		syscall(SYS_getpid);
}

/* The SIGILL handler: resume after the 2-byte ud2 that raised it. */
static void skip_ud2(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig, (void)si;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
}

/* fault_roundtrip: an invalid opcode, delivered and resumed. */
static void faults(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		__asm__ volatile("ud2" : : : "memory");
}

/* The pipes of ipc_roundtrip: to the child, and back. */
static int to_child[2], to_parent[2];

/* ipc_roundtrip: one byte there and back. */
static void pipe_trips(unsigned long n)
{
	char c = 'x';

	for (unsigned long i = 0; i < n; i++)
		if (write(to_child[1], &c, 1) != 1 ||
		    read(to_parent[0], &c, 1) != 1)
			die("prim: ipc_roundtrip");
}

/* Runs ipc_roundtrip with a child that echoes each byte until EOF. */
static void measure_ipc(unsigned long n)
{
	pid_t child;
	char c;

	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		die("prim: pipe");
	child = fork();
	if (child < 0)
		die("prim: fork");
	if (child == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	measure("ipc_roundtrip", pipe_trips, n);
	close(to_child[1]); /* EOF ends the child */
	close(to_parent[0]);
	waitpid(child, NULL, 0);
}

/* The page both sides of yield_roundtrip share: the counter is even when
 * it is the parent's turn, odd when it is the child's. */
struct turns {
	uint64_t counter;
	uint64_t stop;
};
static struct turns *turns;

/* yield_roundtrip: hand the turn over, yield until it comes back. */
static void yield_trips(unsigned long n)
{
	uint64_t v = __atomic_load_n(&turns->counter, __ATOMIC_ACQUIRE);

	for (unsigned long i = 0; i < n; i++) {
		__atomic_store_n(&turns->counter, v + 1, __ATOMIC_RELEASE);
		v += 2;
		while (__atomic_load_n(&turns->counter, __ATOMIC_ACQUIRE) != v)
			sched_yield();
	}
}

/* Runs yield_roundtrip with a child that takes its turns until stopped. */
static void measure_yield(unsigned long n)
{
	pid_t child;

	turns = mmap(NULL, sizeof(*turns), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (turns == MAP_FAILED)
		die("prim: mmap");
	child = fork();
	if (child < 0)
		die("prim: fork");
	if (child == 0) {
		uint64_t want = 1;

		for (;;) {
			while (__atomic_load_n(&turns->counter,
					       __ATOMIC_ACQUIRE) != want) {
				if (__atomic_load_n(&turns->stop,
						    __ATOMIC_ACQUIRE))
					_exit(0);
				sched_yield();
			}
			__atomic_store_n(&turns->counter, want + 1,
					 __ATOMIC_RELEASE);
			want += 2;
		}
	}
	measure("yield_roundtrip", yield_trips, n);
	__atomic_store_n(&turns->stop, 1, __ATOMIC_RELEASE);
	waitpid(child, NULL, 0);
	munmap(turns, sizeof(*turns));
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "quick")) {
			batches = 3;
			shrink = 20;
		} else if (!strcmp(argv[i], "icount")) {
			printf("BENCH-MODE icount\n");
		} else if (strcmp(argv[i], "full") && strcmp(argv[i], "wall")) {
			fprintf(stderr, "usage: prim [quick|full] [icount|wall]\n");
			return 2;
		}
	}
	fflush(stdout); /* nothing buffered may be duplicated by fork */

	measure("null_call", null_calls, 2000);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = skip_ud2;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGILL, &sa, NULL) < 0)
		die("prim: sigaction");
	measure("fault_roundtrip", faults, 1000);

	measure_ipc(400);
	measure_yield(400);
	return 0;
}
