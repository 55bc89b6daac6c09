/*
 * call: see call.h.
 */
#include "call.h"

#include <xok/env.h>
#include <xok/error.h>
#include <xok/syscall.h>

#include "sched.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

int64_t nest_call(uint64_t server, uint64_t a0, uint64_t a1, uint64_t a2,
		  uint64_t a3)
{
	const volatile struct xok_env *s = &ENVS[xok_env_slot(server)];

	for (;;) {
		uint64_t serving, target;
		int64_t r = xok_ipc_call(server, a0, a1, a2, a3);

		if (r != E_BUSY)
			return r;
		serving = s->ipc_caller;
		if (!serving)
			continue;
		/* Help it reply (RETURNED), unless it cannot run or this
		 * loan cannot be lent on (sensitive to switches). */
		if (!(target = nest_runs_for(serving)) ||
		    xok_yield_to(target) < 0)
			nest_sleep_while(&s->ipc_caller, serving);
	}
}
