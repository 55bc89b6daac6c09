/*
 * synth: the parts of the namespace ExOS makes up rather than stores —
 * the devices in /dev, and /proc with what `ps` and the shell need
 * (/proc/self, /proc/<pid>/exe, cmdline, stat).
 */
#include <xok/env.h>
#include <xok/page.h>
#include <xok/sched.h>
#include <xok/syscall.h>

#include "../lib/fmt.h"
#include "../lib/string.h"
#include "exos.h"

/* ---- /dev ---- */

enum { DEV_CONSOLE, DEV_TTY, DEV_NULL, DEV_ZERO, DEV_URANDOM, DEV_RANDOM,
       NDEV,
       /* Files of /proc that act when written, kept with the devices. */
       DEV_DROP_CACHES = NDEV };

static const struct {
	const char *name;
	uint32_t rdev; /* major << 8 | minor, as Linux numbers them */
} devs[NDEV] = {
	[DEV_CONSOLE] = { "console", 5 << 8 | 1 },
	[DEV_TTY] = { "tty", 5 << 8 | 0 },
	[DEV_NULL] = { "null", 1 << 8 | 3 },
	[DEV_ZERO] = { "zero", 1 << 8 | 5 },
	[DEV_URANDOM] = { "urandom", 1 << 8 | 9 },
	[DEV_RANDOM] = { "random", 1 << 8 | 8 },
};

/* Is `abs` `dir` itself (0), inside it (its tail, after the slash), or
 * elsewhere (NULL)? */
static const char *under(const char *abs, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(abs, dir, n))
		return 0;
	if (!abs[n])
		return "";
	return abs[n] == '/' ? abs + n + 1 : 0;
}

int exos_dev_lookup(const char *abs, struct exos_node *n)
{
	const char *tail = under(abs, "/dev");

	if (!tail)
		return 1;
	if (!*tail) {
		n->kind = NODE_DEVDIR;
		return 0;
	}
	for (int d = 0; d < NDEV; d++)
		if (!strcmp(tail, devs[d].name)) {
			n->kind = NODE_DEV;
			n->dev = d;
			return 0;
		}
	return -L_ENOENT;
}

int exos_dev_is_tty(int dev)
{
	return dev == DEV_CONSOLE || dev == DEV_TTY;
}

/* xorshift64*, seeded from the clock: what /dev/urandom and getrandom
 * give. Not cryptographic; nothing here needs that yet. */
uint64_t exos_random(void)
{
	static uint64_t state;

	if (!state)
		state = (uint64_t)exos_now_ns() | 1;
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

void exos_random_fill(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		static uint64_t word;

		if (i % 8 == 0)
			word = exos_random();
		buf[i] = (uint8_t)(word >> (8 * (i % 8)));
	}
}

long exos_dev_read(struct exos_file *f, void *buf, size_t len)
{
	switch (f->dev) {
	case DEV_CONSOLE:
	case DEV_TTY:
		return exos_tty_read(buf, len, f->flags & L_O_NONBLOCK);
	case DEV_NULL:
		return 0;
	case DEV_ZERO:
		memset(buf, 0, len);
		return (long)len;
	default:
		exos_random_fill(buf, len);
		return (long)len;
	}
}

long exos_dev_write(struct exos_file *f, const void *buf, size_t len)
{
	if (exos_dev_is_tty(f->dev))
		return exos_tty_write(buf, len);
	if (f->dev == DEV_DROP_CACHES)
		exos_drop_caches();
	return (long)len;
}

/* ---- /proc ---- */

enum { PROC_SELF, PROC_EXE, PROC_CMDLINE, PROC_STAT, PROC_STATUS, NPROCF,
       /* Files of /proc itself, not of a process. */
       PROC_MOUNTS = NPROCF, PROC_UPTIME, PROC_MEMINFO, PROC_SYSSTAT,
       PROC_VERSION, PROC_LOADAVG, PROC_CPUINFO, NPROC_ALL };

static const char *const proc_system_files[NPROC_ALL] = {
	[PROC_MOUNTS] = "mounts", [PROC_UPTIME] = "uptime",
	[PROC_MEMINFO] = "meminfo", [PROC_SYSSTAT] = "stat",
	[PROC_VERSION] = "version", [PROC_LOADAVG] = "loadavg",
	[PROC_CPUINFO] = "cpuinfo",
};

static const char *const proc_files[NPROCF] = {
	[PROC_EXE] = "exe", [PROC_CMDLINE] = "cmdline", [PROC_STAT] = "stat",
	[PROC_STATUS] = "status",
};

static int parse_pid(const char *s, size_t n, int32_t *pid)
{
	int32_t v = 0;

	if (!n || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*pid = v;
	return 0;
}

int exos_proc_lookup(const char *abs, struct exos_node *n)
{
	const char *tail = under(abs, "/proc"), *slash;
	size_t len;

	if (!tail)
		return 1;
	if (!*tail) {
		n->kind = NODE_PROCDIR;
		return 0;
	}
	if (!strcmp(tail, "sys/vm/drop_caches")) {
		n->kind = NODE_DEV;
		n->dev = DEV_DROP_CACHES;
		return 0;
	}
	for (int i = PROC_MOUNTS; i < NPROC_ALL; i++)
		if (!strcmp(tail, proc_system_files[i])) {
			n->kind = NODE_PROCFILE;
			n->dev = i;
			return 0;
		}
	if (!strcmp(tail, "self")) {
		n->kind = NODE_PROCLINK;
		n->dev = PROC_SELF;
		n->pid = SELF->pid;
		return 0;
	}
	slash = strchr(tail, '/');
	len = slash ? (size_t)(slash - tail) : strlen(tail);
	if (parse_pid(tail, len, &n->pid) || !exos_proc_find(n->pid))
		return -L_ENOENT;
	if (!slash) {
		n->kind = NODE_PROCPID;
		return 0;
	}
	for (int i = PROC_EXE; i < NPROCF; i++)
		if (!strcmp(slash + 1, proc_files[i])) {
			n->kind = i == PROC_EXE ? NODE_PROCLINK : NODE_PROCFILE;
			n->dev = i;
			return 0;
		}
	return -L_ENOENT;
}

long exos_proc_readlink(const struct exos_node *n, char *buf, size_t size)
{
	struct exos_proc *p = exos_proc_find(n->pid);
	char tmp[128];
	size_t len;

	if (n->dev == PROC_SELF)
		fmt_snprintf(tmp, sizeof(tmp), "%d", n->pid);
	else if (p)
		memcpy(tmp, p->exe, sizeof(tmp));
	else
		return -L_ENOENT;
	tmp[sizeof(tmp) - 1] = '\0';
	len = strlen(tmp);
	if (len > size)
		len = size;
	memcpy(buf, tmp, len);
	return (long)len;
}

/* /proc/stat: the CPU's time in 100 Hz ticks, busy being the slices
 * every environment ran (Xok counts them), and the process counts: what
 * top reads. */
/* Is process `p`'s environment (still its own) runnable? */
static int runnable(const struct exos_proc *p)
{
	const volatile struct xok_env *e = &ENVS[xok_env_slot(p->env)];

	return e->id == p->env && e->status == XOK_ENV_RUNNABLE;
}

static size_t cpu_text(char *buf, size_t size, uint64_t ns)
{
	uint64_t busy = 0, now = ns / 10000000;
	int procs = 0, running = 0;

	for (unsigned i = 0; i < XOK_NENV; i++)
		busy += ENVS[i].id ? ENVS[i].ticks : 0;
	for (int i = 0; i < EXOS_NPROC; i++) {
		const struct exos_proc *p = &SHARED->procs[i];

		procs += p->state != PROC_FREE;
		running += p->state == PROC_ALIVE && runnable(p);
	}
	if (busy > now)
		busy = now;
	return (size_t)fmt_snprintf(buf, size,
		"cpu  %lu 0 0 %lu 0 0 0 0 0 0\ncpu0 %lu 0 0 %lu 0 0 0 0 0 0\n"
		"btime %ld\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
		busy, now - busy, busy, now - busy,
		(exos_now_ns() - (int64_t)ns) / 1000000000, procs, running);
}

/* The text of a file of /proc itself: what df, uptime, free and top
 * read. */
static size_t system_text(int which, char *buf, size_t size)
{
	const volatile struct xok_clock *c = (const volatile void *)XOK_UCLOCK;
	const volatile struct xok_ppage *pages = (const volatile void *)XOK_UPAGES;
	uint64_t ns = xok_clock_ns(), free = 0;

	switch (which) {
	case PROC_MOUNTS:
		return (size_t)fmt_snprintf(buf, size,
			"xn0 / cffs rw 0 0\nproc /proc proc rw 0 0\n"
			"dev /dev devtmpfs rw 0 0\n");
	case PROC_UPTIME:
		return (size_t)fmt_snprintf(buf, size, "%lu.%02lu 0.00\n",
					    ns / 1000000000,
					    ns / 10000000 % 100);
	case PROC_SYSSTAT:
		return cpu_text(buf, size, ns);
	case PROC_VERSION:
		return (size_t)fmt_snprintf(buf, size, "Linux version "
			"6.1.0-exos (Xok/ExOS, system calls reflected to a "
			"library OS)\n");
	case PROC_LOADAVG:
		/* No load average is kept: what runs now, and the last pid. */
		return (size_t)fmt_snprintf(buf, size,
			"0.00 0.00 0.00 1/%d %d\n", EXOS_NPROC,
			SHARED->next_pid - 1);
	case PROC_CPUINFO:
		return (size_t)fmt_snprintf(buf, size,
			"processor\t: 0\nvendor_id\t: QEMU\n"
			"model name\t: x86-64 (qemu64) under Xok\n"
			"cpu MHz\t\t: %lu\n\n", c->tsc_hz / 1000000);
	default:
		for (uint64_t i = 0; i < c->npages; i++)
			free += !pages[i].allocated;
		return (size_t)fmt_snprintf(buf, size,
			"MemTotal: %lu kB\nMemFree: %lu kB\n"
			"MemAvailable: %lu kB\nBuffers: 0 kB\nCached: 0 kB\n"
			"SwapTotal: 0 kB\nSwapFree: 0 kB\n",
			c->npages * 4, free * 4, free * 4);
	}
}

/* The text of a /proc file. */
static size_t proc_text(const struct exos_node *n, char *buf, size_t size)
{
	struct exos_proc *p;

	if (n->dev >= PROC_MOUNTS)
		return system_text(n->dev, buf, size);
	if (!(p = exos_proc_find(n->pid)))
		return 0;
	if (n->dev == PROC_CMDLINE) {
		size_t len = p->cmdline_len < size ? p->cmdline_len : size;

		memcpy(buf, p->cmdline, len);
		return len;
	}
	const volatile struct xok_env *e = &ENVS[xok_env_slot(p->env)];
	uint64_t ticks = e->id == p->env ? e->ticks : 0;
	char state = p->state == PROC_ZOMBIE ? 'Z' : p->stopped ? 'T' :
		     runnable(p) ? 'R' : 'S';

	if (n->dev == PROC_STATUS)
		return (size_t)fmt_snprintf(buf, size,
			"Name:\t%s\nState:\t%c\nTgid:\t%d\nPid:\t%d\n"
			"PPid:\t%d\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
			"Threads:\t1\nSigPnd:\t%016lx\n", p->comm, state,
			p->pid, p->pid, p->ppid, p->pending);
	/* Linux's field order; clock ticks are 100 Hz, as Xok's slices. */
	return (size_t)fmt_snprintf(buf, size,
		"%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %lu 0 0 0 %d %d 1 0 %ld "
		"0 0\n", p->pid, p->comm, state, p->ppid, p->pgid, p->sid,
		ticks, 20 + p->nice, p->nice, p->start_ns / 10000000);
}

long exos_proc_read(struct exos_file *f, void *buf, size_t len, int64_t off)
{
	char text[512];
	uint64_t at = off >= 0 ? (uint64_t)off : f->off;
	size_t n;

	if (f->node.kind != NODE_PROCFILE)
		return -L_EISDIR;
	exos_lock();
	n = proc_text(&f->node, text, sizeof(text));
	exos_unlock();
	if (at >= n)
		return 0;
	if (len > n - at)
		len = n - at;
	memcpy(buf, text + at, len);
	if (off < 0)
		f->off = at + len;
	return (long)len;
}

/* ---- Attributes and listings ---- */

uint32_t exos_synthetic_mode(const struct exos_node *n)
{
	switch (n->kind) {
	case NODE_DEV:
		return n->dev < NDEV ? L_S_IFCHR | 0666 : L_S_IFREG | 0200;
	case NODE_DEVDIR:
	case NODE_PROCDIR:
	case NODE_PROCPID: return L_S_IFDIR | 0555;
	case NODE_PROCLINK: return L_S_IFLNK | 0777;
	case NODE_PIPE: return L_S_IFIFO | 0600;
	default: return L_S_IFREG | 0444;
	}
}

uint64_t exos_synthetic_ino(const struct exos_node *n)
{
	return ((uint64_t)n->kind << 32) | ((uint64_t)(uint32_t)n->pid << 8) |
	       (uint64_t)n->dev;
}

uint64_t exos_synthetic_rdev(const struct exos_node *n)
{
	return n->kind == NODE_DEV && n->dev < NDEV ? devs[n->dev].rdev : 0;
}

long exos_synthetic_getdents(struct exos_file *f, uint8_t *buf, size_t size)
{
	const struct exos_node *n = &f->node;
	size_t used = 0;

	for (;; f->off++) {
		struct exos_node e = { 0 };
		const char *name;
		char num[12];

		if (n->kind == NODE_DEVDIR && f->off < NDEV) {
			e.kind = NODE_DEV;
			e.dev = (int)f->off;
			name = devs[f->off].name;
		} else if (n->kind == NODE_PROCPID && f->off + 1 < NPROCF) {
			e.kind = f->off ? NODE_PROCFILE : NODE_PROCLINK;
			e.dev = (int)f->off + 1;
			e.pid = n->pid;
			name = proc_files[f->off + 1];
		} else if (n->kind == NODE_PROCDIR && f->off < EXOS_NPROC) {
			const struct exos_proc *p = &SHARED->procs[f->off];

			if (p->state == PROC_FREE)
				continue;
			e.kind = NODE_PROCPID;
			e.pid = p->pid;
			fmt_snprintf(num, sizeof(num), "%d", p->pid);
			name = num;
		} else {
			return (long)used;
		}
		if (!exos_dirent_put(buf, size, &used, exos_synthetic_ino(&e),
				     (int64_t)f->off + 1,
				     exos_synthetic_mode(&e), name))
			return used ? (long)used : -L_EINVAL;
	}
}
