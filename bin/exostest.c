/*
 * exostest: ExOS's corner cases, as a native program (musl + libexos)
 * that the kernel starts as process 1: copy-on-write after fork, zombies
 * and reparenting, a pipe larger than its buffer, SIGPIPE, EINTR, signal
 * handlers and masks, fd inheritance, a deep fork chain, interval
 * timers, alternate signal stacks, signals by protected control transfer
 * (and junk calls to the entry they use), and bad input (wild pointers,
 * unknown system calls). Exits 0 if every check held.
 *
 * "exostest:NAME" runs one test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xok/syscall.h>

static int failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			printf("exostest: %s:%d: check failed: %s\n", \
			       __func__, __LINE__, #cond); \
			failures++; \
			return; \
		} \
	} while (0)

/* Waits for `pid` and returns its raw status. */
static int reap(pid_t pid)
{
	int status = -1;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void test_cow_after_fork(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	char *heap = malloc(100000);
	pid_t pid;

	CHECK(heap);
	strcpy(page, "parent");
	strcpy(heap + 50000, "heap-parent");
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* Each side writes the same page and sees its own. */
		strcpy(page, "child");
		strcpy(heap + 50000, "heap-child");
		_exit(strcmp(page, "child") || strcmp(heap + 50000, "heap-child"));
	}
	strcpy(page, "parent2");
	CHECK(reap(pid) == 0);
	CHECK(!strcmp(page, "parent2"));
	CHECK(!strcmp(heap + 50000, "heap-parent"));
	free(heap);
}

static void test_exit_status(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(42);
	status = reap(pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	pid = fork();
	if (pid == 0) {
		volatile int *volatile wild = (int *)8;

		*wild = 1; /* SIGSEGV, by default fatal */
		_exit(0);
	}
	status = reap(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
}

/* The parent exits first; its child is reparented to us (process 1). */
static void test_reparenting(void)
{
	int pids[2], go[2], status;
	pid_t mid, grandchild = 0;

	CHECK(pipe(pids) == 0 && pipe(go) == 0);
	mid = fork();
	if (mid == 0) {
		pid_t g = fork();

		if (g == 0) {
			char c;

			close(go[1]);
			read(go[0], &c, 1); /* until its parent is gone */
			_exit(getppid() == 1 ? 7 : 8);
		}
		write(pids[1], &g, sizeof(g));
		_exit(0);
	}
	CHECK(reap(mid) == 0);
	CHECK(read(pids[0], &grandchild, sizeof(grandchild)) ==
	      sizeof(grandchild));
	write(go[1], "x", 1);
	status = reap(grandchild);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	close(pids[0]);
	close(pids[1]);
	close(go[0]);
	close(go[1]);
}

/* 1 MiB through a 16 KiB pipe, the reader in another process. */
static void test_big_pipe(void)
{
	enum { TOTAL = 1 << 20 };
	int fds[2];
	static unsigned char buf[8192];
	long sum = 0, expect = 0;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (int i = 0; i < TOTAL; i += (int)sizeof(buf)) {
			for (unsigned j = 0; j < sizeof(buf); j++)
				buf[j] = (unsigned char)(i + j);
			if (write(fds[1], buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	for (long got; (got = read(fds[0], buf, sizeof(buf))) > 0;) {
		for (long j = 0; j < got; j++)
			sum += buf[j];
	}
	for (long i = 0; i < TOTAL; i++)
		expect += (unsigned char)i;
	close(fds[0]);
	CHECK(reap(pid) == 0);
	CHECK(sum == expect);
}

static void test_sigpipe(void)
{
	int fds[2];
	pid_t pid;
	int status;

	CHECK(pipe(fds) == 0);
	close(fds[0]);
	pid = fork();
	if (pid == 0) {
		write(fds[1], "x", 1); /* no reader: SIGPIPE kills us */
		_exit(0);
	}
	status = reap(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
}

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
	got_signal = sig;
}

/* The state of process `pid` (the third field of /proc/PID/stat), or 0. */
static char proc_state(pid_t pid)
{
	char path[32], buf[128], *state;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	state = strrchr(buf, ')');
	return state && state[1] == ' ' ? state[2] : 0;
}

/* Waits until process `pid` sleeps in a blocking call, so a test does not
 * depend on timing. */
static void wait_until_sleeping(pid_t pid)
{
	while (proc_state(pid) != 'S')
		sched_yield();
}

/* A blocked read is interrupted by a signal: EINTR, and the handler ran. */
static void test_eintr(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int fds[2];
	char c;
	pid_t pid, parent = getpid();

	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(pipe(fds) == 0);
	got_signal = 0;
	pid = fork();
	if (pid == 0) {
		wait_until_sleeping(parent);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	CHECK(read(fds[0], &c, 1) == -1 && errno == EINTR);
	CHECK(got_signal == SIGUSR1);
	CHECK(reap(pid) == 0);
	close(fds[0]);
	close(fds[1]);
	signal(SIGUSR1, SIG_DFL);
}

/* A blocked signal waits; unblocking delivers it. */
static void test_sigmask(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set, old;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	got_signal = 0;
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	kill(getpid(), SIGUSR1);
	CHECK(got_signal == 0);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	CHECK(got_signal == SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
}

/* Descriptors are inherited and share their offset with the parent. */
static void test_fd_inheritance(void)
{
	int fd = open("/dev/null", O_WRONLY), dup_fd;
	pid_t pid;

	CHECK(fd >= 0);
	dup_fd = dup(fd);
	CHECK(dup_fd > fd);
	CHECK(fcntl(dup_fd, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(fcntl(dup_fd, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFD) == 0);
	pid = fork();
	if (pid == 0)
		_exit(write(fd, "abc", 3) == 3 && close(fd) == 0 ? 0 : 1);
	CHECK(reap(pid) == 0);
	CHECK(write(fd, "x", 1) == 1); /* the child's close was its own */
	CHECK(close(fd) == 0 && close(dup_fd) == 0);
	CHECK(close(fd) == -1 && errno == EBADF);
}

/* Each process forks the next, 12 deep; statuses add up on the way back. */
static int chain(int depth)
{
	pid_t pid;
	int status;

	if (depth == 0)
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(chain(depth - 1));
	if (pid < 0)
		return -100;
	status = reap(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) + 1 : -100;
}

static void test_fork_chain(void)
{
	CHECK(chain(12) == 13);
}

/* Bad input: a wild pointer is EFAULT, an unknown call ENOSYS, and the
 * process goes on. */
static void test_bad_input(void)
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	write(fds[1], "abc", 3);
	CHECK(read(fds[0], (void *)0x10, 3) == -1 && errno == EFAULT);
	CHECK(read(fds[0], (void *)0x7e0000000000, 3) == -1 && errno == EFAULT);
	CHECK(write(fds[1], (void *)-4096L, 3) == -1 && errno == EFAULT);
	CHECK(syscall(400) == -1 && errno == ENOSYS);
	CHECK(open((char *)0x20, O_RDONLY) == -1 && errno == EFAULT);
	CHECK(mmap((void *)0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED, -1, 0) == MAP_FAILED && errno == EPERM);
	CHECK(close(1000) == -1 && errno == EBADF);
	close(fds[0]);
	close(fds[1]);
}

/* Forking past ExOS's limits fails with EAGAIN and loses nothing: once
 * the children are gone, fork works again. */
static void test_fork_exhaustion(void)
{
	enum { MAX = 100 };
	pid_t kids[MAX];
	int n = 0, failed = 0;

	while (n < MAX) {
		pid_t pid = fork();

		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0) {
			failed = errno == EAGAIN;
			break;
		}
		kids[n++] = pid;
	}
	CHECK(failed && n > 8);
	for (int i = 0; i < n; i++) {
		int status;

		kill(kids[i], SIGTERM);
		CHECK(waitpid(kids[i], &status, 0) == kids[i] &&
		      WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	}
	pid_t again = fork();

	if (again == 0)
		_exit(5);
	CHECK(again > 0 && WEXITSTATUS(reap(again)) == 5);
}

/* A page shared with the children of the signal tests: a spinning child
 * counts in it, so its parent knows when it is in its loop. */
struct shared_page {
	volatile uint64_t spins;
	volatile uint64_t env;     /* the child's environment */
	volatile int handled;      /* its handler ran */
	volatile int release;      /* the hostile child may go */
};
static struct shared_page *page;

static int map_shared_page(void)
{
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -1;
	memset(page, 0, sizeof(*page));
	return 0;
}

/* Forks a child that runs `setup` (if any), then counts in a loop
 * without system calls; returns once the child counts (so it is in its
 * loop, not in ExOS), with its pid. */
static pid_t fork_spinner(void (*setup)(void))
{
	pid_t pid;
	uint64_t seen = page->spins;

	pid = fork();
	if (pid == 0) {
		page->env = (uint64_t)xok_getenvid();
		if (setup)
			setup();
		for (;;)
			page->spins++;
	}
	while (pid > 0 && page->spins == seen)
		sched_yield();
	return pid;
}

/* Waits until the spinning child counts again. */
static void wait_spinning(void)
{
	uint64_t seen = page->spins;

	while (page->spins == seen)
		sched_yield();
}

/* A process that makes no system call is still reached by a signal, and
 * at once: the signal is taken during kill's protected control transfer
 * into it, so the process is already dead when kill returns. */
static void test_signal_to_spinner(void)
{
	pid_t pid;
	int status;

	CHECK(map_shared_page() == 0);
	CHECK((pid = fork_spinner(NULL)) > 0);
	CHECK(kill(pid, SIGTERM) == 0);
	CHECK(waitpid(pid, &status, WNOHANG) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK(munmap(page, 4096) == 0);
}

/* Field `name` of /proc/PID/status, as a number in `base`; -1 if none. */
static long status_field(pid_t pid, const char *name, int base)
{
	char path[32], buf[512], *at;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!(at = strstr(buf, name)))
		return -1;
	return strtol(at + strlen(name), NULL, base);
}

static void count_handled(int sig)
{
	(void)sig;
	page->handled++;
}

static void catch_usr1(void)
{
	signal(SIGUSR1, count_handled);
}

/* Signals to a running process by protected control transfer: when kill
 * returns, a caught signal is no longer pending (its handler's frame is
 * set up; the handler runs on the child's time), a stop is already
 * reported to wait, and SIGKILL has already ended the process. A stopped
 * process stays stopped whatever calls reach it. */
static void test_signal_by_call(void)
{
	int status, tries = 0;
	pid_t pid;

	CHECK(map_shared_page() == 0);
	CHECK((pid = fork_spinner(catch_usr1)) > 0);
	CHECK(kill(pid, SIGUSR1) == 0);
	CHECK(status_field(pid, "SigPnd:", 16) == 0);
	while (page->handled == 0 && tries++ < 1000)
		sched_yield();
	CHECK(page->handled == 1);

	wait_spinning(); /* back from its handler */
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG) == pid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	for (int i = 0; i < 100; i++)
		CHECK(xok_ipc_call_brief(page->env, (uint64_t)i, 0, 0, 0) >= 0);
	CHECK(proc_state(pid) == 'T');
	CHECK(waitpid(pid, &status, WNOHANG | WCONTINUED) == 0);
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &status, WCONTINUED | WNOHANG) == pid);
	CHECK(WIFCONTINUED(status));

	wait_spinning();
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &status, WNOHANG) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(munmap(page, 4096) == 0);
}
/* Calls junk to process environment `env` from a child, which exits 0 if
 * calls reached the entry and were answered. */
static pid_t junk_caller(uint64_t env)
{
	pid_t pid = fork();

	if (pid == 0) {
		int answered = 0;

		for (uint64_t i = 0; i < 500; i++) {
			int64_t r = xok_ipc_call(env, i * 0x9e3779b97f4a7c15ull,
						 ~i, SIGUSR1, (uint64_t)-1);

			answered += r >= 0;
		}
		_exit(answered ? 0 : 1);
	}
	return pid;
}

/* Anyone may call a process's IPC entry, with any arguments: the call
 * only makes it look at its own pending signals. Junk calls to a process
 * computing, blocked in waitpid or asleep in nanosleep deliver nothing
 * and interrupt nothing. */
static void test_junk_calls(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t me = xok_getenvid();
	struct timespec t = { 0, 200000000 }, left;
	int status;
	pid_t pid, sleeper;

	got_signal = 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	/* Runnable, not asleep in wait, so the calls reach the entry. */
	CHECK((pid = junk_caller(me)) > 0);
	while (waitpid(pid, &status, WNOHANG) == 0)
		for (volatile int i = 0; i < 100000; i++)
			;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Blocked in waitpid: it still returns the child's status. */
	CHECK((pid = junk_caller(me)) > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Asleep: the whole time, with no EINTR. */
	CHECK(map_shared_page() == 0);
	sleeper = fork();
	if (sleeper == 0) {
		page->env = (uint64_t)xok_getenvid();
		_exit(nanosleep(&t, &left) == 0 ? 0 : 1);
	}
	CHECK(sleeper > 0);
	wait_until_sleeping(sleeper);
	CHECK((pid = junk_caller(page->env)) > 0);
	CHECK(reap(pid) == 0);
	CHECK(reap(sleeper) == 0);
	CHECK(got_signal == 0);
	CHECK(status_field(getpid(), "SigPnd:", 16) == 0);
	signal(SIGUSR1, SIG_DFL);
	CHECK(munmap(page, 4096) == 0);
}

/* A handler outside the program's memory cannot run: the process dies of
 * SIGSEGV (as on Linux, where it faults), and kill returns. */
static void bad_handler(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = (void (*)(int))0x7e8000001000ull;
	sigaction(SIGUSR1, &sa, NULL);
}

static void test_handler_outside(void)
{
	int status;
	pid_t pid;

	CHECK(map_shared_page() == 0);
	CHECK((pid = fork_spinner(bad_handler)) > 0);
	CHECK(kill(pid, SIGUSR1) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK(munmap(page, 4096) == 0);
}

/* A program may replace its own IPC entry with one that never answers:
 * its sender is not held (Xok cuts the brief call within two of the
 * sender's slices). The hostile child then exits by itself. */
__attribute__((force_align_arg_pointer, noreturn))
static void never_answers(void)
{
	while (!page->release)
		;
	_exit(7);
}

static void replace_ipc_entry(void)
{
	struct xok_env_state st;

	if (xok_env_get(0, 0, &st) < 0)
		_exit(1);
	st.upcall[XOK_UPCALL_IPC] = (uint64_t)never_answers;
	if (xok_env_set(0, 0, &st, XOK_SET_UPCALLS) < 0)
		_exit(1);
}

static void test_hostile_entry(void)
{
	struct timespec t0, t1;
	int status;
	pid_t pid;

	CHECK(map_shared_page() == 0);
	CHECK((pid = fork_spinner(replace_ipc_entry)) > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(kill(pid, SIGTERM) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	page->release = 1;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(munmap(page, 4096) == 0);
}

/* A process that leaves without ExOS's exit (here by Xok's own exit
 * call, as a program that bypasses ExOS could) is ended as killed: its
 * parent's wait returns SIGKILL, and its descriptors are closed (a pipe
 * it held open for writing reaches EOF). */
static void test_vanished(void)
{
	int fds[2], status;
	char c;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		xok_exit(3);
	}
	close(fds[1]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(read(fds[0], &c, 1) == 0);
	close(fds[0]);
}

/* select over descriptors (it shares poll's code): a pipe with data is
 * ready to read, an empty one is not, and its write end is writable. */
static void test_select(void)
{
	int fds[2];
	fd_set rd, wr;
	struct timeval zero = { 0, 0 };

	CHECK(pipe(fds) == 0);
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	CHECK(select(fds[0] + 1, &rd, NULL, NULL, &zero) == 0);
	CHECK(write(fds[1], "x", 1) == 1);
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	FD_ZERO(&wr);
	FD_SET(fds[1], &wr);
	CHECK(select(fds[1] + 1, &rd, &wr, NULL, &zero) == 2);
	CHECK(FD_ISSET(fds[0], &rd) && FD_ISSET(fds[1], &wr));
	close(fds[0]);
	close(fds[1]);
}

static void on_chld(int sig)
{
	got_signal = sig;
}

/* A SIGCHLD handler (without SA_RESTART) does not cost waitpid its
 * child: the child whose end sent the signal is reported, as on Linux. */
static void test_wait_with_handler(void)
{
	struct sigaction sa = { .sa_handler = on_chld };
	struct timespec t = { 0, 20000000 };
	int status;

	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			nanosleep(&t, NULL);
			_exit(i);
		}
		got_signal = 0;
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == i);
	}
	signal(SIGCHLD, SIG_DFL);
}

/* A call interrupted by signals that run no handler starts again, as on
 * Linux: a read blocked on a pipe, stopped and continued, still returns
 * the byte written after. */
static void test_restart_after_stop(void)
{
	int fds[2];
	char c = 0;
	pid_t parent = getpid(), pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		wait_until_sleeping(parent);
		kill(parent, SIGSTOP);
		while (proc_state(parent) != 'T')
			sched_yield();
		kill(parent, SIGCONT);
		_exit(write(fds[1], "y", 1) == 1 ? 0 : 1);
	}
	CHECK(read(fds[0], &c, 1) == 1 && c == 'y');
	CHECK(reap(pid) == 0);
	close(fds[0]);
	close(fds[1]);
}

/* MAP_SHARED anonymous memory stays shared after fork. */
static void test_shared_mapping(void)
{
	volatile int *counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	CHECK(counter != MAP_FAILED);
	*counter = 1;
	pid = fork();
	if (pid == 0) {
		*counter = 2;
		_exit(0);
	}
	CHECK(reap(pid) == 0);
	CHECK(*counter == 2);
	CHECK(munmap((void *)counter, 4096) == 0);
}

static void test_mmap(void)
{
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	CHECK(p[0] == 0 && p[3 * 4096 - 1] == 0);
	p[4096] = 5;
	CHECK(mprotect(p, 4096, PROT_READ) == 0);
	CHECK(munmap(p, 3 * 4096) == 0);
}

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* An interval timer keeps sending SIGALRM until it is disarmed; a
 * fork's child does not inherit it; a timer reaches a process that makes
 * no system calls; the CPU-time timers are refused. */
static void test_itimer(void)
{
	struct itimerval every = { { 0, 20000 }, { 0, 20000 } }, off = { 0 },
			 now;
	struct timespec t = { 0, 200000000 };
	pid_t pid;

	signal(SIGALRM, on_alarm);
	CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
	while (nanosleep(&t, &t))
		CHECK(errno == EINTR);
	CHECK(getitimer(ITIMER_REAL, &now) == 0 &&
	      now.it_interval.tv_usec == 20000);
	CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0 && alarms >= 3);
	CHECK(setitimer(ITIMER_VIRTUAL, &every, NULL) == -1 &&
	      errno == EINVAL);
	/* Armed for 30 ms in the parent: the child, sleeping 100 ms with
	 * SIGALRM's default action (death), must live. */
	every = (struct itimerval){ { 0, 0 }, { 0, 30000 } };
	CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
	pid = fork();
	if (pid == 0) {
		struct timespec nap = { 0, 100000000 };

		signal(SIGALRM, SIG_DFL);
		while (nanosleep(&nap, &nap))
			;
		_exit(7);
	}
	CHECK(pid > 0 && WIFEXITED(reap(pid)));
	signal(SIGALRM, SIG_DFL);
	/* A timer due while the process computes without system calls
	 * still ends it. */
	pid = fork();
	if (pid == 0) {
		setitimer(ITIMER_REAL, &every, NULL);
		for (volatile unsigned long i = 0;; i++)
			;
	}
	int status = reap(pid);

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);
}

static char altstack[16384];
static volatile int ran_on_altstack, altstack_busy;

static void on_altstack_signal(int sig)
{
	char here;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, cur;

	(void)sig;
	ran_on_altstack = &here >= altstack && &here < altstack + sizeof(altstack);
	altstack_busy = sigaltstack(NULL, &cur) == 0 &&
			(cur.ss_flags & SS_ONSTACK) &&
			sigaltstack(&ss, NULL) == -1 && errno == EPERM;
}

/* A handler with SA_ONSTACK runs on the alternate stack, one without on
 * the program's; the stack in use cannot be changed; too small is
 * refused. */
static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) },
		small = { .ss_sp = altstack, .ss_size = 1024 }, old;
	struct sigaction sa = { .sa_handler = on_altstack_signal, .sa_flags = SA_ONSTACK };

	CHECK(sigaltstack(&small, NULL) == -1 && errno == ENOMEM);
	CHECK(sigaltstack(&ss, NULL) == 0);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(ran_on_altstack);
	CHECK(altstack_busy);
	sa.sa_flags = 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0 && raise(SIGUSR1) == 0);
	CHECK(!ran_on_altstack);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, &old) == 0 && old.ss_sp == altstack);
	CHECK(sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE));
	signal(SIGUSR1, SIG_DFL);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "cow_after_fork", test_cow_after_fork },
	{ "exit_status", test_exit_status },
	{ "reparenting", test_reparenting },
	{ "big_pipe", test_big_pipe },
	{ "sigpipe", test_sigpipe },
	{ "eintr", test_eintr },
	{ "sigmask", test_sigmask },
	{ "fd_inheritance", test_fd_inheritance },
	{ "fork_chain", test_fork_chain },
	{ "fork_exhaustion", test_fork_exhaustion },
	{ "bad_input", test_bad_input },
	{ "signal_to_spinner", test_signal_to_spinner },
	{ "signal_by_call", test_signal_by_call },
	{ "junk_calls", test_junk_calls },
	{ "handler_outside", test_handler_outside },
	{ "hostile_entry", test_hostile_entry },
	{ "vanished", test_vanished },
	{ "select", test_select },
	{ "wait_with_handler", test_wait_with_handler },
	{ "restart_after_stop", test_restart_after_stop },
	{ "shared_mapping", test_shared_mapping },
	{ "mmap", test_mmap },
	{ "itimer", test_itimer },
	{ "altstack", test_altstack },
};

int main(int argc, char **argv)
{
	int ran = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int before = failures;

		if (argc > 1 && strcmp(argv[1], tests[i].name))
			continue;
		tests[i].fn();
		printf("exostest: %s %s\n", tests[i].name,
		       failures == before ? "ok" : "FAILED");
		ran++;
	}
	printf("exostest: %d tests, %d failed\n", ran, failures);
	return failures || !ran;
}
