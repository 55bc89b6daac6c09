/*
 * proc: processes — the shared process table, fork, exit, wait, process
 * groups and sessions.
 *
 * fork makes a new environment under init's (so it outlives its parent,
 * as Unix orphans do) and gives it one slice of its own. The program's
 * memory is shared copy-on-write; ExOS's own private pages (its stack, the
 * struct exos_self, the image's data) are copied at once, so ExOS never
 * takes a copy-on-write fault on its own state; the shared Unix state is
 * mapped as is. The child starts in exos_fork_child on its copy of the
 * parent's ExOS stack, learns who it is, and returns 0 to the program.
 */
#include <xok/error.h>
#include <xok/page.h>
#include <xok/sched.h>
#include <xok/syscall.h>
#include <xok/xn.h>

#include "../lib/string.h"
#include "exos.h"
#include "sys.h"

#define PAGE XOK_PAGE_SIZE
#define PFN(pte) (((pte) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT)
#define XSTACK_PAGES (XOK_XSTACK_SIZE / XOK_PAGE_SIZE)
#define IMAGE_SPAN (1ull << 30)

struct exos_proc *exos_proc_find(int32_t pid)
{
	for (int i = 0; i < EXOS_NPROC; i++)
		if (SHARED->procs[i].state != PROC_FREE &&
		    SHARED->procs[i].pid == pid)
			return &SHARED->procs[i];
	return 0;
}

struct exos_proc *exos_proc_self(void)
{
	struct exos_proc *p = &SHARED->procs[SELF->slot % EXOS_NPROC];

	if (p->state != PROC_FREE && p->pid == SELF->pid)
		return p;
	if (!(p = exos_proc_find(SELF->pid)))
		exos_panic("not in the process table");
	SELF->slot = (uint32_t)(p - SHARED->procs);
	return p;
}

static struct exos_proc *proc_alloc(void)
{
	for (int i = 0; i < EXOS_NPROC; i++)
		if (SHARED->procs[i].state == PROC_FREE) {
			struct exos_proc *p = &SHARED->procs[i];

			memset(p, 0, sizeof(*p));
			do
				p->pid = SHARED->next_pid++ % 32768;
			while (p->pid < 2 || exos_proc_find(p->pid));
			return p;
		}
	return 0;
}

/* ---- Process 1 ---- */

int exos_proc_first(uint64_t brk_start)
{
	struct exos_proc *p;

	for (uint64_t i = 0; i < EXOS_SHARED_PAGES; i++)
		if (exos_map_fresh(EXOS_SHARED + i * PAGE,
				   XOK_PTE_W | XOK_PTE_NX | EXOS_PTE_SHARED) < 0)
			return -1;
	for (uint64_t i = 0; i < EXOS_SELF_PAGES; i++)
		if (exos_map_fresh(EXOS_SELF + i * PAGE,
				   XOK_PTE_W | XOK_PTE_NX) < 0)
			return -1;
	SHARED->magic = EXOS_SHARED_MAGIC;
	SHARED->init_env = xok_getenvid();
	SHARED->next_pid = 2;
	p = &SHARED->procs[0];
	*p = (struct exos_proc){ .pid = 1, .ppid = 0, .pgid = 1, .sid = 1,
				 .env = xok_getenvid(), .state = PROC_ALIVE };
	memcpy(p->comm, "init", 5);
	SELF->magic = EXOS_SELF_MAGIC;
	SELF->env = xok_getenvid();
	SELF->pid = 1;
	SELF->umask = 022;
	memcpy(SELF->cwd, "/", 2);
	/* The kernel started it by the name it is embedded under. */
	for (int i = 0; i < 15; i++)
		SELF->exe[i] = ENVS[xok_env_slot(xok_getenvid())].name[i];
	memcpy(p->exe, SELF->exe, 16);
	/* Its command line for ps: that name (the kernel's arguments are
	 * not kept). */
	p->cmdline_len = (uint32_t)strlen(SELF->exe) + 1;
	memcpy(p->cmdline, SELF->exe, p->cmdline_len);
	exos_mem_exec_reset(brk_start);
	for (int i = 0; i < EXOS_NFD; i++)
		SELF->fd[i].file = -1;
	exos_tty_init();
	exos_signal_update_ignored();
	/* Keep one slice; the rest are for the processes to come. */
	for (unsigned i = 1; i < XOK_NSLICES; i++)
		xok_slice_free(0, 0, i);
	/* The root file system: C-FFS's root "files" on disk 0, if any. */
	if (((const volatile struct xok_disk *)XOK_UDISKS)[0].nblocks &&
	    xok_xn_mount(0, 0) < 0)
		exos_printf("exos: disk 0 is not an XN disk\n");
	exos_fs_ready();
	if (!exos_root_fs)
		exos_printf("exos: no C-FFS root file system: only /dev and "
			    "/proc\n");
	/* Once per boot: what a crash left half-removed is released. */
	else if (cffs_reclaim(exos_root_fs) < 0)
		exos_printf("exos: cannot release what a crash left on the "
			    "root file system\n");
	/* Descriptors 0, 1, 2: the console. */
	int fd = exos_open("/dev/console", L_O_RDWR, 0);

	if (fd != 0 || exos_fd_install(SELF->fd[0].file, 0) != 1 ||
	    exos_fd_install(SELF->fd[0].file, 0) != 2)
		return -1;
	SHARED->files[SELF->fd[0].file].refs += 2;
	exos_init_upcalls(); /* now with the prologue */
	return 0;
}

/* ---- fork ---- */

struct fork_state {
	uint64_t child;
	struct xok_pte_share how; /* what pte_share does to each table */
};

/* Gives the child its own copy of the page at `va`. */
static int copy_page(uint64_t va, uint64_t pte, void *arg)
{
	const struct fork_state *s = arg;
	uint64_t scratch = EXOS_SCRATCH + 16 * PAGE;
	int64_t r;

	if ((r = xok_page_alloc(0, 0, scratch, XOK_PTE_W | XOK_PTE_NX,
				XOK_PFN_ANY)) < 0)
		return (int)r;
	memcpy((void *)scratch, (const void *)va, PAGE);
	r = xok_page_map(0, s->child, va, 0, PFN(exos_pte(scratch)),
			 pte & XOK_PTE_USER_BITS);
	xok_page_unmap(0, 0, scratch);
	return (int)r;
}

/* One page table's worth of mappings into the child (Xok's pte_share). */
static int share_table(uint64_t va, uint64_t pde, void *arg)
{
	struct fork_state *s = arg;
	int64_t r;

	(void)pde;
	s->how.va = va & ~(XOK_PTE_SHARE_SPAN - 1); /* the whole table */
	r = xok_pte_share(0, s->child, &s->how);
	return r < 0 ? (int)r : 0;
}

/* Maps [lo, hi) into the child a page table at a time: as they are, or
 * (cow) with private writable pages copy-on-write in both — read-only
 * and EXOS_PTE_SHARED pages stay as they are. */
static int share_range(struct fork_state *s, uint64_t lo, uint64_t hi,
		       int cow)
{
	s->how = cow ? (struct xok_pte_share){
			       .when = XOK_PTE_W, .unless = EXOS_PTE_SHARED,
			       .clear = XOK_PTE_W, .set = EXOS_PTE_COW,
			       .both = 1 } :
		       (struct xok_pte_share){ 0 };
	return exos_walk_tables(lo, hi, share_table, s);
}

/* The child's memory: the program's and the image's pages copy-on-write,
 * the shared pages and pipe rings the same frames, ExOS's own stack and
 * private state copied now (ExOS runs on them before it could take a
 * fault), a fresh exception stack. */
static int fork_memory(struct fork_state *s)
{
	int r;

	if ((r = share_range(s, 0, EXOS_USER_TOP, 1)) ||
	    (r = share_range(s, EXOS_SHARED,
			     EXOS_SHARED + EXOS_SHARED_PAGES * PAGE, 0)) ||
	    (r = share_range(s, EXOS_PIPEBUF,
			     EXOS_PIPEBUF + EXOS_NPIPE * EXOS_PIPE_SIZE, 0)) ||
	    (r = share_range(s, XOK_EXOS_IMAGE, XOK_EXOS_IMAGE + IMAGE_SPAN,
			     1)) ||
	    (r = exos_walk(EXOS_SELF, EXOS_SELF + EXOS_SELF_PAGES * PAGE,
			   copy_page, s)) ||
	    (r = exos_walk(EXOS_STACK_TOP - EXOS_STACK_MAX, EXOS_STACK_TOP,
			   copy_page, s)))
		return r;
	for (unsigned i = 1; i <= XSTACK_PAGES; i++)
		if ((r = (int)xok_page_alloc(0, s->child,
					     EXOS_XSTACK_TOP - i * PAGE,
					     XOK_PTE_W | XOK_PTE_NX,
					     XOK_PFN_ANY)) < 0)
			return r;
	return 0;
}

/* Child `p` holds what this process's descriptors hold (the lock held). */
static void share_descriptors(struct exos_proc *p, const struct exos_proc *me)
{
	memcpy(p->holds, me->holds, sizeof(p->holds));
	for (int i = 0; i < EXOS_NFD; i++)
		if (SELF->fd[i].file >= 0)
			SHARED->files[SELF->fd[i].file].refs++;
}

int64_t exos_fork(const struct xok_trapframe *tf, uint64_t child_sp,
		  uint64_t child_tid)
{
	struct fork_state s;
	struct xok_env_state st;
	struct exos_proc *me, *p;
	int64_t child, r;

	exos_lock();
	me = exos_proc_self();
	if (!(p = proc_alloc())) {
		exos_unlock();
		return -L_EAGAIN;
	}
	if ((child = xok_env_alloc(0, SHARED->init_env)) < 0) {
		exos_unlock();
		return -L_EAGAIN;
	}
	s.child = (uint64_t)child;
	/* The child holds what this process holds (see exos.h). */
	struct xok_cap cap = ENVS[xok_env_slot(xok_getenvid())].caps[0];

	if ((r = xok_cap_grant(0, 0, s.child, 0, &cap)) < 0 ||
	    (r = xok_env_get(0, 0, &st)) < 0 || (r = fork_memory(&s)) ||
	    (r = xok_slice_alloc(0, 0, XOK_SLICE_ANY, s.child)) < 0) {
		xok_env_destroy(0, s.child);
		exos_unlock();
		return r == E_NOMEM ? -L_ENOMEM : -L_EAGAIN;
	}
	p->ppid = me->pid;
	p->pgid = me->pgid;
	p->sid = me->sid;
	p->env = s.child;
	p->ignored = me->ignored;
	p->nice = me->nice;
	p->state = PROC_ALIVE;
	p->start_ns = (int64_t)xok_clock_ns();
	memcpy(p->comm, me->comm, sizeof(p->comm));
	memcpy(p->exe, me->exe, sizeof(p->exe));
	memcpy(p->cmdline, me->cmdline, sizeof(p->cmdline));
	p->cmdline_len = me->cmdline_len;
	/* Before the child can run, or this process vanish: the counts and
	 * the references they stand for go together. */
	share_descriptors(p, me);
	/* The child runs exos_fork_child(tf) on its copy of this stack,
	 * below everything live here. */
	st.prologue_if = (uint64_t)&p->attention;
	st.tf.rip = (uint64_t)exos_fork_child;
	st.tf.rdi = (uint64_t)tf;
	st.tf.rsi = child_sp;
	st.tf.rdx = child_tid;
	st.tf.rsp = (((uint64_t)__builtin_frame_address(0) - 4096) & ~15ull) - 8;
	st.tf.rflags = 0x202;
	r = xok_env_set(0, s.child, &st, XOK_SET_REGS | XOK_SET_FSBASE |
			XOK_SET_UPCALLS | XOK_SET_IPC);
	if (r < 0 || xok_env_status(0, s.child, XOK_ENV_RUNNABLE) < 0) {
		exos_fd_drop_holds(p);
		p->state = PROC_FREE;
		xok_env_destroy(0, s.child);
		exos_unlock();
		return -L_EAGAIN;
	}
	exos_unlock();
	return p->pid;
}

void exos_fork_child(struct xok_trapframe *tf, uint64_t sp, uint64_t tid)
{
	uint64_t me = xok_getenvid();

	SELF->env = me;
	for (int i = 0; i < EXOS_NPROC; i++)
		if (SHARED->procs[i].state == PROC_ALIVE &&
		    SHARED->procs[i].env == me)
			SELF->pid = SHARED->procs[i].pid;
	/* Timers are not inherited (an alternate stack is), nor signals
	 * the parent had yet to send by call. */
	SELF->alarm_ns = SELF->alarm_every_ns = 0;
	SELF->ncalls = 0;
	if (sp)
		tf->rsp = sp;
	if (tid && !exos_uaccess(tid, 4, 1))
		*(int32_t *)tid = SELF->pid;
	tf->rax = 0;
	SELF->in_exos = 0;
	xok_resume(tf);
}

SYS(fork)
{
	return exos_fork(a->tf, 0, 0);
}

/* vfork's child shares nothing here: it is a fork, which programs that
 * use vfork correctly cannot tell apart. */
SYS(vfork)
{
	return exos_fork(a->tf, 0, 0);
}

#define L_CLONE_VM     0x100
#define L_CLONE_VFORK  0x4000
#define L_CLONE_THREAD 0x10000
#define L_CLONE_PARENT_SETTID 0x100000
#define L_CLONE_CHILD_SETTID 0x1000000

/* clone and clone3 as glibc's fork, vfork and posix_spawn use them: a
 * new process. CLONE_VM with CLONE_VFORK (posix_spawn's child on a stack
 * of its own) is a fork whose child starts on that stack — it shares
 * nothing, which a child that only execs or exits cannot tell, except
 * that an exec error it stores is not seen by the parent (which then
 * sees the child exit 127). Threads (CLONE_VM without CLONE_VFORK) are
 * not supported. The thread ids asked for are the process's pid. */
static int64_t clone_process(const struct sysargs *a, uint64_t flags,
			     uint64_t sp, uint64_t parent_tid,
			     uint64_t child_tid)
{
	int64_t pid;

	if ((flags & L_CLONE_THREAD) ||
	    ((flags & L_CLONE_VM) && !(flags & L_CLONE_VFORK)))
		return -L_ENOSYS;
	if ((flags & L_CLONE_PARENT_SETTID) &&
	    exos_uaccess(parent_tid, 4, 1))
		return -L_EFAULT;
	pid = exos_fork(a->tf, (flags & L_CLONE_VM) ? sp : 0,
			(flags & L_CLONE_CHILD_SETTID) ? child_tid : 0);
	if (pid > 0 && (flags & L_CLONE_PARENT_SETTID))
		*(int32_t *)parent_tid = (int32_t)pid;
	return pid;
}

SYS(clone)
{
	/* x86-64: flags, stack, parent_tid, child_tid, tls */
	return clone_process(a, a->a[0], a->a[1], a->a[2], a->a[3]);
}

struct l_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

SYS(clone3)
{
	const struct l_clone_args *ca = (const void *)a->a[0];

	if (a->a[1] < sizeof(*ca))
		return -L_EINVAL;
	if (exos_uaccess(a->a[0], sizeof(*ca), 0))
		return -L_EFAULT;
	if (ca->exit_signal > L_NSIG || (ca->flags & 0xff))
		return -L_EINVAL;
	return clone_process(a, ca->flags,
			     ca->stack ? ca->stack + ca->stack_size : 0,
			     ca->parent_tid, ca->child_tid);
}

/* ---- exit and wait ---- */

static void wake(struct exos_proc *p)
{
	__atomic_add_fetch(&p->events, 1, __ATOMIC_RELEASE);
}

/* Process `p` has ended with `wstatus`: its children go to init, it
 * becomes a zombie, and its parent hears (the lock held). */
static void ended(struct exos_proc *p, int32_t wstatus)
{
	struct exos_proc *parent;

	for (int i = 0; i < EXOS_NPROC; i++) {
		struct exos_proc *c = &SHARED->procs[i];

		if (c->state != PROC_FREE && c->ppid == p->pid) {
			c->ppid = 1;
			wake(exos_proc_find(1));
		}
	}
	p->wstatus = wstatus;
	p->state = PROC_ZOMBIE;
	if ((parent = exos_proc_find(p->ppid))) {
		exos_signal_send(parent, L_SIGCHLD);
		wake(parent);
	}
}

void exos_exit(int32_t wstatus)
{
	exos_fd_close_all(0);
	exos_lock();
	ended(exos_proc_self(), wstatus);
	exos_unlock();
	xok_exit(wstatus >> 8 ? wstatus >> 8 : wstatus);
	for (;;)
		;
}

/* Ends `p` as killed if its environment is gone while it is alive (the
 * lock held). */
static void bury_if_vanished(struct exos_proc *p)
{
	if (p->state != PROC_ALIVE || ENVS[xok_env_slot(p->env)].id == p->env)
		return;
	exos_printf("exos: pid %d (%s) vanished without exiting (its "
		    "environment is gone): ended as killed\n", p->pid, p->exe);
	exos_fd_drop_holds(p);
	ended(p, L_SIGKILL);
}

void exos_proc_bury_vanished(void)
{
	for (int i = 0; i < EXOS_NPROC; i++)
		bury_if_vanished(&SHARED->procs[i]);
}

SYS(exit)
{
	exos_exit((int32_t)((a->a[0] & 0xff) << 8));
}

SYS(exit_group)
{
	exos_exit((int32_t)((a->a[0] & 0xff) << 8));
}

/* Does child `c` match wait's `pid` argument (as the caller `me`)? */
static int wait_matches(const struct exos_proc *c, const struct exos_proc *me,
			int64_t pid)
{
	if (c->state == PROC_FREE || c->ppid != me->pid)
		return 0;
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == me->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return 1;
}

/* What wait4 reports of child `c`, consuming it (a zombie is freed), or
 * -1 if nothing `options` asks for happened to it. */
static int32_t change_status(struct exos_proc *c, uint64_t options)
{
	if (c->state == PROC_ZOMBIE) {
		c->state = PROC_FREE;
		return c->wstatus;
	}
	if ((options & L_WUNTRACED) && (c->report & REPORT_STOP)) {
		c->report &= ~(uint32_t)REPORT_STOP;
		return (c->stopsig << 8) | 0x7f;
	}
	if ((options & L_WCONTINUED) && (c->report & REPORT_CONT)) {
		c->report &= ~(uint32_t)REPORT_CONT;
		return 0xffff;
	}
	return -1;
}

SYS(wait4)
{
	int64_t pid = (int32_t)a->a[0];
	int32_t *status = (int32_t *)a->a[1];
	uint64_t options = a->a[2];
	int r;

	if (status && exos_uaccess((uint64_t)status, 4, 1))
		return -L_EFAULT;
	if (a->a[3] && exos_uaccess(a->a[3], 144, 1))
		return -L_EFAULT;
	exos_lock();
	for (int interrupted = 0;;) {
		struct exos_proc *me = exos_proc_self();
		uint64_t seen = me->events;
		int any = 0;

		for (int i = 0; i < EXOS_NPROC; i++) {
			struct exos_proc *c = &SHARED->procs[i];

			if (!wait_matches(c, me, pid))
				continue;
			any = 1;
			bury_if_vanished(c);
			int32_t cpid = c->pid, st = change_status(c, options);

			if (st < 0)
				continue;
			if (status)
				*status = st;
			if (a->a[3])
				memset((void *)a->a[3], 0, 144);
			exos_unlock();
			return cpid;
		}
		if (!any) {
			exos_unlock();
			return -L_ECHILD;
		}
		if (options & L_WNOHANG) {
			exos_unlock();
			return 0;
		}
		/* A signal ends the wait only after a last look: the child
		 * whose end sent SIGCHLD is reported, as Linux does. */
		if (interrupted) {
			exos_unlock();
			return -L_EINTR;
		}
		if (SELF->pid == 1)
			exos_proc_bury_vanished(); /* it looks for everyone */
		r = exos_wait_change(&me->events, seen, SELF->pid == 1 ?
				     EXOS_VANISHED_CHECK_NS : 0);
		if (r == -L_EINTR) {
			interrupted = 1;
		} else if (r) {
			exos_unlock();
			return r;
		}
	}
}

/* ---- Identity, groups, sessions ---- */

SYS(getpid)
{
	(void)a;
	return SELF->pid;
}

SYS(gettid)
{
	(void)a;
	return SELF->pid;
}

SYS(getppid)
{
	int32_t r;

	(void)a;
	exos_lock();
	r = exos_proc_self()->ppid;
	exos_unlock();
	return r;
}

/* Reads a field of process `pid` (0: the caller), under the lock. */
static int64_t proc_field(int64_t pid, size_t offset)
{
	struct exos_proc *p;
	int64_t r;

	exos_lock();
	p = pid ? exos_proc_find((int32_t)pid) : exos_proc_self();
	r = p ? *(int32_t *)((char *)p + offset) : -L_ESRCH;
	exos_unlock();
	return r;
}

SYS(getpgid)
{
	return proc_field((int32_t)a->a[0], offsetof(struct exos_proc, pgid));
}

SYS(getpgrp)
{
	(void)a;
	return proc_field(0, offsetof(struct exos_proc, pgid));
}

SYS(getsid)
{
	return proc_field((int32_t)a->a[0], offsetof(struct exos_proc, sid));
}

SYS(setpgid)
{
	int32_t pid = (int32_t)a->a[0], pgid = (int32_t)a->a[1];
	struct exos_proc *me, *p;
	int64_t r = 0;

	if (pgid < 0)
		return -L_EINVAL;
	exos_lock();
	me = exos_proc_self();
	p = pid ? exos_proc_find(pid) : me;
	if (!p || (p != me && p->ppid != me->pid))
		r = -L_ESRCH;
	else if (p->sid != me->sid || p->pid == p->sid)
		r = -L_EPERM;
	else
		p->pgid = pgid ? pgid : p->pid;
	exos_unlock();
	return r;
}

SYS(setsid)
{
	struct exos_proc *me;
	int64_t r;

	(void)a;
	exos_lock();
	me = exos_proc_self();
	if (me->pgid == me->pid) {
		r = -L_EPERM;
	} else {
		/* The console goes to the newest session (ExOS has one
		 * terminal): its jobs get ^C. */
		me->sid = me->pgid = me->pid;
		SHARED->tty.fg_pgid = me->pid;
		r = me->pid;
	}
	exos_unlock();
	return r;
}

SYS(set_tid_address)
{
	SELF->clear_tid = a->a[0];
	return SELF->pid;
}

SYS(sched_yield)
{
	(void)a;
	xok_yield();
	return 0;
}
