/*
 * slice: allocating and giving away time slices. Contracts in
 * xok/syscalls.tab; the vector itself is exported (<xok/sched.h>) and
 * stepped through by sched.c.
 */
#include <xok/error.h>
#include <xok/sched.h>

#include "cap.h"
#include "env.h"
#include "export.h"
#include "syscall_decls.h"

/* The slice (cpu, pos), if both are in range. */
static struct xok_slice *slice_at(uint64_t cpu, uint64_t pos)
{
	if (cpu >= exp_clock.ncpu || pos >= XOK_NSLICES)
		return 0;
	return &exp_slices[cpu].slice[pos];
}

/* The allocated slice (cpu, pos) if slot `cap` opens its guard for W. */
static int slice_check(uint64_t cap, uint64_t cpu, uint64_t pos,
		       struct xok_slice **out)
{
	struct xok_slice *s = slice_at(cpu, pos);
	const struct xok_cap *c;
	int r;

	if (!s || !s->owner)
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &c)))
		return r;
	if (!cap_opens(c, &s->guard, XOK_CAP_W))
		return E_PERM;
	*out = s;
	return 0;
}

int64_t sys_slice_alloc(uint64_t cap, uint64_t cpu, uint64_t pos,
			uint64_t envid)
{
	const struct xok_cap *c;
	struct env *e;
	int r;

	if (cpu >= exp_clock.ncpu ||
	    (pos != XOK_SLICE_ANY && pos >= XOK_NSLICES))
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, XOK_CAP_W, &c)))
		return r;
	if ((r = env_check(cap, envid, XOK_CAP_W, &e)))
		return r;
	if (pos == XOK_SLICE_ANY)
		for (pos = 0; pos < XOK_NSLICES && slice_at(cpu, pos)->owner;
		     pos++)
			;
	if (pos == XOK_NSLICES || slice_at(cpu, pos)->owner)
		return E_BUSY;
	slice_at(cpu, pos)->guard = cap_guard(c);
	slice_at(cpu, pos)->owner = e->pub->id;
	return (int64_t)pos;
}

int64_t sys_slice_set(uint64_t cap, uint64_t cpu, uint64_t pos,
		      uint64_t envid)
{
	struct xok_slice *s;
	struct env *e = envid ? env_lookup(envid) : curenv();
	int r;

	if ((r = slice_check(cap, cpu, pos, &s)))
		return r;
	if (!e)
		return E_BADENV;
	s->owner = e->pub->id;
	return 0;
}

int64_t sys_slice_free(uint64_t cap, uint64_t cpu, uint64_t pos)
{
	struct xok_slice *s;
	int r;

	if ((r = slice_check(cap, cpu, pos, &s)))
		return r;
	*s = (struct xok_slice){ 0 };
	return 0;
}
