/*
 * upcall: building the frame an upcall handler resumes from.
 *
 * The frame goes at the top of the exception stack, or, if the interrupted
 * code was already running on that stack (a nested upcall), 256 bytes below
 * its %rsp: that skips its red zone (128 bytes) and leaves room below it
 * for the resume sequence of the user runtime (bin/rt/upcall.S), which
 * writes %rip and %rflags just under the red zone of the stack it returns
 * to.
 */
#include "upcall.h"

#include <xok/env.h>
#include <xok/error.h>
#include <xok/memlayout.h>

#include "pmap.h"
#include "x86.h"

#define NESTED_GAP 256

int upcall_push(struct env *e, int kind, uint64_t trapno, uint64_t addr)
{
	uint64_t entry = e->pub->upcall[kind], top = e->pub->xstack_top;
	uint64_t sp = e->tf.rsp, at;
	struct xok_upcall_frame f = { .tf = e->tf, .addr = addr };

	if (!entry || !top)
		return E_STATE;
	if (sp <= top && sp > top - XOK_XSTACK_SIZE)
		at = sp - NESTED_GAP - sizeof(f);
	else
		at = top - sizeof(f);
	at &= ~15ull;
	f.tf.trapno = trapno;
	if (copy_to_user(e->pml4_pa, at, &f, sizeof(f)))
		return E_FAULT;
	e->tf.rip = entry;
	e->tf.rsp = at;
	e->tf.rdi = at;
	/* Upcalls start through iretq (not sysret): every register the
	 * handler receives arguments in survives. */
	e->tf.trapno = XOK_TRAP_UPCALL;
	e->tf.rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
	return 0;
}
