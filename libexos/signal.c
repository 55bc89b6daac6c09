/*
 * signal: Unix signals. A sender sets a bit in the target's process-table
 * entry and bumps its event count, which wakes it if it sleeps (its
 * blocking call then returns EINTR); if the target is another process, the
 * sender then calls it by protected control transfer, and a target running
 * its program takes the signal during that call (sigpct.c). Otherwise the
 * target acts on its pending signals itself: when a system call returns,
 * when it takes a fault, and at the start of a time slice while its
 * attention word is set (the prologue upcall).
 *
 * A handler runs on the program's stack in a frame laid out as Linux's
 * (return address = sa_restorer, then a ucontext and a siginfo), with the
 * x87/SSE state saved below; rt_sigreturn restores all of it.
 */
#include <xok/syscall.h>

#include "../lib/string.h"
#include "exos.h"
#include "sys.h"

#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(L_SIGKILL) | BIT(L_SIGSTOP))
/* Signals whose default action is to do nothing. */
#define DEFAULT_IGNORED (BIT(L_SIGCHLD) | BIT(L_SIGCONT) | BIT(L_SIGWINCH) | \
			 BIT(23) /* SIGURG */)
/* Job-control stops: their default action stops the process. */
#define STOPS (BIT(L_SIGSTOP) | BIT(L_SIGTSTP) | BIT(L_SIGTTIN) | \
	       BIT(L_SIGTTOU))
/* Signals whose default action dumps core (reported in wait's status). */
#define CORE (BIT(L_SIGQUIT) | BIT(L_SIGILL) | BIT(L_SIGTRAP) | \
	      BIT(L_SIGABRT) | BIT(L_SIGBUS) | BIT(L_SIGFPE) | BIT(L_SIGSEGV))

/* Linux's struct ucontext (the kernel's, with an 8-byte sigset). */
struct ucontext {
	uint64_t flags, link;
	uint64_t ss_sp;
	uint32_t ss_flags, pad;
	uint64_t ss_size;
	uint64_t gregs[23];
	uint64_t fpregs;
	uint64_t reserved[8];
	uint64_t sigmask;
};

struct sigframe {
	uint64_t restorer;
	struct ucontext uc;
	struct l_siginfo info;
};

enum { R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX,
       RCX, RSP, RIP, EFL, CSGSFS, ERR, TRAPNO, OLDMASK, CR2 };


/* Tells `p`'s parent that `p` stopped or continued (the lock held). */
static void report_to_parent(struct exos_proc *p, uint32_t what)
{
	struct exos_proc *parent = exos_proc_find(p->ppid);

	p->report = (p->report & ~(uint32_t)(REPORT_STOP | REPORT_CONT)) | what;
	if (parent) {
		exos_signal_send(parent, L_SIGCHLD);
		__atomic_add_fetch(&parent->events, 1, __ATOMIC_RELEASE);
	}
}

int exos_signal_send(struct exos_proc *p, int sig)
{
	if (sig < 1 || sig > L_NSIG)
		return -L_EINVAL;
	/* SIGCONT continues a stopped process whatever it does with it. */
	if (sig == L_SIGCONT && p->stopped) {
		p->stopped = 0;
		report_to_parent(p, REPORT_CONT);
		/* Wake it in stop(), even if it ignores SIGCONT. */
		__atomic_add_fetch(&p->events, 1, __ATOMIC_RELEASE);
	}
	if ((p->ignored & BIT(sig)) && !(BIT(sig) & UNBLOCKABLE))
		return 0;
	__atomic_or_fetch(&p->pending, BIT(sig), __ATOMIC_RELEASE);
	__atomic_store_n(&p->attention, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&p->events, 1, __ATOMIC_RELEASE);
	if (p != exos_proc_self())
		exos_signal_call_later(p->env);
	return 0;
}

/* The default action of a stop signal: the process sleeps until SIGCONT
 * (or dies of SIGKILL meanwhile); its parent hears of both. */
static void stop(int sig)
{
	struct exos_proc *me;

	exos_lock();
	me = exos_proc_self();
	me->stopped = 1;
	me->stopsig = sig;
	report_to_parent(me, REPORT_STOP);
	exos_unlock();
	/* Stopped by a sender's protected control transfer (sigpct.c), the
	 * process answers it first: the sender goes on now, not when this
	 * process is continued. (Otherwise there is no call: E_STATE.) */
	xok_ipc_reply(0, 0, 0, 0);
	exos_lock();
	while (me->stopped && !(me->pending & BIT(L_SIGKILL)))
		exos_wait_events();
	exos_unlock();
}

static uint64_t deliverable(void)
{
	struct exos_proc *p = exos_proc_self();

	uint64_t now = SELF->alarm_ns ? (uint64_t)exos_now_ns() : 0;

	if (SELF->alarm_ns && now >= SELF->alarm_ns) {
		/* An interval timer goes on from when it was due (or from
		 * now, if it fell more than a period behind). */
		SELF->alarm_ns = !SELF->alarm_every_ns ? 0 :
			SELF->alarm_ns + SELF->alarm_every_ns > now ?
			SELF->alarm_ns + SELF->alarm_every_ns :
			now + SELF->alarm_every_ns;
		exos_signal_send(p, L_SIGALRM);
	}
	return p->pending & (~SELF->sigmask | UNBLOCKABLE);
}

int exos_signal_pending(void)
{
	return deliverable() != 0;
}

static void save_regs(const struct xok_trapframe *tf, uint64_t *g)
{
	g[R8] = tf->r8; g[R9] = tf->r9; g[R10] = tf->r10; g[R11] = tf->r11;
	g[R12] = tf->r12; g[R13] = tf->r13; g[R14] = tf->r14;
	g[R15] = tf->r15; g[RDI] = tf->rdi; g[RSI] = tf->rsi;
	g[RBP] = tf->rbp; g[RBX] = tf->rbx; g[RDX] = tf->rdx;
	g[RAX] = tf->rax; g[RCX] = tf->rcx; g[RSP] = tf->rsp;
	g[RIP] = tf->rip; g[EFL] = tf->rflags; g[ERR] = tf->err;
	g[TRAPNO] = tf->trapno;
}

static void load_regs(struct xok_trapframe *tf, const uint64_t *g)
{
	tf->r8 = g[R8]; tf->r9 = g[R9]; tf->r10 = g[R10]; tf->r11 = g[R11];
	tf->r12 = g[R12]; tf->r13 = g[R13]; tf->r14 = g[R14];
	tf->r15 = g[R15]; tf->rdi = g[RDI]; tf->rsi = g[RSI];
	tf->rbp = g[RBP]; tf->rbx = g[RBX]; tf->rdx = g[RDX];
	tf->rax = g[RAX]; tf->rcx = g[RCX]; tf->rsp = g[RSP];
	tf->rip = g[RIP];
	/* Only the flags a program may change: arithmetic, direction. */
	tf->rflags = (tf->rflags & ~0xdd5ull) | (g[EFL] & 0xdd5ull);
}

/* Ends the process as signal `sig`'s default action does. */
static void die_of(int sig) __attribute__((noreturn));
static void die_of(int sig)
{
	exos_exit(sig | ((BIT(sig) & CORE) ? 0x80 : 0));
}

#define L_SS_ONSTACK 1
#define L_SS_DISABLE 2

static int on_altstack(uint64_t sp)
{
	return SELF->altstack_size && sp - SELF->altstack_sp < SELF->altstack_size;
}

uint64_t exos_signal_frame_size(void)
{
	/* push_frame's: the frame, the x87/SSE area and their alignments. */
	return sizeof(struct sigframe) + 512 + 64 + 16;
}

/* Runs the handler of `sig` on the program's stack, or on its alternate
 * stack (SA_ONSTACK, unless already there): 0, or -1 if the frame cannot
 * be written there or the handler is not in the program's memory (the
 * caller then kills the process, as Linux does when the handler faults). */
static int push_frame(struct xok_trapframe *tf, int sig,
		      const struct l_sigaction *act, uint64_t addr)
{
	uint64_t top = (act->flags & L_SA_ONSTACK) && SELF->altstack_size &&
		       !on_altstack(tf->rsp) ?
		SELF->altstack_sp + SELF->altstack_size : tf->rsp - 128;
	uint64_t fpu = ((top - 512) & ~63ull);
	uint64_t sp = ((fpu - sizeof(struct sigframe)) & ~15ull) - 8;
	struct sigframe *f = (struct sigframe *)sp;

	if (act->handler >= EXOS_USER_TOP ||
	    exos_uaccess(sp, fpu + 512 - sp, 1))
		return -1;
	memset(f, 0, sizeof(*f));
	f->restorer = act->restorer;
	f->uc.ss_sp = SELF->altstack_sp;
	f->uc.ss_size = SELF->altstack_size;
	f->uc.ss_flags = !SELF->altstack_size ? L_SS_DISABLE :
			 on_altstack(tf->rsp) ? L_SS_ONSTACK : 0;
	save_regs(tf, f->uc.gregs);
	f->uc.gregs[CR2] = addr;
	f->uc.fpregs = fpu;
	f->uc.sigmask = SELF->restore_mask ? SELF->mask_after : SELF->sigmask;
	SELF->restore_mask = 0;
	f->info.signo = sig;
	f->info.u.addr = addr;
	exos_fxsave((void *)fpu);
	SELF->sigmask |= act->mask;
	if (!(act->flags & L_SA_NODEFER))
		SELF->sigmask |= BIT(sig);
	SELF->sigmask &= ~UNBLOCKABLE;
	if (act->flags & L_SA_RESETHAND)
		SELF->sig[sig - 1].handler = L_SIG_DFL;
	if (!(act->flags & L_SA_RESTART))
		SELF->interrupting++;
	tf->rsp = sp;
	tf->rip = act->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = (uint64_t)&f->info;
	tf->rdx = (uint64_t)&f->uc;
	tf->rax = 0;
	return 0;
}

/* Runs signal `sig`'s action. `restart`: the number of the system call
 * the signal interrupted (it returned EINTR), or -1; a handler installed
 * with SA_RESTART makes the call start again when the handler returns. */
static void deliver(struct xok_trapframe *tf, int sig, uint64_t addr,
		    int64_t restart)
{
	const struct l_sigaction *act = &SELF->sig[sig - 1];

	if (sig == L_SIGKILL || act->handler == L_SIG_DFL) {
		if (BIT(sig) & DEFAULT_IGNORED)
			return;
		if (BIT(sig) & STOPS) {
			stop(sig);
			return;
		}
		die_of(sig);
	}
	if (act->handler == L_SIG_IGN)
		return;
	if (restart >= 0 && (act->flags & L_SA_RESTART)) {
		tf->rip -= 2; /* the `syscall` instruction */
		tf->rax = (uint64_t)restart;
	}
	if (push_frame(tf, sig, act, addr)) {
		exos_printf("exos: pid %d (%s): cannot run the handler %#lx of "
			    "signal %d on the stack below %#lx: killed\n",
			    SELF->pid, SELF->exe, act->handler, sig, tf->rsp);
		die_of(L_SIGSEGV);
	}
}

void exos_signal_deliver(struct xok_trapframe *tf, int64_t restart)
{
	uint64_t set;

	while ((set = deliverable())) {
		int sig = __builtin_ctzll(set) + 1;
		struct exos_proc *p = exos_proc_self();

		__atomic_and_fetch(&p->pending, ~BIT(sig), __ATOMIC_ACQ_REL);
		deliver(tf, sig, 0, restart);
		if (tf->rip == SELF->sig[sig - 1].handler)
			return; /* one handler frame at a time */
	}
	/* No handler ran (the signals were ignored, or stopped and then
	 * continued the process): the interrupted call starts again, as
	 * Linux's do. Not a sleep: begun again it would last its whole
	 * time once more, so it returns EINTR. */
	if (restart >= 0 && restart != L_SYS_nanosleep &&
	    restart != L_SYS_clock_nanosleep) {
		tf->rip -= 2; /* the `syscall` instruction */
		tf->rax = (uint64_t)restart;
	}
}

void exos_signal_fault(struct xok_trapframe *tf, int sig, uint64_t addr)
{
	const struct l_sigaction *act = &SELF->sig[sig - 1];

	/* A fault while the signal is blocked, or inside ExOS, is fatal,
	 * and said on the console (as Linux logs a segfault). */
	if (SELF->in_exos || (SELF->sigmask & BIT(sig)) ||
	    act->handler <= L_SIG_IGN) {
		exos_printf("exos: pid %d (%s): signal %d at %#lx, rip %#lx, "
			    "rsp %#lx%s: killed\n", SELF->pid, SELF->exe, sig,
			    addr, tf->rip, tf->rsp,
			    SELF->in_exos ? ", in the libOS" : "");
		die_of(sig);
	}
	deliver(tf, sig, addr, -1);
}

int exos_signal_can_take(const struct xok_trapframe *tf)
{
	return !SELF->in_exos && tf->rsp < EXOS_USER_TOP;
}

void exos_signal_take(struct xok_trapframe *tf)
{
	/* Cleared before the pending signals are read: a sender sets
	 * pending, then attention, so nothing sent is missed. */
	if (!SELF->alarm_ns)
		__atomic_store_n(&exos_proc_self()->attention, 0,
				 __ATOMIC_SEQ_CST);
	exos_signal_deliver(tf, -1);
}

/* A slice begins while the attention word is set: a signal sent to this
 * process found it inside ExOS or busy (sigpct.c), or an alarm is armed. */
void exos_prologue_upcall(struct xok_upcall_frame *f)
{
	if (exos_signal_can_take(&f->tf))
		exos_signal_take(&f->tf);
	/* else attention stays: the next slice looks again */
}

void exos_signal_exec_reset(void)
{
	SELF->altstack_sp = SELF->altstack_size = 0;
	for (int i = 0; i < L_NSIG; i++)
		if (SELF->sig[i].handler != L_SIG_IGN)
			SELF->sig[i] = (struct l_sigaction){ 0 };
	exos_signal_update_ignored();
}

/* ---- The calls ---- */

/* Publishes which signals this process ignores, so senders drop them
 * (an ignored signal never interrupts a call). */
void exos_signal_update_ignored(void)
{
	uint64_t ign = 0;

	for (int s = 1; s <= L_NSIG; s++) {
		uint64_t h = SELF->sig[s - 1].handler;

		if (h == L_SIG_IGN ||
		    (h == L_SIG_DFL && (BIT(s) & DEFAULT_IGNORED)))
			ign |= BIT(s);
	}
	exos_lock();
	exos_proc_self()->ignored = ign;
	exos_unlock();
}

SYS(rt_sigaction)
{
	int sig = (int)a->a[0];
	const struct l_sigaction *act = (const void *)a->a[1];
	struct l_sigaction *old = (void *)a->a[2];

	if (sig < 1 || sig > L_NSIG || a->a[3] != 8)
		return -L_EINVAL;
	if (act && (BIT(sig) & UNBLOCKABLE))
		return -L_EINVAL;
	if ((act && exos_uaccess((uint64_t)act, sizeof(*act), 0)) ||
	    (old && exos_uaccess((uint64_t)old, sizeof(*old), 1)))
		return -L_EFAULT;
	if (old)
		*old = SELF->sig[sig - 1];
	if (act) {
		SELF->sig[sig - 1] = *act;
		exos_signal_update_ignored();
	}
	return 0;
}

SYS(rt_sigprocmask)
{
	const uint64_t *set = (const void *)a->a[1];
	uint64_t *old = (void *)a->a[2], s;

	if (a->a[3] != 8)
		return -L_EINVAL;
	if ((set && exos_uaccess((uint64_t)set, 8, 0)) ||
	    (old && exos_uaccess((uint64_t)old, 8, 1)))
		return -L_EFAULT;
	s = set ? *set : 0;
	if (old)
		*old = SELF->sigmask;
	if (!set)
		return 0;
	switch (a->a[0]) {
	case L_SIG_BLOCK: SELF->sigmask |= s; break;
	case L_SIG_UNBLOCK: SELF->sigmask &= ~s; break;
	case L_SIG_SETMASK: SELF->sigmask = s; break;
	default: return -L_EINVAL;
	}
	SELF->sigmask &= ~UNBLOCKABLE;
	return 0;
}

SYS(rt_sigreturn)
{
	struct xok_trapframe *tf = a->tf;
	struct ucontext *uc = (struct ucontext *)tf->rsp;
	uint8_t fpu[512] __attribute__((aligned(16)));

	if (exos_uaccess((uint64_t)uc, sizeof(*uc), 0) ||
	    exos_uaccess(uc->fpregs, 512, 0))
		die_of(L_SIGSEGV);
	memcpy(fpu, (const void *)uc->fpregs, 512);
	*(uint32_t *)(fpu + 24) &= 0xffff; /* MXCSR: no reserved bits */
	*(uint32_t *)(fpu + 28) = 0;
	exos_fxrstor(fpu);
	load_regs(tf, uc->gregs);
	SELF->sigmask = uc->sigmask & ~UNBLOCKABLE;
	SELF->in_exos = 0;
	exos_signal_deliver(tf, -1);
	xok_resume(tf);
}

struct l_stack {
	uint64_t sp;
	uint32_t flags, pad;
	uint64_t size;
};
#define L_SS_AUTODISARM (1u << 31)
#define L_MINSIGSTKSZ 2048

SYS(sigaltstack)
{
	const struct l_stack *ss = (const void *)a->a[0];
	struct l_stack *old = (void *)a->a[1];
	uint64_t sp = a->tf->rsp;

	if ((ss && exos_uaccess(a->a[0], sizeof(*ss), 0)) ||
	    (old && exos_uaccess(a->a[1], sizeof(*old), 1)))
		return -L_EFAULT;
	if (ss && on_altstack(sp))
		return -L_EPERM;
	if (ss && (ss->flags & ~(L_SS_DISABLE | L_SS_AUTODISARM)))
		return -L_EINVAL;
	if (ss && !(ss->flags & L_SS_DISABLE) && ss->size < L_MINSIGSTKSZ)
		return -L_ENOMEM;
	if (old)
		*old = (struct l_stack){
			.sp = SELF->altstack_sp, .size = SELF->altstack_size,
			.flags = !SELF->altstack_size ? L_SS_DISABLE :
				 on_altstack(sp) ? L_SS_ONSTACK : 0 };
	if (ss) {
		int off = (ss->flags & L_SS_DISABLE) != 0;

		SELF->altstack_sp = off ? 0 : ss->sp;
		SELF->altstack_size = off ? 0 : ss->size;
	}
	return 0;
}

SYS(rt_sigsuspend)
{
	uint64_t old = SELF->sigmask;
	int r;

	if (a->a[1] != 8 || exos_uaccess(a->a[0], 8, 0))
		return a->a[1] != 8 ? -L_EINVAL : -L_EFAULT;
	SELF->sigmask = *(const uint64_t *)a->a[0] & ~UNBLOCKABLE;
	exos_lock();
	do
		r = exos_wait_change(&exos_proc_self()->events,
				     exos_proc_self()->events, 0);
	while (!r);
	exos_unlock();
	/* The handler runs with the temporary mask; its return restores
	 * the one from before the call. */
	SELF->mask_after = old;
	SELF->restore_mask = 1;
	return -L_EINTR;
}

SYS(pause)
{
	int r;

	(void)a;
	exos_lock();
	do
		r = exos_wait_change(&exos_proc_self()->events,
				     exos_proc_self()->events, 0);
	while (!r);
	exos_unlock();
	return -L_EINTR;
}

/* An armed alarm is checked at each slice's start (a process computing
 * without system calls is reached too). */
static void alarm_armed(void)
{
	if (SELF->alarm_ns)
		__atomic_store_n(&exos_proc_self()->attention, 1,
				 __ATOMIC_RELEASE);
}

/* The alarm is kept by the process itself: its sleeps wake at the
 * deadline, and deliverable() turns a passed deadline into SIGALRM. */
SYS(alarm)
{
	int64_t now = exos_now_ns();
	uint64_t left = SELF->alarm_ns > (uint64_t)now ?
		(SELF->alarm_ns - (uint64_t)now + 999999999) / 1000000000 : 0;

	SELF->alarm_ns = a->a[0] ? (uint64_t)now + a->a[0] * 1000000000ull : 0;
	SELF->alarm_every_ns = 0;
	alarm_armed();
	return (int64_t)left;
}

/* setitimer and getitimer: ITIMER_REAL is the alarm above, with an
 * interval. The CPU-time timers (ITIMER_VIRTUAL, ITIMER_PROF) are not
 * kept: EINVAL. */
struct l_itimerval {
	struct l_timeval interval, value;
};

static uint64_t timeval_ns(const struct l_timeval *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull +
	       (uint64_t)t->tv_usec * 1000;
}

static struct l_timeval ns_timeval(uint64_t ns)
{
	return (struct l_timeval){ (int64_t)(ns / 1000000000),
				   (int64_t)(ns % 1000000000 / 1000) };
}

static void current_timer(struct l_itimerval *v)
{
	uint64_t now = (uint64_t)exos_now_ns();

	v->interval = ns_timeval(SELF->alarm_every_ns);
	v->value = ns_timeval(SELF->alarm_ns > now ? SELF->alarm_ns - now :
			      SELF->alarm_ns ? 1000 : 0);
}

SYS(getitimer)
{
	if (a->a[0] != 0)
		return -L_EINVAL;
	if (exos_uaccess(a->a[1], sizeof(struct l_itimerval), 1))
		return -L_EFAULT;
	current_timer((struct l_itimerval *)a->a[1]);
	return 0;
}

SYS(setitimer)
{
	const struct l_itimerval *v = (const void *)a->a[1];
	struct l_itimerval *old = (void *)a->a[2];

	if (a->a[0] != 0)
		return -L_EINVAL;
	if ((v && exos_uaccess(a->a[1], sizeof(*v), 0)) ||
	    (old && exos_uaccess(a->a[2], sizeof(*old), 1)))
		return -L_EFAULT;
	if (v && (v->value.tv_usec < 0 || v->value.tv_usec >= 1000000 ||
		  v->interval.tv_usec < 0 || v->interval.tv_usec >= 1000000 ||
		  v->value.tv_sec < 0 || v->interval.tv_sec < 0))
		return -L_EINVAL;
	if (old)
		current_timer(old);
	if (v) {
		uint64_t value = timeval_ns(&v->value);

		SELF->alarm_ns = value ? (uint64_t)exos_now_ns() + value : 0;
		SELF->alarm_every_ns = value ? timeval_ns(&v->interval) : 0;
		alarm_armed();
	}
	return 0;
}

static int kill_one(struct exos_proc *p, int sig)
{
	return sig ? exos_signal_send(p, sig) : 0;
}

SYS(kill)
{
	int32_t pid = (int32_t)a->a[0];
	int sig = (int)a->a[1], found = 0;
	struct exos_proc *me;

	if (sig < 0 || sig > L_NSIG)
		return -L_EINVAL;
	exos_lock();
	me = exos_proc_self();
	for (int i = 0; i < EXOS_NPROC; i++) {
		struct exos_proc *p = &SHARED->procs[i];

		if (p->state != PROC_ALIVE)
			continue;
		if ((pid > 0 && p->pid == pid) ||
		    (pid == 0 && p->pgid == me->pgid) ||
		    (pid == -1 && p->pid != 1 && p != me) ||
		    (pid < -1 && p->pgid == -pid)) {
			kill_one(p, sig);
			found = 1;
		}
	}
	exos_unlock();
	return found ? 0 : -L_ESRCH;
}

/* A process has one thread, whose id is its pid: tgkill and tkill are
 * kill of that pid. */
SYS(tgkill)
{
	struct sysargs b = { { a->a[1], a->a[2] }, a->tf };

	return sys_kill(&b);
}

SYS(tkill)
{
	return sys_kill(a);
}
