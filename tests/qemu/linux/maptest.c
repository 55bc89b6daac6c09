/*
 * maptest: a plain static Linux program (musl, no libexos) that checks
 * the memory ExOS's exec gives it — pages filled from the file on first
 * touch, shared through the page cache, copy-on-write where writable —
 * and its auxiliary vector, Linux's entries in Linux's order.
 *
 *   maptest            runs every check, prints "maptest: NAME ok" each
 *   maptest fresh      (run by the checks) memory as a new process sees it
 *   maptest victim     (run by the checks) its own file changes under it
 *
 * Built with musl-gcc -static; runs the same on Linux (where the victim's
 * write to its own running file fails with ETXTBSY, which passes too).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define DATA_WORDS 4096 /* 16 KiB of initialised data */
#define BIG (64 * PAGE)

/* Written by the checks in one process; every new process must still
 * see the file's values. */
static int data[DATA_WORDS] = { [0 ... DATA_WORDS - 1] = 7 };
/* Read-only, far from the code: pages nothing touches until a check. */
static const char big[BIG] = { [0] = 1, [BIG / 2] = 2, [BIG - 1] = 3 };

static int failures;

/* big[i] as memory holds it (the compiler knows what the file holds). */
static char peek(size_t i)
{
	return ((const volatile char *)big)[i];
}

static void result(const char *name, int ok)
{
	printf("maptest: %s %s\n", name, ok ? "ok" : "FAILED");
	fflush(stdout);
	failures += !ok;
}

/* Every read-only loadable segment in memory equals its bytes in the
 * file (/proc/self/exe). */
static int segments_match_file(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), bias = 0;
	int fd = open("/proc/self/exe", O_RDONLY), ok = fd >= 0;

	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (unsigned long)ph - ph[i].p_vaddr;
	for (unsigned long i = 0; ok && i < n; i++) {
		static char buf[PAGE];
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || (p->p_flags & PF_W))
			continue;
		for (unsigned long at = 0; ok && at < p->p_filesz; at += PAGE) {
			size_t len = p->p_filesz - at < PAGE ? p->p_filesz - at :
							       PAGE;

			ok = pread(fd, buf, len, (off_t)(p->p_offset + at)) ==
				     (ssize_t)len &&
			     !memcmp(buf, (const char *)(bias + p->p_vaddr + at),
				     len);
		}
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

static int data_is_initial(void)
{
	for (int i = 0; i < DATA_WORDS; i++)
		if (data[i] != 7)
			return 0;
	return 1;
}

/* Runs this program again with `mode`: its exit status, or -1. */
static int run_self(const char *path, const char *mode)
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		execl(path, path, mode, (char *)NULL);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

static int fresh(void)
{
	return segments_match_file() && data_is_initial() && peek(0) == 1 &&
	       peek(BIG / 2) == 2 && peek(BIG - 1) == 3 ? 0 : 1;
}

/* Fork children write the data pages: each sees its own writes only,
 * and a new process sees the file's values (the shared frames were never
 * written). */
static void check_copy_on_write(void)
{
	pid_t child = fork();
	int status = -1;

	if (child == 0) {
		data[5] = 55;
		data[DATA_WORDS - 1] = 99;
		_exit(data[5] == 55 && data[0] == 7 ? 0 : 1);
	}
	data[6] = 66;
	waitpid(child, &status, 0);
	result("cow_data", status == 0 && data[5] == 7 && data[6] == 66 &&
				   data[DATA_WORDS - 1] == 7);
	result("fresh_process_sees_file",
	       run_self("/proc/self/exe", "fresh") == 0);
}

static sigjmp_buf back;

static void on_signal(int sig)
{
	siglongjmp(back, sig);
}

/* A page unmapped before it was ever touched stays gone: touching it is
 * SIGSEGV, not the file's bytes again. */
static void check_unmapped_page(void)
{
	char *page = (char *)(((unsigned long)big + BIG / 4) & ~(PAGE - 1ul));
	int sig;

	signal(SIGSEGV, on_signal);
	if (munmap(page, PAGE)) {
		result("munmap_untouched", 0);
		return;
	}
	if (!(sig = sigsetjmp(back, 1)))
		peek((size_t)(page - big));
	signal(SIGSEGV, SIG_DFL);
	result("munmap_untouched", sig == SIGSEGV);
}

/* mprotect reaches pages not yet filled: a read-only page made writable
 * takes writes, and the next process still sees the file. */
static void check_mprotect(void)
{
	char *page = (char *)(((unsigned long)big + BIG / 2) & ~(PAGE - 1ul));
	int ok = !mprotect(page, PAGE, PROT_READ | PROT_WRITE);

	if (ok) {
		/* volatile: big is const to the compiler */
		((volatile char *)page)[BIG / 2 - (page - big)] = 42;
		ok = peek(BIG / 2) == 42;
	}
	result("mprotect_untouched", ok &&
	       run_self("/proc/self/exe", "fresh") == 0);
}

/* The program's file grows under it: an untouched page is SIGBUS. */
static int victim(void)
{
	int fd = open("/proc/self/exe", O_WRONLY | O_APPEND);
	volatile char c;

	if (fd < 0 && errno == ETXTBSY)
		return 0; /* a system that keeps running programs whole */
	if (fd < 0 || write(fd, "x", 1) != 1)
		return 2;
	close(fd);
	signal(SIGBUS, on_signal);
	if (sigsetjmp(back, 1) == SIGBUS)
		return 0;
	c = peek(BIG / 2); /* far from anything touched (or read around) */
	(void)c;
	return 1;
}

static int copy_file(const char *from, const char *to)
{
	static char buf[65536];
	int in = open(from, O_RDONLY),
	    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in >= 0 && out >= 0 && n == 0 ? 0 : -1;
}

static void check_changed_file(void)
{
	const char *copy = "/tmp/maptest-victim";

	result("changed_file_sigbus",
	       !copy_file("/proc/self/exe", copy) &&
	       run_self(copy, "victim") == 0);
	unlink(copy);
}

extern char **environ;

/* The auxiliary vector's entries, in Linux 6.1's order for a static
 * program (AT_SYSINFO_EHDR, and 6.3's AT_RSEQ_*, aside: ExOS has no vDSO
 * and no rseq), with the values a program relies on. */
static int auxv_as_linux(void)
{
	static const unsigned long order[] = {
		AT_MINSIGSTKSZ, AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR,
		AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID,
		AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_HWCAP2,
		AT_EXECFN, AT_PLATFORM,
	};
	char **e = environ;
	unsigned long *a;
	unsigned k = 0;

	while (*e)
		e++;
	for (a = (unsigned long *)(e + 1); a[0] != AT_NULL; a += 2) {
		if (a[0] == AT_SYSINFO_EHDR || a[0] == 27 || a[0] == 28)
			continue;
		if (k == sizeof(order) / sizeof(order[0]) || a[0] != order[k++])
			return 0;
	}
	return k == sizeof(order) / sizeof(order[0]) &&
	       getauxval(AT_PAGESZ) == PAGE && getauxval(AT_HWCAP) != 0 &&
	       getauxval(AT_MINSIGSTKSZ) >= 1024 &&
	       !strcmp((const char *)getauxval(AT_PLATFORM), "x86_64") &&
	       getauxval(AT_ENTRY) != 0 && getauxval(AT_RANDOM) != 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "fresh"))
		return fresh();
	if (argc > 1 && !strcmp(argv[1], "victim"))
		return victim();
	result("auxv_as_linux", auxv_as_linux());
	result("segments_match_file", segments_match_file());
	check_copy_on_write();
	check_unmapped_page();
	check_mprotect();
	check_changed_file();
	printf("maptest: %d failed\n", failures);
	return failures != 0;
}
