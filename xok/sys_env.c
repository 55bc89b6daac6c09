/*
 * sys_env: creating, inspecting, starting and destroying environments.
 * Contracts in xok/syscalls.tab.
 */
#include <xok/env.h>
#include <xok/error.h>

#include "../lib/string.h"
#include "cap.h"
#include "env.h"
#include "kmemlayout.h"
#include "pmap.h"
#include "sched.h"
#include "syscall_decls.h"
#include "x86.h"


/* Flags user code may set: carry, parity, adjust, zero, sign, direction,
 * overflow. Interrupts stay enabled; IOPL, trap and the rest stay 0. */
#define RFLAGS_USER 0xcd5ull

int64_t sys_getenvid(void)
{
	return (int64_t)curenv()->pub->id;
}

int64_t sys_exit(int64_t status)
{
	env_destroy(curenv(), status);
	sched_after_destroy();
}

int64_t sys_env_alloc(uint64_t cap, uint64_t parent)
{
	const struct xok_cap *c;
	struct xok_guard g;
	struct env *e, *p;
	int r;

	if ((r = env_cap(curenv(), cap, XOK_CAP_W, &c)) ||
	    (r = env_check(cap, parent, XOK_CAP_W, &p)))
		return r;
	g = cap_guard(c);
	if ((r = env_alloc(p, &g, &e)))
		return r;
	return (int64_t)e->pub->id;
}

int64_t sys_env_get(uint64_t cap, uint64_t envid, struct xok_env_state *out)
{
	struct xok_env_state st;
	struct env *e;
	int r;

	if ((r = env_check(cap, envid, XOK_CAP_R, &e)))
		return r;
	memset(&st, 0, sizeof(st));
	st.tf = e->tf;
	st.fs_base = e->fs_base;
	memcpy(st.upcall, e->pub->upcall, sizeof(st.upcall));
	st.xstack_top = e->pub->xstack_top;
	st.prologue_if = e->pub->prologue_if;
	st.ipc_accept = e->pub->ipc_accept;
	return copy_to_user(curenv()->pml4_pa, (uint64_t)out, &st, sizeof(st));
}

/* Is `a` an address user code may run at or point a stack to? */
static int user_addr(uint64_t a)
{
	return a <= XOK_USER_TOP;
}

int env_user_regs(struct xok_trapframe *tf)
{
	if (tf->rip >= XOK_USER_TOP || !user_addr(tf->rsp))
		return E_INVAL;
	tf->cs = GD_UCODE | 3;
	tf->ss = GD_UDATA | 3;
	tf->rflags = (tf->rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_RESERVED1;
	tf->trapno = tf->err = 0;
	return 0;
}

int64_t sys_env_set(uint64_t cap, uint64_t envid,
		    const struct xok_env_state *in, uint64_t what)
{
	struct xok_env_state st;
	struct env *e;
	int r;

	if ((r = env_check(cap, envid, XOK_CAP_W, &e)))
		return r;
	if (what & ~(uint64_t)XOK_SET_ALL)
		return E_INVAL;
	if (copy_from_user(curenv()->pml4_pa, &st, (uint64_t)in, sizeof(st)))
		return E_FAULT;
	/* Checked here, because iretq and wrmsr would fault in the kernel
	 * on a non-canonical address. */
	if (((what & XOK_SET_REGS) && env_user_regs(&st.tf)) ||
	    ((what & XOK_SET_FSBASE) && !user_addr(st.fs_base)) ||
	    ((what & XOK_SET_UPCALLS) && (!user_addr(st.xstack_top) ||
					   st.prologue_if >= XOK_USER_TOP)))
		return E_INVAL;
	for (int i = 0; i < XOK_NUPCALLS; i++)
		if ((what & XOK_SET_UPCALLS) && st.upcall[i] >= XOK_USER_TOP)
			return E_INVAL;
	if (what & XOK_SET_FSBASE)
		e->fs_base = st.fs_base;
	if (what & XOK_SET_UPCALLS) {
		memcpy(e->pub->upcall, st.upcall, sizeof(st.upcall));
		e->pub->xstack_top = st.xstack_top;
		e->pub->prologue_if = st.prologue_if;
	}
	if (what & XOK_SET_IPC)
		e->pub->ipc_accept = st.ipc_accept;
	if (e == curenv() && (what & XOK_SET_FSBASE))
		wrmsr(MSR_FS_BASE, e->fs_base);
	if (what & XOK_SET_REGS) {
		e->tf = st.tf;
		if (e == curenv())
			env_run(e); /* resumes in the state just installed */
	}
	return 0;
}

int64_t sys_env_status(uint64_t cap, uint64_t envid, uint64_t status)
{
	struct env *e;
	int r;

	if ((r = env_check(cap, envid, XOK_CAP_W, &e)))
		return r;
	if (status != XOK_ENV_RUNNABLE && status != XOK_ENV_STOPPED)
		return E_INVAL;
	if (e->pub->status != XOK_ENV_RUNNABLE &&
	    e->pub->status != XOK_ENV_STOPPED)
		return E_STATE;
	env_set_status(e, (uint32_t)status);
	if (e == curenv() && status == XOK_ENV_STOPPED) {
		e->tf.rax = 0;
		sched_block(e);
	}
	return 0;
}

int64_t sys_env_destroy(uint64_t cap, uint64_t envid)
{
	struct env *e;
	int r;

	if ((r = env_check(cap, envid, XOK_CAP_W, &e)))
		return r;
	curenv()->tf.rax = 0;
	env_destroy(e, -1);
	sched_after_destroy();
}
