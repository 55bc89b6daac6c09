/*
 * misc: the system calls every static program makes while starting up,
 * identity (everyone is root: one user), clocks and sleeping, limits,
 * random bytes, and power-off.
 */
#include <xok/page.h>
#include <xok/sched.h>
#include <xok/syscall.h>

#include "../lib/string.h"
#include "exos.h"
#include "sys.h"

#define CLOCK ((const volatile struct xok_clock *)XOK_UCLOCK)

SYS(arch_prctl)
{
	struct xok_env_state st;

	switch (a->a[0]) {
	case L_ARCH_SET_FS:
		if (a->a[1] >= EXOS_USER_TOP)
			return -L_EPERM;
		st.fs_base = a->a[1];
		return xok_env_set(0, 0, &st, XOK_SET_FSBASE) < 0 ? -L_EINVAL : 0;
	case L_ARCH_GET_FS:
		if (exos_uaccess(a->a[1], 8, 1) || xok_env_get(0, 0, &st) < 0)
			return -L_EFAULT;
		*(uint64_t *)a->a[1] = st.fs_base;
		return 0;
	default:
		return -L_EINVAL;
	}
}

/* One thread per process: the robust-futex list and restartable
 * sequences have nothing to do. Refusing rseq is what glibc expects of
 * a kernel without it. */
SYS(set_robust_list)
{
	(void)a;
	return 0;
}

#define L_PR_SET_NAME 15
#define L_PR_GET_NAME 16

/* prctl: the process's name (what ps shows); nothing else. */
SYS(prctl)
{
	struct exos_proc *p;
	char name[16] = { 0 };

	switch (a->a[0]) {
	case L_PR_SET_NAME:
		if (exos_ustring((const char *)a->a[1], name, sizeof(name)) ==
		    -L_EFAULT)
			return -L_EFAULT;
		name[15] = '\0';
		exos_lock();
		p = exos_proc_self();
		memcpy(p->comm, name, sizeof(name));
		exos_unlock();
		return 0;
	case L_PR_GET_NAME:
		if (exos_uaccess(a->a[1], 16, 1))
			return -L_EFAULT;
		exos_lock();
		memcpy((void *)a->a[1], exos_proc_self()->comm, 16);
		exos_unlock();
		return 0;
	default:
		return -L_EINVAL;
	}
}

SYS(rseq)
{
	(void)a;
	return -L_ENOSYS;
}

#define L_FUTEX_WAIT 0
#define L_FUTEX_WAKE 1
#define L_FUTEX_CMD  0x7f

/* Futexes of a single-threaded process: a wait sleeps until the word
 * changes (a signal handler may change it) or time runs out. */
SYS(futex)
{
	uint64_t uaddr = a->a[0];
	int64_t ns = 0;
	int r;

	switch (a->a[1] & L_FUTEX_CMD) {
	case L_FUTEX_WAKE:
		return 0;
	case L_FUTEX_WAIT:
		if (exos_uaccess(uaddr, 4, 0))
			return -L_EFAULT;
		if (*(volatile uint32_t *)uaddr != (uint32_t)a->a[2])
			return -L_EAGAIN;
		if (a->a[3]) {
			const struct l_timespec *ts = (const void *)a->a[3];

			if (exos_uaccess(a->a[3], sizeof(*ts), 0))
				return -L_EFAULT;
			ns = ts->tv_sec * 1000000000 + ts->tv_nsec;
			if (ns <= 0)
				return -110; /* ETIMEDOUT */
		}
		struct exos_watch w = { (const void *)uaddr, a->a[2] & 0xffffffff,
					1 };

		exos_lock();
		r = exos_wait_any(&w, 1, (uint64_t)ns);
		exos_unlock();
		return r;
	default:
		return -L_ENOSYS;
	}
}

static int64_t get_limit(unsigned res, struct l_rlimit *out)
{
	if (res > 15)
		return -L_EINVAL;
	if (res == L_RLIMIT_STACK)
		*out = (struct l_rlimit){ EXOS_USTACK_MAX, EXOS_USTACK_MAX };
	else if (res == L_RLIMIT_NOFILE)
		*out = (struct l_rlimit){ EXOS_NFD, EXOS_NFD };
	else
		*out = (struct l_rlimit){ L_RLIM_INFINITY, L_RLIM_INFINITY };
	return 0;
}

/* Limits are fixed by ExOS's tables; setting one is accepted only if it
 * asks for no more than they give. */
SYS(prlimit64)
{
	struct l_rlimit cur;
	const struct l_rlimit *want = (const void *)a->a[2];
	struct l_rlimit *old = (void *)a->a[3];
	int64_t r;

	if (a->a[0] && (int32_t)a->a[0] != SELF->pid)
		return -L_EPERM;
	if ((r = get_limit((unsigned)a->a[1], &cur)))
		return r;
	if ((want && exos_uaccess(a->a[2], sizeof(*want), 0)) ||
	    (old && exos_uaccess(a->a[3], sizeof(*old), 1)))
		return -L_EFAULT;
	if (want && (want->cur > cur.max || want->max > cur.max))
		return -L_EPERM;
	if (old)
		*old = cur;
	return 0;
}

SYS(getrlimit)
{
	struct sysargs b = { { 0, a->a[0], 0, a->a[1] }, a->tf };

	return sys_prlimit64(&b);
}

SYS(setrlimit)
{
	struct sysargs b = { { 0, a->a[0], a->a[1], 0 }, a->tf };

	return sys_prlimit64(&b);
}

/* The Linux ABI is what ExOS speaks, so it names itself Linux, with a
 * release recent enough for glibc's start-up check. */
SYS(uname)
{
	struct l_utsname *u = (void *)a->a[0];

	if (exos_uaccess(a->a[0], sizeof(*u), 1))
		return -L_EFAULT;
	memset(u, 0, sizeof(*u));
	memcpy(u->sysname, "Linux", 6);
	memcpy(u->nodename, "exos", 5);
	memcpy(u->release, "6.1.0-exos", 11);
	memcpy(u->version, "Xok/ExOS", 9);
	memcpy(u->machine, "x86_64", 7);
	memcpy(u->domainname, "(none)", 7);
	return 0;
}

SYS(getrandom)
{
	if (exos_uaccess(a->a[0], a->a[1], 1))
		return -L_EFAULT;
	exos_random_fill((uint8_t *)a->a[0], a->a[1]);
	return (int64_t)a->a[1];
}

/* syslog (klogctl, what dmesg reads): ExOS keeps no kernel log (Xok's
 * messages go to the console), so the log reads empty. */
SYS(syslog)
{
	switch (a->a[0]) {
	case 0: case 1: case 6: case 7: case 8: /* close, open, console */
	case 5: /* clear */
		return 0;
	case 2: case 3: case 4: /* read */
		return a->a[2] > (1u << 30) ? -L_EINVAL : 0;
	case 9: case 10: /* unread bytes, buffer size */
		return 0;
	default:
		return -L_EINVAL;
	}
}

/* The namespace is fixed: C-FFS on /, /dev and /proc made up by ExOS.
 * mount has nothing more to mount; umount refuses to take them away. */
SYS(mount)
{
	(void)a;
	return -L_ENODEV;
}

SYS(umount2)
{
	char path[EXOS_PATH];
	int r;

	if ((r = exos_ustring((const char *)a->a[0], path, sizeof(path))))
		return r;
	return !strcmp(path, "/") || !strcmp(path, "/dev") ||
	       !strcmp(path, "/proc") ? -L_EBUSY : -L_EINVAL;
}

/* chroot: every process shares the one root; chroot("/") is the
 * only change that changes nothing, and the only one allowed. */
SYS(chroot)
{
	char path[EXOS_PATH];
	int r;

	if ((r = exos_ustring((const char *)a->a[0], path, sizeof(path))))
		return r;
	return !strcmp(path, "/") ? 0 : -L_EPERM;
}

/* ---- One user: root ---- */

static int64_t zero(const struct sysargs *a)
{
	(void)a;
	return 0;
}

SYS(getuid) { return zero(a); }
SYS(geteuid) { return zero(a); }
SYS(getgid) { return zero(a); }
SYS(getegid) { return zero(a); }

/* Becoming root again is allowed; another user does not exist. */
static int64_t set_id(uint64_t id)
{
	return (uint32_t)id == 0 || (uint32_t)id == ~0u ? 0 : -L_EPERM;
}

SYS(setuid) { return set_id(a->a[0]); }
SYS(setgid) { return set_id(a->a[0]); }
SYS(setresuid) { return set_id(a->a[0]) | set_id(a->a[1]) | set_id(a->a[2]); }
SYS(setresgid) { return set_id(a->a[0]) | set_id(a->a[1]) | set_id(a->a[2]); }

static int64_t three_zeros(const struct sysargs *a)
{
	for (int i = 0; i < 3; i++)
		if (exos_uaccess(a->a[i], 4, 1))
			return -L_EFAULT;
	for (int i = 0; i < 3; i++)
		*(uint32_t *)a->a[i] = 0;
	return 0;
}

SYS(getresuid) { return three_zeros(a); }
SYS(getresgid) { return three_zeros(a); }

SYS(getgroups)
{
	(void)a;
	return 0;
}

SYS(setgroups)
{
	return a->a[0] ? -L_EPERM : 0;
}

/* ---- Time ---- */

static int64_t clock_ns(uint64_t id)
{
	return id == L_CLOCK_REALTIME || id == 8 /* REALTIME_ALARM */ ||
	       id == 5 /* REALTIME_COARSE */ ? exos_now_ns() :
	       (int64_t)xok_clock_ns();
}

SYS(clock_gettime)
{
	struct l_timespec *ts = (void *)a->a[1];
	int64_t ns;

	if (a->a[0] > 11)
		return -L_EINVAL;
	if (exos_uaccess(a->a[1], sizeof(*ts), 1))
		return -L_EFAULT;
	ns = clock_ns(a->a[0]);
	*ts = (struct l_timespec){ ns / 1000000000, ns % 1000000000 };
	return 0;
}

SYS(clock_settime)
{
	const struct l_timespec *ts = (const void *)a->a[1];

	if (exos_uaccess(a->a[1], sizeof(*ts), 0))
		return -L_EFAULT;
	if (a->a[0] != L_CLOCK_REALTIME || ts->tv_sec < 0 ||
	    ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -L_EINVAL;
	exos_set_now_ns(ts->tv_sec * 1000000000 + ts->tv_nsec);
	return 0;
}

SYS(settimeofday)
{
	const struct l_timeval *tv = (const void *)a->a[0];

	if (!tv)
		return 0; /* only a time zone, which ExOS does not keep */
	if (exos_uaccess(a->a[0], sizeof(*tv), 0))
		return -L_EFAULT;
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -L_EINVAL;
	exos_set_now_ns(tv->tv_sec * 1000000000 + tv->tv_usec * 1000);
	return 0;
}

SYS(clock_getres)
{
	struct l_timespec *ts = (void *)a->a[1];

	if (a->a[0] > 11)
		return -L_EINVAL;
	if (ts && exos_uaccess(a->a[1], sizeof(*ts), 1))
		return -L_EFAULT;
	if (ts)
		*ts = (struct l_timespec){ 0, 1 };
	return 0;
}

SYS(gettimeofday)
{
	struct l_timeval *tv = (void *)a->a[0];
	int64_t ns = exos_now_ns();

	if (tv && exos_uaccess(a->a[0], sizeof(*tv), 1))
		return -L_EFAULT;
	if (tv)
		*tv = (struct l_timeval){ ns / 1000000000,
					  ns % 1000000000 / 1000 };
	return 0;
}

SYS(time)
{
	int64_t t = exos_now_ns() / 1000000000;

	if (a->a[0] && exos_uaccess(a->a[0], 8, 1))
		return -L_EFAULT;
	if (a->a[0])
		*(int64_t *)a->a[0] = t;
	return t;
}

/* Sleeps `ns`; on a signal, EINTR with the time left in *left. */
static int64_t sleep_ns(int64_t ns, struct l_timespec *left)
{
	int64_t end = (int64_t)xok_clock_ns() + ns;
	int r = 0;

	exos_lock();
	while ((int64_t)xok_clock_ns() < end && !r)
		r = exos_wait_any(0, 0, (uint64_t)(end - (int64_t)xok_clock_ns()));
	exos_unlock();
	if (r && left) {
		int64_t rest = end - (int64_t)xok_clock_ns();

		if (rest < 0)
			rest = 0;
		*left = (struct l_timespec){ rest / 1000000000,
					     rest % 1000000000 };
	}
	return r;
}

static int64_t read_timespec(uint64_t u, int64_t *ns)
{
	const struct l_timespec *ts = (const void *)u;

	if (exos_uaccess(u, sizeof(*ts), 0))
		return -L_EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -L_EINVAL;
	*ns = ts->tv_sec * 1000000000 + ts->tv_nsec;
	return 0;
}

SYS(nanosleep)
{
	int64_t ns, r;

	if ((r = read_timespec(a->a[0], &ns)))
		return r;
	if (a->a[1] && exos_uaccess(a->a[1], sizeof(struct l_timespec), 1))
		return -L_EFAULT;
	return sleep_ns(ns, (void *)a->a[1]);
}

#define L_TIMER_ABSTIME 1

SYS(clock_nanosleep)
{
	int64_t ns, r;

	if ((r = read_timespec(a->a[2], &ns)))
		return r;
	if (a->a[3] && exos_uaccess(a->a[3], sizeof(struct l_timespec), 1))
		return -L_EFAULT;
	if (a->a[1] & L_TIMER_ABSTIME)
		ns -= clock_ns(a->a[0]);
	return ns <= 0 ? 0 : sleep_ns(ns, (a->a[1] & L_TIMER_ABSTIME) ? 0 :
					     (void *)a->a[3]);
}

struct l_sysinfo {
	int64_t uptime;
	uint64_t loads[3], totalram, freeram, sharedram, bufferram,
		totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

SYS(sysinfo)
{
	struct l_sysinfo *s = (void *)a->a[0];
	const volatile struct xok_ppage *pages = (const void *)XOK_UPAGES;
	uint64_t free = 0;
	uint16_t procs = 0;

	if (exos_uaccess(a->a[0], sizeof(*s), 1))
		return -L_EFAULT;
	for (uint64_t i = 0; i < CLOCK->npages; i++)
		free += !pages[i].allocated;
	for (int i = 0; i < EXOS_NPROC; i++)
		procs += SHARED->procs[i].state != PROC_FREE;
	memset(s, 0, sizeof(*s));
	s->uptime = (int64_t)(xok_clock_ns() / 1000000000);
	s->totalram = CLOCK->npages * XOK_PAGE_SIZE;
	s->freeram = free * XOK_PAGE_SIZE;
	s->procs = procs;
	s->mem_unit = 1;
	return 0;
}

/* CPU time: Xok counts the timer ticks (one per slice, 100 Hz) each
 * environment ran. */
static uint64_t my_ticks(void)
{
	return ENVS[xok_env_slot(xok_getenvid())].ticks;
}

SYS(times)
{
	uint64_t *t = (void *)a->a[0];

	if (t && exos_uaccess(a->a[0], 32, 1))
		return -L_EFAULT;
	if (t) {
		t[0] = my_ticks();
		t[1] = t[2] = t[3] = 0;
	}
	return (int64_t)(xok_clock_ns() / 10000000);
}

SYS(getrusage)
{
	struct l_timeval *ru = (void *)a->a[1];
	uint64_t us = my_ticks() * 10000;

	if (exos_uaccess(a->a[1], 144, 1))
		return -L_EFAULT;
	memset(ru, 0, 144);
	if (a->a[0] == 0) /* RUSAGE_SELF */
		ru[0] = (struct l_timeval){ (int64_t)(us / 1000000),
					    (int64_t)(us % 1000000) };
	return 0;
}

/* setpriority and getpriority (PRIO_PROCESS, PRIO_PGRP, PRIO_USER with
 * who 0: the caller, its group, everyone). Xok gives each process one
 * slice and ExOS no other priorities, so the value is kept and reported
 * (nice, renice, top) but changes nothing. */
static int priority_matches(const struct exos_proc *p, uint64_t which,
			    int64_t who)
{
	const struct exos_proc *me = exos_proc_self();

	if (p->state == PROC_FREE)
		return 0;
	switch (which) {
	case 0: return p->pid == (who ? who : me->pid);
	case 1: return p->pgid == (who ? who : me->pgid);
	default: return who == 0;
	}
}

static int64_t priority(uint64_t which, int64_t who, int set, int32_t nice)
{
	int64_t r = -L_ESRCH;

	if (which > 2)
		return -L_EINVAL;
	exos_lock();
	for (int i = 0; i < EXOS_NPROC; i++) {
		struct exos_proc *p = &SHARED->procs[i];

		if (!priority_matches(p, which, who))
			continue;
		if (set) {
			p->nice = nice;
			r = 0;
		} else if (r < 20 - p->nice) {
			/* getpriority: 20 - the lowest nice value matched */
			r = 20 - p->nice;
		}
	}
	exos_unlock();
	return r;
}

SYS(setpriority)
{
	int64_t nice = (int32_t)a->a[2];

	return priority(a->a[0], (int32_t)a->a[1], 1,
			(int32_t)(nice < -20 ? -20 : nice > 19 ? 19 : nice));
}

SYS(getpriority)
{
	return priority(a->a[0], (int32_t)a->a[1], 0, 0);
}

SYS(sched_getaffinity)
{
	if (a->a[1] < 8 || exos_uaccess(a->a[2], 8, 1))
		return a->a[1] < 8 ? -L_EINVAL : -L_EFAULT;
	*(uint64_t *)a->a[2] = 1; /* one CPU */
	return 8;
}

#define L_REBOOT_MAGIC1 0xfee1dead
#define L_REBOOT_POWER_OFF 0x4321fedc
#define L_REBOOT_HALT 0xcdef0123
#define L_REBOOT_RESTART 0x01234567

/* Powering off (or halting, or restarting, which QEMU's harness cannot
 * tell apart) writes everything back and ends init, which ends Xok. */
SYS(reboot)
{
	struct exos_proc *init;

	if ((uint32_t)a->a[0] != L_REBOOT_MAGIC1)
		return -L_EINVAL;
	if (a->a[2] != L_REBOOT_POWER_OFF && a->a[2] != L_REBOOT_HALT &&
	    a->a[2] != L_REBOOT_RESTART)
		return -L_EINVAL;
	exos_sync();
	xok_xn_sync(1);
	if (SELF->pid == 1) {
		xok_exit(0);
		for (;;)
			;
	}
	exos_lock();
	init = exos_proc_find(1);
	xok_env_destroy(0, init->env);
	exos_unlock();
	return 0;
}
