/*
 * sigpct: a signal sent to another process reaches it by protected
 * control transfer, on the sender's time.
 *
 * The sender marks the signal pending in the target's process-table entry
 * (signal.c), and once it has let go of the lock it calls the target's
 * IPC entry. If the target was running its program, it takes its pending
 * signals there and then, before the call returns: a handler's frame is
 * set up (the handler runs when the target next runs), the process ends,
 * or it stops (answering the call first, so the sender is not held). So
 * `kill` of a running process returns with the signal taken: a killed
 * process is already a zombie, a stopped one already reported.
 *
 * The call is brief (Xok's ipc_call_brief): a target that takes longer
 * than the rest of the sender's slice and one more slice of the sender's
 * (or that never answers: its IPC entry is its own to replace) has the
 * call cut, and goes on alone; the sender is not held.
 *
 * A target that cannot take it now is left to the ways that remain: one
 * inside ExOS takes it when its call returns; one asleep (in ExOS) is
 * woken by the event count the sender bumped, and is not called; one on
 * ExOS's way out of a call, busy with another call or lending its slice
 * takes it at its next slice's prologue upcall, which its attention word
 * asks for.
 *
 * The call carries no authority: whoever makes it, with whatever
 * arguments, only makes the target look at its own pending word, which
 * only ExOS's shared pages (and so only ExOS processes) can set.
 */
#include <xok/error.h>
#include <xok/syscall.h>

#include "exos.h"

void exos_signal_call_later(uint64_t env)
{
	for (uint32_t i = 0; i < SELF->ncalls; i++)
		if (SELF->calls[i] == env)
			return;
	if (SELF->ncalls < EXOS_NCALLS)
		SELF->calls[SELF->ncalls++] = env;
}

void exos_signal_calls(void)
{
	while (SELF->ncalls) {
		uint64_t env = SELF->calls[--SELF->ncalls];
		const volatile struct xok_env *e = &ENVS[xok_env_slot(env)];

		if (e->id == env && e->status == XOK_ENV_RUNNABLE)
			xok_ipc_call_brief(env, 0, 0, 0, 0);
	}
}

/* Answers the call and resumes from `f` in one step (ipc_return). Returns
 * only if Xok refused that: if there was no call left to answer (a stop
 * answered it, or Xok cut it), or if `f`'s %rip or %rsp is not a user
 * address, in which case the call is answered alone; the caller of
 * answer() then resumes from `f` itself. */
static void answer(struct xok_upcall_frame *f, uint64_t r0)
{
	if (xok_ipc_return(r0, 0, 0, 0, f) != E_STATE)
		xok_ipc_reply(r0, 0, 0, 0);
}

/* The IPC entry (entry.S) calls this first, on the exception stack: a
 * target that cannot take signals now answers at once and goes on. */
void exos_ipc_check(struct xok_upcall_frame *f)
{
	if (!exos_signal_can_take(&f->tf)) {
		answer(f, 0);
		xok_resume(&f->tf);
	}
}

/* Then this, on ExOS's stack (the program was running, so it is free):
 * take the signals and answer, resuming where the program was or in the
 * handler a signal set up. Returns only if Xok did not take the frame;
 * entry.S then resumes from `f` itself. */
void exos_ipc_upcall(struct xok_upcall_frame *f)
{
	exos_signal_take(&f->tf);
	answer(f, 1);
}
