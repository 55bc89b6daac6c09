/*
 * envtest: environments and capabilities from user mode: each call's
 * success and every documented error, and what an environment without
 * the right capability cannot do.
 */
#include <xok/wk.h>

#include "../lib/selftest.h"
#include "rt/rt.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

static const volatile struct xok_env *pub(int64_t id)
{
	return &ENVS[xok_env_slot((uint64_t)id)];
}

static struct xok_cap mkcap(unsigned rights, unsigned len, uint32_t a,
			    uint32_t b)
{
	struct xok_cap c = { .valid = 1, .len = (uint8_t)len,
			     .rights = (uint8_t)rights };

	if (len > 0)
		c.name[0] = a;
	if (len > 1)
		c.name[1] = b;
	return c;
}

/* Runs a spawned child on donated time until it is gone. */
static void run_to_end(int64_t id)
{
	while (xok_yield_to((uint64_t)id) != XOK_YIELD_GONE)
		;
}

SELFTEST(env_alloc_and_destroy)
{
	int64_t id = xok_env_alloc(0, 0);

	CHECK(id > 0);
	CHECK_EQ(pub(id)->id, id);
	CHECK_EQ(pub(id)->status, XOK_ENV_STOPPED);
	CHECK_EQ(pub(id)->parent, xok_getenvid());
	CHECK_EQ(pub(id)->guard.len, 0);
	CHECK_EQ(xok_env_destroy(0, id), 0);
	CHECK_EQ(pub(id)->id, 0);
	CHECK_EQ(xok_env_destroy(0, id), E_BADENV);
	return 0;
}

SELFTEST(env_alloc_errors)
{
	struct xok_cap ro = mkcap(XOK_CAP_R, 1, 4, 0);

	CHECK_EQ(xok_env_alloc(XOK_NCAPS, 0), E_INVAL);
	CHECK_EQ(xok_env_alloc(7, 0), E_PERM); /* empty slot */
	CHECK_EQ(xok_cap_grant(0, 0, 0, 7, &ro), 0);
	CHECK_EQ(xok_env_alloc(7, 0), E_PERM); /* no write right */
	CHECK_EQ(xok_cap_clear(0, 0, 7), 0);
	return 0;
}

SELFTEST(env_get_set)
{
	struct xok_env_state st = { 0 }, back;
	int64_t id = xok_env_alloc(0, 0);

	CHECK(id > 0);
	CHECK_EQ(xok_env_get(0, 0, &st), 0);
	CHECK(st.tf.rip > 0x400000 && st.tf.rip < 0x500000);
	st.tf.rip = 0x401000;
	st.tf.rsp = XOK_USTACK_TOP;
	st.tf.rbx = 77;
	st.tf.rflags = ~0ull; /* the kernel keeps only the user flags */
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_REGS), 0);
	CHECK_EQ(xok_env_get(0, id, &back), 0);
	CHECK_EQ(back.tf.rip, 0x401000);
	CHECK_EQ(back.tf.rbx, 77);
	CHECK_EQ(back.tf.rflags & 0x3200, 0x200); /* IF on, IOPL 0, NT 0 */
	CHECK_EQ(back.tf.cs & 3, 3);
	st.tf.rip = XOK_USER_TOP;
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_REGS), E_INVAL);
	st.tf.rip = 0xffffffff80100000ull;
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_REGS), E_INVAL);
	st.tf.rip = 0x401000;
	st.tf.rsp = 0x800000000000ull;
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_REGS), E_INVAL);
	st.fs_base = 0xffff800000000000ull;
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_FSBASE), E_INVAL);
	st.upcall[XOK_UPCALL_FAULT] = XOK_USER_TOP;
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_UPCALLS), E_INVAL);
	st.upcall[XOK_UPCALL_FAULT] = 0;
	st.prologue_if = XOK_USER_TOP;
	CHECK_EQ(xok_env_set(0, id, &st, XOK_SET_UPCALLS), E_INVAL);
	CHECK_EQ(xok_env_set(0, id, &st, 0x10), E_INVAL);
	CHECK_EQ(xok_env_set(0, id, (void *)0xffffffff80000000ull,
			     XOK_SET_IPC), E_FAULT);
	CHECK_EQ(xok_env_get(0, id, (void *)0x10), E_FAULT);
	CHECK_EQ(xok_env_get(0, 0x7777, &back), E_BADENV);
	CHECK_EQ(xok_env_get(99, id, &back), E_INVAL);
	CHECK_EQ(xok_env_destroy(0, id), 0);
	return 0;
}

SELFTEST(env_status_changes)
{
	int64_t id = xok_env_alloc(0, 0);

	CHECK_EQ(xok_env_status(0, id, XOK_ENV_RUNNABLE), 0);
	CHECK_EQ(pub(id)->status, XOK_ENV_RUNNABLE);
	CHECK_EQ(xok_env_status(0, id, XOK_ENV_STOPPED), 0);
	CHECK_EQ(xok_env_status(0, id, XOK_ENV_SLEEPING), E_INVAL);
	CHECK_EQ(xok_env_status(0, id, 42), E_INVAL);
	CHECK_EQ(xok_env_status(0, 0x4242, XOK_ENV_RUNNABLE), E_BADENV);
	CHECK_EQ(xok_env_destroy(0, id), 0);
	CHECK_EQ(xok_env_destroy(XOK_NCAPS, 0x4242), E_BADENV);
	return 0;
}

/* Sleeps until the 64-bit word at `w` is nonzero. */
static void sleep_on(uint64_t w)
{
	struct xok_wk_insn prog[] = {
		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = w },
		{ .op = XOK_WK_CONST, .dst = 1, .imm = 0 },
		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 1, .term = 0 },
		{ .op = XOK_WK_END },
	};
	xok_wk_sleep(prog, 4);
}

static volatile uint64_t never_set;

SELFTEST(status_of_sleeper_is_its_own)
{
	int64_t c = rt_spawn(sleep_on, (uint64_t)&never_set);

	CHECK_EQ(rt_donate((uint64_t)c), XOK_YIELD_BLOCKED);
	CHECK_EQ(xok_env_status(0, c, XOK_ENV_STOPPED), E_STATE);
	CHECK_EQ(xok_env_status(0, c, XOK_ENV_RUNNABLE), E_STATE);
	CHECK_EQ(xok_env_destroy(16, c), E_INVAL); /* bad slot, other env */
	CHECK_EQ(xok_env_destroy(0, c), 0);
	return 0;
}

SELFTEST(environment_table_full)
{
	static int64_t ids[XOK_NENV];
	int n = 0;
	int64_t r;

	while ((r = xok_env_alloc(0, 0)) > 0)
		ids[n++] = r;
	CHECK_EQ(r, E_AGAIN);
	CHECK(n > XOK_NENV / 2);
	while (n > 0)
		CHECK_EQ(xok_env_destroy(0, ids[--n]), 0);
	r = xok_env_alloc(0, 0); /* a slot is free again */
	CHECK(r > 0);
	CHECK_EQ(xok_env_destroy(0, r), 0);
	return 0;
}

static volatile int64_t child_results[8];
static volatile int64_t other_id;

/* A child with no capabilities tries to reach its sibling and parent. */
static void powerless(uint64_t parent)
{
	struct xok_env_state st;
	struct xok_cap c = mkcap(XOK_CAP_RIGHTS, 0, 0, 0);

	child_results[0] = xok_env_get(0, (uint64_t)other_id, &st);
	child_results[1] = xok_env_destroy(0, parent);
	child_results[2] = xok_env_alloc(0, 0);
	child_results[3] = xok_cap_grant(0, 0, 0, 1, &c);
	child_results[4] = xok_env_get(0, 0, &st); /* itself: allowed */
	child_results[5] = xok_page_map(0, parent, RT_SCRATCH, 0, 1,
					XOK_PTE_W);
	child_results[6] = xok_page_unmap(0, parent, XOK_USTACK_TOP - 4096);
	child_results[7] = xok_cap_clear(0, parent, 0);
}

SELFTEST(no_capability_no_access)
{
	int64_t sibling = xok_env_alloc(0, 0), child;

	other_id = sibling;
	child = rt_spawn(powerless, (uint64_t)xok_getenvid());
	CHECK(child > 0);
	CHECK_EQ(xok_cap_clear(0, child, 0), 0); /* it had none anyway */
	run_to_end(child);
	CHECK_EQ(child_results[0], E_PERM);
	CHECK_EQ(child_results[1], E_PERM);
	CHECK_EQ(child_results[2], E_PERM);
	CHECK_EQ(child_results[3], E_PERM);
	CHECK_EQ(child_results[4], 0);
	CHECK_EQ(child_results[5], E_PERM);
	CHECK_EQ(child_results[6], E_PERM);
	CHECK_EQ(child_results[7], E_PERM);
	CHECK_EQ(RT_SELF->caps[0].valid, 1);
	CHECK_EQ(xok_env_destroy(0, sibling), 0);
	return 0;
}

SELFTEST(cap_forging)
{
	struct xok_cap c5 = mkcap(XOK_CAP_R, 1, 5, 0),
		       c51w = mkcap(XOK_CAP_RIGHTS, 2, 5, 1),
		       c51 = mkcap(XOK_CAP_R, 2, 5, 1),
		       root = mkcap(XOK_CAP_R, 0, 0, 0),
		       bad = mkcap(XOK_CAP_R, 1, 5, 0);

	bad.len = XOK_CAP_MAXLEN + 1;
	CHECK_EQ(xok_cap_grant(0, 0, 0, 2, &c5), 0);
	CHECK_EQ(RT_SELF->caps[2].len, 1);
	CHECK_EQ(RT_SELF->caps[2].name[0], 5);
	CHECK_EQ(xok_cap_grant(2, 0, 0, 3, &c51), 0);    /* narrower: fine */
	CHECK_EQ(xok_cap_grant(2, 0, 0, 3, &c51w), E_PERM); /* more rights */
	CHECK_EQ(xok_cap_grant(2, 0, 0, 3, &root), E_PERM); /* wider name */
	CHECK_EQ(xok_cap_grant(0, 0, 0, 3, &bad), E_INVAL);
	CHECK_EQ(xok_cap_grant(0, 0, 0, XOK_NCAPS, &c5), E_INVAL);
	CHECK_EQ(xok_cap_grant(0, 0, 0, 3, (void *)0x8), E_FAULT);
	CHECK_EQ(xok_cap_grant(11, 0, 0, 3, &c5), E_PERM); /* empty source */
	CHECK_EQ(xok_cap_clear(0, 0, XOK_NCAPS), E_INVAL);
	CHECK_EQ(xok_cap_clear(0, 0, 2), 0);
	CHECK_EQ(xok_cap_clear(0, 0, 3), 0);
	CHECK_EQ(RT_SELF->caps[2].valid, 0);
	return 0;
}

SELFTEST(guard_follows_capability)
{
	struct xok_cap c5 = mkcap(XOK_CAP_RIGHTS, 1, 5, 0),
		       c6 = mkcap(XOK_CAP_RIGHTS, 1, 6, 0);
	struct xok_env_state st;
	int64_t id;

	CHECK_EQ(xok_cap_grant(0, 0, 0, 2, &c5), 0);
	CHECK_EQ(xok_cap_grant(0, 0, 0, 3, &c6), 0);
	id = xok_env_alloc(2, 0);
	CHECK(id > 0);
	CHECK_EQ(pub(id)->guard.len, 1);
	CHECK_EQ(pub(id)->guard.name[0], 5);
	CHECK_EQ(xok_env_get(2, id, &st), 0);      /* /5 opens /5 */
	CHECK_EQ(xok_env_get(3, id, &st), E_PERM); /* /6 does not */
	CHECK_EQ(xok_env_destroy(3, id), E_PERM);
	CHECK_EQ(xok_env_destroy(2, id), 0);
	xok_cap_clear(0, 0, 2);
	xok_cap_clear(0, 0, 3);
	return 0;
}

/* An environment created under another dies with that one, not with its
 * creator; the capability must open the parent it names. */
SELFTEST(alloc_under_another_parent)
{
	struct xok_cap c6 = mkcap(XOK_CAP_RIGHTS, 1, 6, 0);
	int64_t keeper = xok_env_alloc(0, 0), id;

	CHECK(keeper > 0);
	CHECK_EQ(xok_cap_grant(0, 0, 0, 3, &c6), 0);
	id = xok_env_alloc(0, (uint64_t)keeper);
	CHECK(id > 0);
	CHECK_EQ(pub(id)->parent, (uint64_t)keeper);
	CHECK_EQ(xok_env_alloc(3, (uint64_t)keeper), E_PERM); /* /6, guard / */
	CHECK_EQ(xok_env_alloc(0, (uint64_t)keeper + 0x1000), E_BADENV);
	CHECK_EQ(xok_env_destroy(0, keeper), 0);
	CHECK_EQ(pub(id)->id, 0); /* went with its parent */
	xok_cap_clear(0, 0, 3);
	return 0;
}

static volatile int64_t grandchild;

/* Spawns a grandchild and waits forever. */
static void spawner(uint64_t unused)
{
	(void)unused;
	grandchild = rt_spawn(spawner, 0);
	for (;;)
		xok_yield();
}

SELFTEST(destroy_takes_the_subtree)
{
	struct xok_cap root = mkcap(XOK_CAP_RIGHTS, 0, 0, 0);
	int64_t child = rt_spawn(spawner, 0), g;

	CHECK(child > 0);
	CHECK_EQ(xok_cap_grant(0, 0, child, 0, &root), 0);
	grandchild = 0;
	while (!grandchild)
		xok_yield_to((uint64_t)child);
	g = grandchild;
	CHECK(g > 0);
	CHECK_EQ(pub(g)->parent, child);
	CHECK_EQ(xok_env_destroy(0, child), 0);
	CHECK_EQ(pub(child)->id, 0);
	CHECK_EQ(pub(g)->id, 0);
	return 0;
}

int main(const char *arg)
{
	return rt_run_selftests(arg);
}
