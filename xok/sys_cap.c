/*
 * sys_cap: forging and granting capabilities. Contracts in
 * xok/syscalls.tab.
 */
#include <xok/cap.h>
#include <xok/error.h>

#include "cap.h"
#include "env.h"
#include "pmap.h"
#include "syscall_decls.h"

int64_t sys_cap_grant(uint64_t cap, uint64_t envcap, uint64_t envid,
		      uint64_t slot, const struct xok_cap *c)
{
	const struct xok_cap *src;
	struct xok_cap forged;
	struct env *e;
	int r;

	if (slot >= XOK_NCAPS)
		return E_INVAL;
	if (copy_from_user(curenv()->pml4_pa, &forged, (uint64_t)c,
			   sizeof(forged)))
		return E_FAULT;
	forged.valid = 1;
	forged.pad = 0;
	if (!cap_well_formed(&forged))
		return E_INVAL;
	if ((r = env_cap(curenv(), cap, 0, &src)))
		return r;
	if (!cap_dominates(src, &forged))
		return E_PERM;
	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)))
		return r;
	e->pub->caps[slot] = forged;
	return 0;
}

int64_t sys_cap_clear(uint64_t envcap, uint64_t envid, uint64_t slot)
{
	struct env *e;
	int r;

	if (slot >= XOK_NCAPS)
		return E_INVAL;
	if ((r = env_check(envcap, envid, XOK_CAP_W, &e)))
		return r;
	e->pub->caps[slot] = (struct xok_cap){ 0 };
	return 0;
}
