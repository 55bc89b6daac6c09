/*
 * fuzz: issues seeded random Xok calls with random and adversarial
 * arguments, and checks that the kernel survives and leaks no physical
 * page. Argument: "CALLS:SEED" (default 100000:1).
 *
 * The calls (every index of xok/syscalls.tab) come from a child holding
 * only the capability /1, so whatever it does cannot reach this driver
 * (whose guard is the root), the raw disk or XN's administration; the
 * scenario attaches an XN disk, which the driver mounts first so the XN
 * calls meet a mounted disk.
 * When the child dies (a fault from a random env_set, destroying itself)
 * or blocks (a predicate that never fires), the driver destroys it and
 * starts another where it left off; the call count lives in shared
 * memory. At the end the free-page count must be what it was.
 */
#include <xok/sysnum.h>

#include "rt/rt.h"


static volatile uint64_t done, target, seed_state;
static volatile uint64_t driver_id;
/* Results of earlier calls (environment ids, frames, slice positions),
 * fed back as arguments so calls reach past the first check. */
static volatile uint64_t recent[8];

static uint64_t next_random(void)
{
	uint64_t x = seed_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	seed_state = x;
	return x;
}

/* An argument: mostly values near the edges of what the kernel checks. */
static uint64_t fuzz_arg(void)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 3, 15, 16, 255, 256, 4096, ~0ull, ~0ull - 1,
		0x400000, 0x401000, RT_SCRATCH, RT_SCRATCH + 8,
		XOK_USTACK_TOP - 8, XOK_USTACK_TOP - XOK_PAGE_SIZE,
		XOK_UAREA, XOK_USER_TOP, XOK_USER_TOP - 8, XOK_UVPT,
		XOK_UENVS, XOK_UPAGES, XOK_UCLOCK, 0x7fffffffffffull,
		0x800000000000ull, 0xffff800000000000ull,
		0xffffffff80100000ull, 0x1001, 0x2002, 0x10000, 1ull << 63,
	};
	uint64_t r = next_random();

	switch (r % 5) {
	case 4:
		return recent[(r >> 8) % 8];
	case 0:
		return interesting[(r >> 8) % (sizeof(interesting) / 8)];
	case 1:
		return (r >> 8) % 64; /* small: slots, positions, counts */
	case 2:
		return RT_SCRATCH + ((r >> 8) % 64) * XOK_PAGE_SIZE;
	default:
		return next_random();
	}
}

/* A call the child may make without ending the run for good. */
static void one_call(void)
{
	uint64_t n = next_random() % XOK_NSYSCALLS, a[6]; /* every call */

	for (int i = 0; i < 6; i++)
		a[i] = fuzz_arg();
	switch (n) {
	case 0: /* cputs: keep the console readable */
		a[1] %= 4;
		break;
	case 1: /* cgetc: would take test input */
	case 4: /* exit */
		return;
	case 7: /* env_set: no jumping into random code for the caller */
		if (a[1] == 0 || a[1] == (uint64_t)xok_getenvid())
			a[3] &= ~(uint64_t)XOK_SET_REGS;
		break;
	case 9: /* env_destroy: never the driver */
		if (a[1] == driver_id)
			return;
		break;
	}
	int64_t r = xok_syscall6(XOK_SYSCALL_BASE + n, a[0], a[1], a[2], a[3],
				 a[4], a[5]);
	if (r > 0)
		recent[done % 8] = (uint64_t)r;
}

static void fuzz_child(uint64_t unused)
{
	(void)unused;
	recent[0] = (uint64_t)xok_getenvid();
	while (done < target) {
		done++;
		one_call();
	}
}

static int parse(const char *arg, uint64_t *calls, uint64_t *seed)
{
	*calls = 100000;
	*seed = 1;
	if (!*arg)
		return 0;
	*calls = 0;
	for (; *arg >= '0' && *arg <= '9'; arg++)
		*calls = *calls * 10 + (uint64_t)(*arg - '0');
	if (*arg++ != ':')
		return -1;
	*seed = 0;
	for (; *arg >= '0' && *arg <= '9'; arg++)
		*seed = *seed * 10 + (uint64_t)(*arg - '0');
	return *arg || !*seed ? -1 : 0;
}

int main(const char *arg)
{
	struct xok_cap one = { .valid = 1, .len = 1, .rights = XOK_CAP_RIGHTS,
			       .name = { 1 } };
	uint64_t calls, seed, children = 0;
	long before, after;

	if (parse(arg, &calls, &seed)) {
		printf("fuzz: bad argument '%s' (want CALLS:SEED)\n", arg);
		return 2;
	}
	driver_id = (uint64_t)xok_getenvid();
	target = calls;
	seed_state = seed * 0x9e3779b97f4a7c15ull;
	if (xok_cap_grant(0, 0, 0, 1, &one) < 0)
		return 3;
	xok_xn_mount(0, 0); /* the XN calls then get past "nothing mounted" */
	before = rt_free_pages();
	while (done < target) {
		int64_t c = rt_spawn(fuzz_child, 0), r;

		if (c < 0 || xok_cap_clear(0, c, 0) < 0 ||
		    xok_cap_grant(1, 0, c, 0, &one) < 0) {
			printf("fuzz: cannot start a child (%ld)\n", c);
			return 4;
		}
		children++;
		do
			r = xok_yield_to((uint64_t)c);
		while (r == XOK_YIELD_SLICE_END || r == XOK_YIELD_RETURNED);
		if (r != XOK_YIELD_GONE)
			xok_env_destroy(0, c); /* blocked, stopped or waiting */
	}
	after = rt_free_pages();
	/* A new line: the children may have printed garbage without one. */
	printf("\nfuzz: %lu calls (seed %lu) from %lu children; "
	       "free pages %ld before, %ld after\n",
	       done, seed, children, before, after);
	return before == after ? 0 : 1;
}
