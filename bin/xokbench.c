/*
 * xokbench: the cost of Xok's primitives in TSC cycles, printed as
 *   BENCH <name> cycles <median> <min> <max> <batches>
 * (the format tests/bench reads for both Xok and Linux):
 *   null_call        a Xok call (getenvid)
 *   fault_roundtrip  ud2, reflected to the fault upcall, resumed by the
 *                    environment itself past the instruction
 *   ipc_roundtrip    protected control transfer: call and reply
 *   yield_roundtrip  directed yield to another environment and back
 *   sched_decision   the same loan made by a CPU-inheritance scheduler
 *                    (libos-nest/sched.c, round robin): read the
 *                    clients' state, pick, lend, charge the time,
 *                    timed over a batch of decisions in one run of its
 *                    loop
 * Each figure is the per-operation cost of each of BATCHES batches; the
 * median, minimum and maximum batch are printed. Argument "quick" runs
 * few operations (the test suite's smoke run).
 */
#include <xok/wk.h>

#include "../libos-nest/sched.h"
#include "rt/rt.h"

#define BATCHES 15

static uint64_t ops_per_batch = 2000;


/* Times `op`, which does `per_call` operations, over the batches and
 * prints its line. */
static void measure(const char *name, void (*op)(void), uint64_t per_call)
{
	uint64_t per_op[BATCHES];

	op(); /* warm: first-touch faults, caches */
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = rt_tsc();

		for (uint64_t i = 0; i < ops_per_batch; i += per_call)
			op();
		per_op[b] = (rt_tsc() - t0) / ops_per_batch;
	}
	rt_sort_u64(per_op, BATCHES);
	printf("BENCH %s cycles %lu %lu %lu %d\n", name, per_op[BATCHES / 2],
	       per_op[0], per_op[BATCHES - 1], BATCHES);
}

static void null_call(void)
{
	xok_getenvid();
}

static void skip_ud2(struct xok_upcall_frame *f, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	f->tf.rip += 2;
}

static void fault_roundtrip(void)
{
	__asm__ volatile("ud2" ::: "memory");
}

/* The server has no time of its own: replying with ipc_return leaves its
 * handler too, so calls do not pile up on its exception stack. */
static void reply_at_once(struct xok_upcall_frame *f, uint64_t caller,
			  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)caller, (void)a1, (void)a2, (void)a3;
	xok_ipc_return(a0, 0, 0, 0, f);
}

/* A server: sleeps for good; calls arrive as upcalls. */
static void serve(uint64_t unused)
{
	struct xok_env_state st = { .ipc_accept = XOK_IPC_ANY };

	(void)unused;
	xok_env_set(0, 0, &st, XOK_SET_IPC);
	rt_sleep_forever();
}

static volatile uint64_t peer;

static void ipc_roundtrip(void)
{
	if (xok_ipc_call(peer, 1, 2, 3, 4) != 1) {
		printf("xokbench: a call failed: the figure would be wrong\n");
		rt_exit(4);
	}
}

/* The other side of the yield ping-pong: give the CPU straight back. */
static void bounce(uint64_t unused)
{
	(void)unused;
	for (;;)
		xok_yield();
}

static void yield_roundtrip(void)
{
	xok_yield_to(peer);
}

static struct nest_sched scheduler;
/* A batch of decisions in one run of the scheduler's loop: the bouncer
 * is its only client and yields straight back. */
static void sched_decisions(void)
{
	scheduler.until = scheduler.decisions + ops_per_batch;
	nest_sched_run(&scheduler, 0, 0);
}

int main(const char *arg)
{
	int64_t server, bouncer;

	if (!strcmp(arg, "quick"))
		ops_per_batch = 50;
	rt_upcall_handlers[XOK_UPCALL_FAULT] = skip_ud2;
	rt_upcall_handlers[XOK_UPCALL_IPC] = reply_at_once;
	if (rt_upcalls_install() < 0)
		return 1;
	server = rt_spawn(serve, 0);
	bouncer = rt_spawn(bounce, 0);
	if (server < 0 || bouncer < 0)
		return 2;
	rt_donate((uint64_t)server); /* until it sleeps */

	measure("null_call", null_call, 1);
	measure("fault_roundtrip", fault_roundtrip, 1);
	peer = (uint64_t)server;
	measure("ipc_roundtrip", ipc_roundtrip, 1);
	peer = (uint64_t)bouncer;
	measure("yield_roundtrip", yield_roundtrip, 1);
	nest_sched_init(&scheduler, &nest_round_robin, 0);
	if (nest_sched_add(&scheduler, (uint64_t)bouncer, 0) < 0)
		return 3;
	measure("sched_decision", sched_decisions, ops_per_batch);
	xok_env_destroy(0, server);
	xok_env_destroy(0, bouncer);
	return 0;
}
