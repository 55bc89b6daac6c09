/*
 * sched: slices, epilogues, donation, sleeping.
 */
#include "sched.h"

#include <xok/error.h>
#include <xok/sched.h>

#include "cap.h"
#include "console.h"
#include "cpu.h"
#include "export.h"
#include "ipc.h"
#include "lapic.h"
#include "pmap.h"
#include "shutdown.h"
#include "syscall_decls.h"
#include "upcall.h"
#include "wk.h"
#include "x86.h"

static int exit_code = EXIT_PASS;
/* The running environment overran its slice and is in its grace period. */
static struct env *grace_env;
/* A donor to resume at once after the environment it lent to is gone. */
static struct env *resume_next;

static struct xok_cpu_slices *vec(void)
{
	return &exp_slices[thiscpu()->id];
}

void sched_set_exit_code(int code)
{
	exit_code = code;
}

uint64_t clock_ns(void)
{
	uint64_t delta = rdtsc() - exp_clock.boot_tsc;

	return (uint64_t)(((unsigned __int128)delta * exp_clock.ns_mult) >>
			  XOK_CLOCK_SHIFT);
}

void sched_init(void)
{
	vec()->nslices = XOK_NSLICES;
	vec()->pos = XOK_NSLICES - 1; /* the first slice started is 0 */
	exp_clock.tsc_hz = tsc_hz;
	exp_clock.boot_tsc = rdtsc();
	exp_clock.ns_mult = (1000000000ull << XOK_CLOCK_SHIFT) / tsc_hz;
	exp_clock.slice_ns = SLICE_NS;
	exp_clock.ncpu = 1;
	exp_clock.npages = phys_pages.npages;
}

void sched_give_slices(struct env **list, int n)
{
	for (int i = 0; i < XOK_NSLICES && n > 0; i++) {
		struct env *e = list[i % n];

		vec()->slice[i].owner = e->pub->id;
		vec()->slice[i].guard = e->pub->guard;
	}
}

static int wk_read(uint64_t addr, unsigned size, uint64_t *out, void *ctx)
{
	return pmap_read_user_word(((struct env *)ctx)->pml4_pa, addr, size,
				   out);
}

/* Wakes every sleeper whose predicate now holds (or can no longer be
 * read: it wakes with E_FAULT). */
static void wake_sleepers(void)
{
	uint64_t now = clock_ns();

	for (int i = 0; i < NENV; i++) {
		struct env *e = &envs[i];
		int r;

		if (!exp_envs[i].id || exp_envs[i].status != XOK_ENV_SLEEPING)
			continue;
		r = wk_eval(e->wk, e->wk_len, wk_read, e, now);
		if (r == WK_ASLEEP)
			continue;
		e->tf.rax = r >= 0 ? (uint64_t)r : (uint64_t)(int64_t)E_FAULT;
		env_set_status(e, XOK_ENV_RUNNABLE);
	}
}

/*
 * The environment holding the donation `e` runs on: `e` itself if someone
 * donated to it, or else, while `e` serves a protected control transfer,
 * the caller waiting for it (a server runs on its caller's time), and so
 * on up a chain of calls; 0 if `e` runs on no donation. Without following
 * calls, a donor whose donee called a server would never learn that the
 * slice ended or that the server blocked, and would wait for good.
 */
static struct env *donation_holder(struct env *e)
{
	for (int hops = 0; e && hops < NENV; hops++) {
		struct env *c;

		if (e->pub->donor)
			return e;
		c = env_lookup(e->pub->ipc_caller);
		if (!c || c->pub->status != XOK_ENV_WAITING ||
		    c->pub->ipc_callee != e->pub->id)
			return 0;
		e = c;
	}
	return 0;
}

/* Ends the slice's donations: each donor in the chain above the running
 * environment learns that the slice ended. */
static void end_donations(void)
{
	struct env *e = donation_holder(curenv());

	while (e) {
		struct env *d = env_lookup(e->pub->donor);

		e->pub->donor = 0;
		if (d && d->pub->status == XOK_ENV_DONATING) {
			d->pub->status = XOK_ENV_RUNNABLE;
			d->tf.rax = XOK_YIELD_SLICE_END;
		}
		e = donation_holder(d);
	}
}

/* Who runs in a slice owned by `owner`: the owner, or, while it waits for
 * a reply, the environment serving it (implicit donation), or nobody. */
static struct env *runner_for(struct env *owner)
{
	for (int hops = 0; owner && hops < NENV; hops++) {
		if (owner->pub->status == XOK_ENV_RUNNABLE)
			return owner;
		if (owner->pub->status != XOK_ENV_WAITING)
			return 0;
		owner = env_lookup(owner->pub->ipc_callee);
	}
	return 0;
}

static int any_slice_owned(void)
{
	for (int i = 0; i < XOK_NSLICES; i++)
		if (env_lookup(vec()->slice[i].owner))
			return 1;
	return 0;
}

/* Does `e` want its prologue upcall now? Without a condition word, or
 * with one that cannot be read, it does. */
static int prologue_wanted(const struct env *e)
{
	uint64_t word;

	return !e->pub->upcall[XOK_UPCALL_PROLOGUE] ? 0 :
	       !e->pub->prologue_if ||
	       copy_from_user(e->pml4_pa, &word, e->pub->prologue_if,
			      sizeof(word)) ||
	       word != 0;
}

/* Runs `e` at the start of a slice, through its prologue if it has one. */
static void start_slice(struct env *e, struct env *owner)
{
	exp_clock.slices++;
	exp_clock.status_changes++;
	vec()->start_ns = clock_ns();
	thiscpu()->timer_missed = 0; /* ticks missed while idle do not count */
	lapic_timer_arm(SLICE_NS);
	if (e == owner && prologue_wanted(e) &&
	    upcall_push(e, XOK_UPCALL_PROLOGUE, XOK_TRAP_PROLOGUE, 0)) {
		cprintf("xok: env %#lx (%s): cannot deliver its prologue "
			"upcall\n", e->pub->id, e->pub->name);
		env_destroy(e, E_FAULT);
		sched_next_slice();
	}
	env_run(e);
}

void sched_next_slice(void)
{
	struct xok_cpu_slices *v = vec();

	end_donations();
	grace_env = 0;
	resume_next = 0;
	for (;;) {
		wake_sleepers();
		for (int i = 0; i < XOK_NSLICES; i++) {
			struct env *owner, *e;

			v->pos = (v->pos + 1) % XOK_NSLICES;
			if (!(owner = env_lookup(v->slice[v->pos].owner)))
				continue;
			if (owner->pub->penalty) {
				owner->pub->penalty--; /* forfeited */
				continue;
			}
			if (owner->brief_call)
				ipc_slice_starts(owner);
			if ((e = runner_for(owner)))
				start_slice(e, owner);
		}
		if (env_count() == 0) {
			cprintf("xok: no environments left; halting\n");
			machine_exit(exit_code);
		}
		if (!any_slice_owned()) {
			cprintf("xok: environments remain but none owns a "
				"slice; halting\n");
			machine_exit(exit_code == EXIT_PASS ? EXIT_FAIL
							    : exit_code);
		}
		/* Nothing can run now: wait for the next tick or device. */
		thiscpu()->cur = 0;
		v->running = 0;
		pmap_load_kernel();
		lapic_timer_arm(SLICE_NS);
		sti_hlt();
	}
}

void sched_timer(void)
{
	struct env *e = curenv();

	e->pub->ticks++;
	if (grace_env) {
		if (grace_env == e) {
			/* It kept the CPU past its grace period. */
			e->pub->overruns++;
			e->pub->penalty++;
		}
		sched_next_slice();
	}
	if (e->uarea->critical) {
		/* In a critical section: ask it to yield when it leaves. */
		e->uarea->epilogue_pending = 1;
	} else if (!e->pub->upcall[XOK_UPCALL_EPILOGUE] ||
		   upcall_push(e, XOK_UPCALL_EPILOGUE, XOK_TRAP_EPILOGUE, 0)) {
		sched_next_slice(); /* the kernel switches it itself */
	}
	grace_env = e;
	lapic_timer_arm(GRACE_NS);
	env_run(e);
}

/* Ends the loan `h` holds (donation_holder): its donor runs again. */
static __attribute__((noreturn)) void return_to_donor(struct env *h,
						     uint64_t reason)
{
	struct env *d = env_lookup(h->pub->donor);

	h->pub->donor = 0;
	if (!d || d->pub->status != XOK_ENV_DONATING)
		sched_next_slice();
	d->pub->status = XOK_ENV_RUNNABLE;
	d->tf.rax = reason;
	env_run(d);
}

void sched_return_loan(struct env *e)
{
	return_to_donor(e, XOK_YIELD_RETURNED);
}

uint64_t sched_callers_loan_flags(struct env *e)
{
	struct env *h = donation_holder(e);

	return h ? h->loan_flags : 0;
}

void sched_end_loan(struct env *e, uint64_t reason)
{
	return_to_donor(donation_holder(e), reason);
}

void sched_block(struct env *e)
{
	struct env *h = donation_holder(e);

	if (h)
		return_to_donor(h, XOK_YIELD_BLOCKED);
	sched_next_slice();
}

void sched_after_destroy(void)
{
	struct env *d = resume_next;

	resume_next = 0;
	if (curenv())
		env_run(curenv()); /* the caller destroyed someone else */
	if (d && d->pub->status == XOK_ENV_RUNNABLE)
		env_run(d);
	sched_next_slice();
}

void sched_env_gone(struct env *e)
{
	uint64_t id = e->pub->id;
	struct env *d = env_lookup(e->pub->donor);

	for (int i = 0; i < XOK_NSLICES; i++)
		if (vec()->slice[i].owner == id)
			vec()->slice[i] = (struct xok_slice){ 0 };
	if (d && d->pub->status == XOK_ENV_DONATING) {
		d->pub->status = XOK_ENV_RUNNABLE;
		d->tf.rax = XOK_YIELD_GONE;
		if (curenv() == e)
			resume_next = d;
	}
	for (int i = 0; i < NENV; i++) {
		struct xok_env *p = &exp_envs[i];

		if (!p->id || p->id == id)
			continue;
		if (p->donor == id)
			p->donor = 0;
		if (p->ipc_caller == id)
			p->ipc_caller = 0; /* its reply will go nowhere */
		if (p->ipc_callee == id) {
			p->ipc_callee = 0;
			envs[i].brief_call = 0;
			env_set_status(&envs[i], XOK_ENV_RUNNABLE);
			envs[i].tf.rax = (uint64_t)(int64_t)E_BADENV;
		}
	}
	if (grace_env == e)
		grace_env = 0;
}

int64_t sys_yield(void)
{
	struct env *e = curenv(), *h = donation_holder(e);

	e->tf.rax = 0;
	if (e->uarea->epilogue_pending)
		e->uarea->epilogue_pending = 0;
	if (h)
		return_to_donor(h, XOK_YIELD_RETURNED);
	sched_next_slice();
}

/* yield_to and yield_loan, once `flags` are known to be valid. */
static inline int64_t lend(uint64_t id, uint64_t flags)
{
	struct env *self = curenv(), *t = env_lookup(id);

	if (!t)
		return E_BADENV;
	if (t == self || t->pub->status != XOK_ENV_RUNNABLE)
		return E_STATE;
	self->tf.rax = 0;
	if (t->pub->id == self->pub->donor)
		return_to_donor(self, XOK_YIELD_RETURNED); /* yields back */
	if (sched_loan_flags(self) & XOK_LOAN_SWITCH)
		return E_PERM; /* its lender decides every switch */
	self->pub->status = XOK_ENV_DONATING;
	t->pub->donor = self->pub->id;
	t->loan_flags = flags;
	env_run(t);
}

int64_t sys_yield_loan(uint64_t id, uint64_t flags)
{
	if (flags & ~(uint64_t)XOK_LOAN_FLAGS)
		return E_INVAL;
	return lend(id, flags);
}

int64_t sys_yield_to(uint64_t id)
{
	return lend(id, 0);
}

static int wk_readable(uint64_t addr, unsigned size, void *ctx)
{
	(void)size; /* aligned words never cross a page */
	return pmap_user_readable(((struct env *)ctx)->pml4_pa, addr);
}

int64_t sys_wk_sleep(const struct xok_wk_insn *prog, uint64_t n)
{
	struct env *e = curenv();
	int r;

	if (n == 0 || n > XOK_WK_MAXINSNS)
		return E_INVAL;
	if (copy_from_user(e->pml4_pa, e->wk, (uint64_t)prog,
			   n * sizeof(*prog)))
		return E_FAULT;
	if (wk_check(e->wk, n, wk_readable, e, 0))
		return E_INVAL;
	e->wk_len = n;
	r = wk_eval(e->wk, n, wk_read, e, clock_ns());
	if (r >= 0)
		return r;
	if (r == WK_FAULT)
		return E_FAULT;
	env_set_status(e, XOK_ENV_SLEEPING);
	sched_block(e);
}
