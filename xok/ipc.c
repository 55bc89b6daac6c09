/*
 * ipc: protected control transfer. A call runs the callee at once, at its
 * IPC upcall entry, on the caller's slice; the caller waits (status
 * WAITING) until the reply, and its slices keep running the callee
 * meanwhile (sched.c: implicit donation) — a brief call's, only the rest
 * of the slice it was made in and one more. Contracts in xok/syscalls.tab.
 */
#include <xok/env.h>
#include <xok/error.h>

#include "env.h"
#include "ipc.h"
#include "pmap.h"
#include "sched.h"
#include "syscall_decls.h"
#include "upcall.h"

static int64_t call(uint64_t envid, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3, int brief)
{
	struct env *self = curenv(), *s = env_lookup(envid);
	uint64_t accept;

	if (!s)
		return E_BADENV;
	if (s == self || !s->pub->upcall[XOK_UPCALL_IPC])
		return E_STATE;
	accept = s->pub->ipc_accept;
	if (accept != XOK_IPC_ANY && accept != self->pub->id)
		return E_PERM;
	if (s->pub->ipc_caller || (s->pub->status != XOK_ENV_RUNNABLE &&
				   s->pub->status != XOK_ENV_SLEEPING)) {
		/* A lender that would rather decide than help: told now. */
		if (sched_loan_flags(self) & XOK_LOAN_CONFLICT) {
			self->tf.rax = (uint64_t)(int64_t)E_BUSY;
			sched_end_loan(self, XOK_YIELD_CONFLICT);
		}
		return E_BUSY;
	}
	/* A sleeping server's wk_sleep returns E_AGAIN after the handler:
	 * that goes into the frame pushed, and back out if the push fails
	 * (a refused call changes nothing). */
	uint64_t rax = s->tf.rax;
	if (s->pub->status == XOK_ENV_SLEEPING)
		s->tf.rax = (uint64_t)(int64_t)E_AGAIN;
	if (upcall_push(s, XOK_UPCALL_IPC, XOK_TRAP_IPC, 0)) {
		s->tf.rax = rax;
		return E_STATE;
	}
	s->tf.rsi = self->pub->id;
	s->tf.rdx = a0;
	s->tf.rcx = a1;
	s->tf.r8 = a2;
	s->tf.r9 = a3;
	env_set_status(s, XOK_ENV_RUNNABLE);
	s->pub->ipc_caller = self->pub->id;
	env_set_status(self, XOK_ENV_WAITING);
	self->pub->ipc_callee = s->pub->id;
	self->brief_call = brief ? 2 : 0;
	if (sched_loan_flags(self) & XOK_LOAN_SWITCH)
		sched_end_loan(self, XOK_YIELD_SWITCHED); /* the server waits */
	env_run(s);
}

int64_t sys_ipc_call(uint64_t envid, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint64_t a3)
{
	return call(envid, a0, a1, a2, a3, 0);
}

int64_t sys_ipc_call_brief(uint64_t envid, uint64_t a0, uint64_t a1,
			   uint64_t a2, uint64_t a3)
{
	return call(envid, a0, a1, a2, a3, 1);
}

void ipc_slice_starts(struct env *owner)
{
	struct env *s;

	if (owner->pub->status != XOK_ENV_WAITING || !owner->brief_call ||
	    --owner->brief_call)
		return;
	s = env_lookup(owner->pub->ipc_callee);
	if (s && s->pub->ipc_caller == owner->pub->id)
		s->pub->ipc_caller = 0; /* its reply will go nowhere */
	owner->pub->ipc_callee = 0;
	owner->brief_call = 0;
	owner->tf.rax = (uint64_t)(int64_t)E_TIMEOUT;
	env_set_status(owner, XOK_ENV_RUNNABLE);
}

/* Ends the call `s` serves: its caller, if still waiting for it, gets
 * r0..r3 and runs, unless `s` runs on a loan, which goes back to its
 * lender (the caller then waits, runnable, for its turn). If the caller
 * is gone, `s` itself goes on. `s`'s own registers must be set. */
static __attribute__((noreturn)) void end_call(struct env *s, uint64_t r0,
					       uint64_t r1, uint64_t r2,
					       uint64_t r3)
{
	struct env *c = env_lookup(s->pub->ipc_caller);

	s->pub->ipc_caller = 0;
	if (!c || c->pub->status != XOK_ENV_WAITING ||
	    c->pub->ipc_callee != s->pub->id)
		env_run(s); /* the reply has no one to go to */
	env_set_status(c, XOK_ENV_RUNNABLE);
	c->pub->ipc_callee = 0;
	c->brief_call = 0;
	c->tf.rax = r0;
	c->uarea->ipc_reply[0] = r1;
	c->uarea->ipc_reply[1] = r2;
	c->uarea->ipc_reply[2] = r3;
	/* A server lent time by directed yield (say by the scheduler of a
	 * caller whose slice ended mid-call) gives the loan back: the lender
	 * decides what runs next, and the caller, runnable again, runs when
	 * its own scheduler picks it. */
	if (s->pub->donor)
		sched_return_loan(s);
	env_run(c);
}

int64_t sys_ipc_reply(uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3)
{
	struct env *s = curenv();

	if (!s->pub->ipc_caller)
		return E_STATE;
	s->tf.rax = 0;
	end_call(s, r0, r1, r2, r3);
}

/* Why it exists: after ipc_reply the server is runnable inside its
 * handler; a server that lives on its callers' time may never run again
 * before the next call, which then nests another frame on its exception
 * stack, until a push fails. Replying and leaving the handler in one step
 * keeps a time-less server's exception stack empty between calls. */
int64_t sys_ipc_return(uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3,
		       const struct xok_upcall_frame *resume)
{
	struct env *s = curenv();
	struct xok_trapframe tf;

	if (!s->pub->ipc_caller)
		return E_STATE;
	if (copy_from_user(s->pml4_pa, &tf, (uint64_t)&resume->tf, sizeof(tf)))
		return E_FAULT;
	if (env_user_regs(&tf))
		return E_INVAL;
	s->tf = tf;
	end_call(s, r0, r1, r2, r3);
}
