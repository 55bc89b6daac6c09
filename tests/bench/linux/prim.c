/*
 * prim: Linux's figures for `make bench`, the Linux column of its table.
 * Runs as the initramfs's program under Debian's kernel and prints, for
 * each figure, exactly one line
 *   BENCH <name> <unit> <median> <min> <max> <batches>
 * the format bin/xokbench prints on Xok, which tests/bench/benchtab reads.
 * The primitives, TSC cycles per operation:
 *   null_call        getpid through syscall(2), never cached
 *   fault_roundtrip  ud2, SIGILL to a handler that moves the saved RIP
 *                    past it, sigreturn
 *   ipc_roundtrip    one byte to a child and back through two pipes
 *   yield_roundtrip  two processes taking turns on a shared counter,
 *                    sched_yield while waiting
 * Processes and pipes, TSC cycles per operation (the first two) or per
 * whole run:
 *   fork_exit_wait   fork, the child _exit(0)s, waitpid
 *   fork_exec_wait   fork, the child execve()s /bin/true, waitpid
 *   shell_loop_2000  /bin/sh -c counting to 2,000 in a while loop
 *   pipe_64mib       64 MiB from a child through a pipe, 64 KiB writes
 * Files, in the current directory (an ext2 disk), milliseconds of the
 * monotonic clock per whole run, 5 runs:
 *   files_1000_small 1,000 files of 1 KiB made, synced, read back cold,
 *                    removed, synced
 *   file_64mib       64 MiB written to a file, fsync, read back cold
 * tests/bench/README.md defines each exactly. Each batch runs N operations
 * (one, for a whole run); its figure is the time / N. Usage:
 *   prim [quick|full] [icount|wall] [procs|files]
 * "quick" runs fewer batches, and shorter ones where a batch has many
 * operations (the test suite's smoke run);
 * "icount" or "wall" says how QEMU runs, echoed as "BENCH-MODE ..." for
 * benchtab; "procs" (the default) runs the primitives and the process
 * and pipe rows, "files" the file rows.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_BATCHES 15
#define RUN_BATCHES 5		/* of the disk's figures: seconds each */

#define FILE_BYTES (64ul << 20)
#define CHUNK (64ul << 10)	/* file_64mib's I/O size */
#define SMALL_FILES 1000
#define SMALL_BYTES 1024

/* Batches per figure (per wall-clock figure), and a divisor of every
 * batch's length. */
static int batches = MAX_BATCHES;
static int run_batches = RUN_BATCHES;
static unsigned long shrink = 1;

/* How a whole-run figure is timed: instructions, or the disk's real time. */
enum unit { CYCLES, MS };

/* The file rows' buffer; touched before any fork, so a child takes no
 * fault on it the parent did not. */
static char chunk[CHUNK];

/* The time stamp counter. Under QEMU's TCG instructions run in order, and
 * with -icount it counts virtual nanoseconds, i.e. instructions. */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* The monotonic clock in nanoseconds: the wall-clock figures' time, as
 * the guest's TSC has no known rate without -icount. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

/* Prints a figure's BENCH line from its batches' values (sorts them). */
static void report(const char *name, const char *unit, uint64_t *v, int n)
{
	sort(v, n);
	printf("BENCH %s %s %llu %llu %llu %d\n", name, unit,
	       (unsigned long long)v[n / 2], (unsigned long long)v[0],
	       (unsigned long long)v[n - 1], n);
	fflush(stdout); /* before any fork, and seen even if we die later */
}

/* Times `batch` (which runs n operations) over the batches, after one
 * untimed warm-up batch, and prints the figure's BENCH line. */
static void measure(const char *name, void (*batch)(unsigned long),
		    unsigned long n)
{
	uint64_t per_op[MAX_BATCHES];

	n = n / shrink ? n / shrink : 1;
	batch(n); /* warm: first-touch page faults, caches, the TLB */
	for (int b = 0; b < batches; b++) {
		uint64_t t0 = tsc();

		batch(n);
		per_op[b] = (tsc() - t0) / n;
	}
	report(name, "cycles", per_op, batches);
}

/* Times `run` whole, after one untimed warm-up run, in cycles (as many
 * runs as batches) or milliseconds (run_batches runs); `tidy` (if any)
 * follows each run, untimed, to give the next one the same start.
 * Prints the BENCH line. */
static void measure_runs(const char *name, enum unit unit, void (*run)(void),
			 void (*tidy)(void))
{
	int n = unit == CYCLES ? batches : run_batches;
	uint64_t v[MAX_BATCHES];

	for (int b = -1; b < n; b++) {
		uint64_t t0 = unit == CYCLES ? tsc() : now_ns();

		run();
		if (b >= 0)
			v[b] = unit == CYCLES ? tsc() - t0 :
				(now_ns() - t0 + 500000) / 1000000;
		if (tidy)
			tidy();
	}
	report(name, unit == CYCLES ? "cycles" : "ms", v, n);
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

/* Waits for a child and stops the program unless it exited 0: a figure
 * whose work failed must not be printed. */
static void reap(pid_t child, const char *what)
{
	int status;

	if (child < 0)
		die("prim: fork");
	if (waitpid(child, &status, 0) != child)
		die("prim: waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "prim: %s: child status %#x\n", what, status);
		exit(1);
	}
}

/* fork_exit_wait: a process made and reaped, running nothing. */
static void fork_exits(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		pid_t child = fork();

		if (child == 0)
			_exit(0);
		reap(child, "fork_exit_wait");
	}
}

/* Replaces the child with a program; exits 127 if it cannot, which
 * reap() reports. */
static void exec_child(char *const argv[])
{
	static char *const envp[] = { "PATH=/bin", NULL };

	execve(argv[0], argv, envp);
	_exit(127);
}

/* fork_exec_wait: a static program that returns at once, run and reaped. */
static void fork_execs(unsigned long n)
{
	static char *const argv[] = { "/bin/true", NULL };

	for (unsigned long i = 0; i < n; i++) {
		pid_t child = fork();

		if (child == 0)
			exec_child(argv);
		reap(child, "fork_exec_wait");
	}
}

/* shell_loop_2000: the shell's own work, a loop of builtins and
 * arithmetic; the last test makes its exit status say the loop ran. */
static void shell_loop(void)
{
	static char *const argv[] = {
		"/bin/sh", "-c",
		"i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; [ $i -eq 2000 ]",
		NULL
	};
	pid_t child = fork();

	if (child == 0)
		exec_child(argv);
	reap(child, "shell_loop_2000");
}

/* pipe_64mib: 64 MiB through a pipe between two of busybox's dd, from
 * /dev/zero in 64 KiB blocks to /dev/null; the shell's exit status (with
 * pipefail) says both copied everything. Timed from fork to reaping. */
static void pipe_bulk(void)
{
	static char *const argv[] = {
		"/bin/sh", "-c",
		"set -o pipefail; "
		"/bin/busybox dd if=/dev/zero bs=65536 count=1024 2>/dev/null | "
		"/bin/busybox dd of=/dev/null bs=65536 2>/dev/null",
		NULL
	};
	pid_t child = fork();

	if (child == 0)
		exec_child(argv);
	reap(child, "pipe_64mib");
}

/* Writes everything dirty to the disk and empties the page, dentry and
 * inode caches, so that what is read next comes from the disk. */
static void drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0 || write(fd, "3", 1) != 1)
		die("prim: /proc/sys/vm/drop_caches");
	close(fd);
}

/* Writes exactly n bytes from buf, or stops the program. */
static void write_all(int fd, const char *buf, size_t n, const char *what)
{
	if (write(fd, buf, n) != (ssize_t)n)
		die(what);
}

/* files_1000_small: 1,000 files of 1 KiB in a new directory, made, on the
 * disk, read back from it, removed, and the removal on the disk too. */
static void small_files(void)
{
	char name[32], in[2 * SMALL_BYTES];
	int fd;

	if (mkdir("small", 0755) < 0)
		die("prim: mkdir small");
	for (int i = 0; i < SMALL_FILES; i++) {
		snprintf(name, sizeof(name), "small/f%04d", i);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			die("prim: files_1000_small create");
		write_all(fd, chunk, SMALL_BYTES, "prim: files_1000_small write");
		close(fd);
	}
	drop_caches();
	for (int i = 0; i < SMALL_FILES; i++) {
		snprintf(name, sizeof(name), "small/f%04d", i);
		fd = open(name, O_RDONLY);
		/* Twice the size asked: a longer file would show. */
		if (fd < 0 || read(fd, in, sizeof(in)) != SMALL_BYTES)
			die("prim: files_1000_small read");
		close(fd);
	}
	for (int i = 0; i < SMALL_FILES; i++) {
		snprintf(name, sizeof(name), "small/f%04d", i);
		if (unlink(name) < 0)
			die("prim: files_1000_small unlink");
	}
	if (rmdir("small") < 0)
		die("prim: rmdir small");
	sync();
}

/* file_64mib: 64 MiB written in 64 KiB writes and fsync'd, the caches
 * dropped, and read back in 64 KiB reads. */
static void big_file(void)
{
	static char in[CHUNK];
	unsigned long got = 0;
	ssize_t r;
	int fd;

	fd = open("big", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		die("prim: file_64mib create");
	for (unsigned long n = 0; n < FILE_BYTES; n += CHUNK)
		write_all(fd, chunk, CHUNK, "prim: file_64mib write");
	if (fsync(fd) < 0)
		die("prim: file_64mib fsync");
	close(fd);
	drop_caches();
	fd = open("big", O_RDONLY);
	if (fd < 0)
		die("prim: file_64mib open");
	while ((r = read(fd, in, sizeof(in))) > 0)
		got += (unsigned long)r;
	close(fd);
	if (got != FILE_BYTES) {
		fprintf(stderr, "prim: file_64mib: read %lu bytes\n", got);
		exit(1);
	}
}

/* Removes file_64mib's file, on the disk too, for the next run. */
static void big_file_tidy(void)
{
	if (unlink("big") < 0)
		die("prim: file_64mib unlink");
	sync();
}

/* The primitives, processes and pipes: everything measured in cycles. */
static void run_procs(void)
{
	struct sigaction sa;

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

	measure("fork_exit_wait", fork_exits, 40);
	measure("fork_exec_wait", fork_execs, 34); /* 510 timed */
	measure_runs("shell_loop_2000", CYCLES, shell_loop, NULL);
	measure_runs("pipe_64mib", CYCLES, pipe_bulk, NULL);
}

/* The file rows, in the current directory: milliseconds of real time. */
static void run_files(void)
{
	measure_runs("files_1000_small", MS, small_files, NULL);
	measure_runs("file_64mib", MS, big_file, big_file_tidy);
}

int main(int argc, char **argv)
{
	int files = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "quick")) {
			batches = 3;
			run_batches = 1;
			shrink = 20;
		} else if (!strcmp(argv[i], "icount") ||
			   !strcmp(argv[i], "wall")) {
			printf("BENCH-MODE %s\n", argv[i]);
		} else if (!strcmp(argv[i], "files")) {
			files = 1;
		} else if (strcmp(argv[i], "full") && strcmp(argv[i], "procs")) {
			fprintf(stderr, "usage: prim [quick|full] [icount|wall] [procs|files]\n");
			return 2;
		}
	}
	fflush(stdout); /* nothing buffered may be duplicated by fork */
	memset(chunk, 'x', sizeof(chunk));

	if (files)
		run_files();
	else
		run_procs();
	return 0;
}
