/*
 * ipctest: protected control transfer between environments: calls and
 * replies with several words, whom a callee accepts, chains through
 * several servers, a server that dies mid-call, every error, loans
 * that follow calls or end at them (xok_yield_loan's sensitivities), and
 * brief calls cut when their callee sleeps or never answers.
 */
#include <xok/wk.h>

#include "../lib/selftest.h"
#include "rt/rt.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

static volatile uint64_t next_server; /* where the chain server forwards */
static volatile uint64_t served;

/* Servers share this program's memory, handler table included: each
 * server's own handler is looked up by its id. */
#define MAX_SERVERS 8
static volatile uint64_t server_ids[MAX_SERVERS];
static rt_upcall_fn volatile server_handlers[MAX_SERVERS];

static void dispatch(struct xok_upcall_frame *f, uint64_t caller,
		     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t me = (uint64_t)xok_getenvid();

	for (int i = 0; i < MAX_SERVERS; i++)
		if (server_ids[i] == me) {
			server_handlers[i](f, caller, a0, a1, a2, a3);
			return;
		}
	xok_exit(77);
}

/* A server's main loop: sleep forever; calls arrive as upcalls. */
static void serve(uint64_t accept)
{
	struct xok_env_state st = { .ipc_accept = accept };

	xok_env_set(0, 0, &st, XOK_SET_IPC);
	rt_sleep_forever();
}

/* Replies a0 + a1, the caller's id, a2 * 2, a3 - 1. */
static void add_handler(struct xok_upcall_frame *f, uint64_t caller,
			uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)f;
	served++;
	xok_ipc_reply(a0 + a1, caller, a2 * 2, a3 - 1);
}

/* Forwards to next_server, adding 100 to its answer. */
static void chain_handler(struct xok_upcall_frame *f, uint64_t caller,
			  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)f, (void)caller;
	int64_t r = xok_ipc_call(next_server, a0, a1, a2, a3);
	xok_ipc_reply((uint64_t)r + 100, 0, 0, 0);
}

static volatile uint64_t callback_target;

/* Calls back into callback_target, which is busy serving: E_BUSY. */
static void callback_handler(struct xok_upcall_frame *f, uint64_t caller,
			     uint64_t a0, uint64_t a1, uint64_t a2,
			     uint64_t a3)
{
	(void)f, (void)caller;
	int64_t r = xok_ipc_call(callback_target, a0, a1, a2, a3);
	xok_ipc_reply((uint64_t)r, 0, 0, 0);
}

/* As add_handler's first word, but leaves the handler as it replies. */
static void returning_handler(struct xok_upcall_frame *f, uint64_t caller,
			      uint64_t a0, uint64_t a1, uint64_t a2,
			      uint64_t a3)
{
	(void)caller, (void)a2, (void)a3;
	served++;
	xok_ipc_return(a0 + a1, 0, 0, 0, f);
}

static void dying_handler(struct xok_upcall_frame *f, uint64_t caller,
			  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)f, (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
	xok_exit(9);
}

/* A server with `handler`, accepting calls from `accept`, ready to call
 * (it has run into its sleep). */
static int64_t start_server(rt_upcall_fn handler, uint64_t accept)
{
	static int next;
	int64_t s;
	int i = next++ % MAX_SERVERS;

	rt_upcall_handlers[XOK_UPCALL_IPC] = dispatch;
	s = rt_spawn(serve, accept);
	server_ids[i] = (uint64_t)s;
	server_handlers[i] = handler;
	if (s > 0)
		rt_donate((uint64_t)s); /* until it sleeps: BLOCKED */
	return s;
}

SELFTEST(call_and_reply)
{
	int64_t s = start_server(add_handler, XOK_IPC_ANY);

	CHECK(s > 0);
	CHECK_EQ(ENVS[xok_env_slot(s)].status, XOK_ENV_SLEEPING);
	served = 0;
	CHECK_EQ(xok_ipc_call((uint64_t)s, 40, 2, 21, 8), 42);
	CHECK_EQ(RT_UAREA->ipc_reply[0], (uint64_t)xok_getenvid());
	CHECK_EQ(RT_UAREA->ipc_reply[1], 42);
	CHECK_EQ(RT_UAREA->ipc_reply[2], 7);
	CHECK_EQ(xok_ipc_call((uint64_t)s, 1, 1, 0, 0), 2); /* again */
	CHECK_EQ(served, 2);
	CHECK_EQ(xok_env_destroy(0, s), 0);
	return 0;
}

SELFTEST(callee_chooses_callers)
{
	int64_t only_me = start_server(add_handler, (uint64_t)xok_getenvid());
	int64_t nobody = start_server(add_handler, XOK_IPC_NOBODY);
	int64_t other = start_server(add_handler, 0x1234);

	CHECK(only_me > 0 && nobody > 0 && other > 0);
	CHECK_EQ(xok_ipc_call((uint64_t)only_me, 1, 2, 0, 0), 3);
	CHECK_EQ(xok_ipc_call((uint64_t)nobody, 1, 2, 0, 0), E_PERM);
	CHECK_EQ(xok_ipc_call((uint64_t)other, 1, 2, 0, 0), E_PERM);
	xok_env_destroy(0, only_me);
	xok_env_destroy(0, nobody);
	xok_env_destroy(0, other);
	return 0;
}

SELFTEST(call_errors)
{
	int64_t plain = xok_env_alloc(0, 0);

	CHECK_EQ(xok_ipc_call(0x7e7e, 0, 0, 0, 0), E_BADENV);
	CHECK_EQ(xok_ipc_call((uint64_t)xok_getenvid(), 0, 0, 0, 0), E_STATE);
	CHECK_EQ(xok_ipc_call((uint64_t)plain, 0, 0, 0, 0), E_STATE);
	CHECK_EQ(xok_ipc_reply(1, 2, 3, 4), E_STATE); /* serving nobody */
	CHECK_EQ(xok_env_destroy(0, plain), 0);
	return 0;
}

SELFTEST(chain_of_servers)
{
	int64_t back = start_server(add_handler, XOK_IPC_ANY);
	int64_t front;

	next_server = (uint64_t)back;
	front = start_server(chain_handler, XOK_IPC_ANY);
	CHECK(back > 0 && front > 0);
	CHECK_EQ(xok_ipc_call((uint64_t)front, 5, 6, 0, 0), 111);
	CHECK_EQ(ENVS[xok_env_slot(front)].ipc_caller, 0);
	CHECK_EQ(ENVS[xok_env_slot(front)].ipc_callee, 0);
	xok_env_destroy(0, front);
	xok_env_destroy(0, back);
	return 0;
}

SELFTEST(busy_callee_refuses)
{
	int64_t back = start_server(callback_handler, XOK_IPC_ANY), front;

	next_server = (uint64_t)back;
	front = start_server(chain_handler, XOK_IPC_ANY);
	callback_target = (uint64_t)front;
	CHECK(back > 0 && front > 0);
	/* front serves us and calls back, which calls front: busy. */
	CHECK_EQ(xok_ipc_call((uint64_t)front, 0, 0, 0, 0), E_BUSY + 100);
	xok_env_destroy(0, front);
	xok_env_destroy(0, back);
	return 0;
}

SELFTEST(server_dies_before_reply)
{
	int64_t s = start_server(dying_handler, XOK_IPC_ANY);

	CHECK(s > 0);
	CHECK_EQ(xok_ipc_call((uint64_t)s, 0, 0, 0, 0), E_BADENV);
	CHECK_EQ(ENVS[xok_env_slot(s)].id, 0);
	return 0;
}

/* A server with no time of its own: after ipc_reply it stays inside its
 * handler, so calls nest on its exception stack until one is refused;
 * ipc_return unwinds it with each reply, and every call succeeds. */
#define TIMELESS_CALLS 3000
SELFTEST(timeless_server_many_calls)
{
	int64_t nesting = start_server(add_handler, XOK_IPC_ANY);
	int64_t unwinding = start_server(returning_handler, XOK_IPC_ANY);
	int refused = 0;

	CHECK(nesting > 0 && unwinding > 0);
	for (int i = 0; i < TIMELESS_CALLS && !refused; i++)
		refused = xok_ipc_call((uint64_t)nesting, 1, 2, 0, 0) == E_STATE;
	CHECK(refused); /* the reported bug, kept as the control run */
	served = 0;
	for (uint64_t i = 0; i < TIMELESS_CALLS; i++)
		CHECK_EQ(xok_ipc_call((uint64_t)unwinding, i, 1, 0, 0), i + 1);
	CHECK_EQ(served, TIMELESS_CALLS);
	CHECK_EQ(ENVS[xok_env_slot(unwinding)].ipc_caller, 0);
	CHECK_EQ(xok_ipc_return(0, 0, 0, 0, 0), E_STATE); /* serving nobody */
	xok_env_destroy(0, nesting);
	xok_env_destroy(0, unwinding);
	return 0;
}

static volatile uint64_t release, call_result;
static volatile int64_t reply_result;

/* Sleeps mid-call until `release` is set, then replies 7. */
static void sleepy_handler(struct xok_upcall_frame *f, uint64_t caller,
			   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	static const struct xok_wk_insn until_released[] = {
		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = (uint64_t)&release },
		{ .op = XOK_WK_CONST, .dst = 1, .imm = 0 },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 1, .term = 0 },
		{ .op = XOK_WK_END },
	};

	(void)f, (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
	xok_wk_sleep(until_released, 4);
	reply_result = xok_ipc_reply(7, 0, 0, 0);
}

static void calls_next_server(uint64_t unused)
{
	(void)unused;
	call_result = (uint64_t)xok_ipc_call(next_server, 0, 0, 0, 0);
}

static volatile uint64_t lend_on_to;
static volatile int64_t lent_on;

static void lends_on(uint64_t unused)
{
	(void)unused;
	lent_on = xok_yield_to(lend_on_to);
}

/* A directed-yield loan follows a call: the lender hears that the server
 * its donee called went to sleep; a server lent to directly gives the
 * loan back when it replies, and its caller runs when lent to again. */
SELFTEST(loan_follows_call)
{
	int64_t s = start_server(sleepy_handler, XOK_IPC_ANY), c;

	CHECK(s > 0);
	next_server = (uint64_t)s;
	release = call_result = 0;
	c = rt_spawn(calls_next_server, 0);
	CHECK(c > 0);
	CHECK_EQ(xok_yield_to((uint64_t)c), XOK_YIELD_BLOCKED);
	CHECK_EQ(ENVS[xok_env_slot(c)].status, XOK_ENV_WAITING);
	CHECK_EQ(ENVS[xok_env_slot(c)].donor, 0);
	release = 1;
	while (ENVS[xok_env_slot(s)].status == XOK_ENV_SLEEPING)
		xok_yield(); /* predicates are checked as slices turn */
	CHECK_EQ(rt_donate((uint64_t)s), XOK_YIELD_RETURNED); /* replied */
	CHECK_EQ(ENVS[xok_env_slot(c)].status, XOK_ENV_RUNNABLE);
	CHECK_EQ(ENVS[xok_env_slot(s)].donor, 0);
	CHECK_EQ(call_result, 0); /* not run yet */
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK_EQ(call_result, 7);
	xok_env_destroy(0, s);
	return 0;
}

#define STATUS(id) (ENVS[xok_env_slot((uint64_t)(id))].status)

/* A loan sensitive to switches ends when its holder calls: the lender
 * lends to the server itself, which gives it back as it replies; such a
 * loan cannot be lent on. */
SELFTEST(loan_sensitive_to_switch)
{
	int64_t s = start_server(returning_handler, XOK_IPC_ANY), c, other;

	CHECK(s > 0);
	next_server = (uint64_t)s;
	call_result = ~0ull;
	c = rt_spawn(calls_next_server, 0);
	CHECK(c > 0);
	CHECK_EQ(xok_yield_loan((uint64_t)c, XOK_LOAN_FLAGS + 1), E_INVAL);
	CHECK_EQ(xok_yield_loan((uint64_t)c, XOK_LOAN_SWITCH),
		 XOK_YIELD_SWITCHED);
	CHECK_EQ(STATUS(c), XOK_ENV_WAITING);
	CHECK_EQ(ENVS[xok_env_slot(s)].ipc_caller, (uint64_t)c);
	CHECK_EQ(xok_yield_loan((uint64_t)s, XOK_LOAN_SWITCH),
		 XOK_YIELD_RETURNED); /* it replied */
	CHECK_EQ(STATUS(c), XOK_ENV_RUNNABLE);
	CHECK_EQ(call_result, ~0ull); /* not run since */
	CHECK_EQ(xok_yield_loan((uint64_t)c, XOK_LOAN_SWITCH), XOK_YIELD_GONE);
	CHECK_EQ(call_result, 0);

	other = rt_spawn(calls_next_server, 0);
	lend_on_to = (uint64_t)other;
	c = rt_spawn(lends_on, 0);
	CHECK(other > 0 && c > 0);
	CHECK_EQ(xok_yield_loan((uint64_t)c, XOK_LOAN_SWITCH), XOK_YIELD_GONE);
	CHECK_EQ(lent_on, E_PERM);
	xok_env_destroy(0, other);
	xok_env_destroy(0, s);
	return 0;
}

/* A loan sensitive to conflicts ends when its holder's call finds the
 * server serving another, which the holder would otherwise help with the
 * loan; a plain loan leaves the holder to see E_BUSY itself. */
SELFTEST(loan_sensitive_to_conflict)
{
	int64_t s = start_server(sleepy_handler, XOK_IPC_ANY), first, c;

	CHECK(s > 0);
	next_server = (uint64_t)s;
	release = 0;
	first = rt_spawn(calls_next_server, 0);
	CHECK(first > 0);
	CHECK_EQ(xok_yield_to((uint64_t)first), XOK_YIELD_BLOCKED);
	c = rt_spawn(calls_next_server, 0);
	CHECK(c > 0);
	CHECK_EQ(xok_yield_loan((uint64_t)c, XOK_LOAN_CONFLICT),
		 XOK_YIELD_CONFLICT);
	CHECK_EQ(STATUS(c), XOK_ENV_RUNNABLE);
	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_GONE);
	CHECK_EQ(call_result, (uint64_t)E_BUSY); /* its call's result */
	c = rt_spawn(calls_next_server, 0);
	CHECK(c > 0);
	CHECK_EQ(xok_yield_to((uint64_t)c), XOK_YIELD_GONE); /* control */
	CHECK_EQ(call_result, (uint64_t)E_BUSY);
	release = 1;
	while (STATUS(s) == XOK_ENV_SLEEPING)
		xok_yield(); /* predicates are checked as slices turn */
	CHECK_EQ(rt_donate((uint64_t)s), XOK_YIELD_RETURNED);
	CHECK_EQ(rt_donate((uint64_t)first), XOK_YIELD_GONE);
	CHECK_EQ(call_result, 7);
	xok_env_destroy(0, s);
	return 0;
}

/* Never answers. */
static void spinning_handler(struct xok_upcall_frame *f, uint64_t caller,
			     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)f, (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
	for (;;)
		;
}

/* A brief call is answered as any call is; one whose callee sleeps, or
 * never answers, is cut within two of the caller's slices, and the callee
 * goes on alone, its late reply going nowhere. */
SELFTEST(brief_call)
{
	int64_t adder = start_server(add_handler, XOK_IPC_ANY);
	int64_t sleepy = start_server(sleepy_handler, XOK_IPC_ANY);
	int64_t spinner = start_server(spinning_handler, XOK_IPC_ANY);

	CHECK(adder > 0 && sleepy > 0 && spinner > 0);
	CHECK_EQ(xok_ipc_call_brief((uint64_t)adder, 40, 2, 0, 0), 42);
	CHECK_EQ(xok_ipc_call_brief((uint64_t)adder, 1, 2, 0, 0), 3);

	release = 0;
	reply_result = 1;
	CHECK_EQ(xok_ipc_call_brief((uint64_t)sleepy, 0, 0, 0, 0), E_TIMEOUT);
	CHECK_EQ(ENVS[xok_env_slot(sleepy)].ipc_caller, 0);
	CHECK_EQ(STATUS(sleepy), XOK_ENV_SLEEPING);
	release = 1;
	while (STATUS(sleepy) == XOK_ENV_SLEEPING)
		xok_yield(); /* predicates are checked as slices turn */
	CHECK_EQ(rt_donate((uint64_t)sleepy), XOK_YIELD_BLOCKED); /* serving */
	CHECK_EQ(reply_result, E_STATE); /* nobody to reply to */

	CHECK_EQ(xok_ipc_call_brief((uint64_t)spinner, 0, 0, 0, 0), E_TIMEOUT);
	CHECK_EQ(ENVS[xok_env_slot(spinner)].ipc_caller, 0);
	CHECK_EQ(STATUS(spinner), XOK_ENV_RUNNABLE); /* still spinning */
	CHECK_EQ(ENVS[xok_env_slot(xok_getenvid())].ipc_callee, 0);
	xok_env_destroy(0, adder);
	xok_env_destroy(0, sleepy);
	xok_env_destroy(0, spinner);
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
