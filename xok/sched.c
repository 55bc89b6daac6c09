/*
 * sched: round robin over envs[].
 */
#include "sched.h"

#include "console.h"
#include "cpu.h"
#include "env.h"
#include "pmap.h"
#include "shutdown.h"
#include "x86.h"

static int exit_code = EXIT_PASS;

void sched_set_exit_code(int code)
{
	exit_code = code;
}

static struct env *next_runnable(void)
{
	struct env *cur = thiscpu()->cur;
	int start = cur ? (int)(cur - envs) + 1 : 0;

	for (int i = 0; i < NENV; i++) {
		struct env *e = &envs[(start + i) % NENV];

		if (e->state == ENV_RUNNABLE)
			return e;
	}
	return 0;
}

void sched_yield(void)
{
	struct env *e;

	while (!(e = next_runnable())) {
		if (env_count() == 0) {
			cprintf("xok: no environments left; halting\n");
			machine_exit(exit_code);
		}
		/* Something exists but nothing can run: wait for an
		 * interrupt, on the kernel's own page table. */
		thiscpu()->cur = 0;
		pmap_load_kernel();
		sti_hlt();
	}
	env_run(e);
}
