/*
 * rt/xn: small helpers for programs that use XN directly (the tests; a
 * libFS has its own).
 */
#include <xok/xn.h>

#include "rt.h"
/* After rt.h, which declares memset and memcpy. */
#include "../../xn/sample_types.h"

#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define MAP ((const volatile uint8_t *)XOK_UXNMAP)
#define HEAD ((const volatile uint32_t *)XOK_UXNHASH)

int rt_xn_in_use(uint64_t block)
{
	return (MAP[block / 8] >> (block % 8)) & 1;
}

uint64_t rt_xn_free_block(uint64_t from, uint64_t nblocks)
{
	for (uint64_t b = from; b < nblocks; b++)
		if (xok_xn_allocatable(MAP, REG, HEAD, b))
			return b;
	return 0;
}

int64_t rt_xn_settle(int64_t idx)
{
	struct xok_wk_insn prog[XOK_XN_SETTLE_INSNS];

	if (idx < 0)
		return idx;
	xok_xn_settle_prog(prog, &REG[idx]);
	if (xok_wk_sleep(prog, XOK_XN_SETTLE_INSNS) < 0)
		return -100;
	return REG[idx].state;
}

int64_t rt_xn_write_wait(int64_t idx)
{
	int64_t r = xok_xn_write((uint64_t)idx);

	return r ? r : rt_xn_settle(idx) == XOK_XN_VALID ? 0 : E_IO;
}

int64_t rt_xn_sample_disk(const char *name, uint64_t pin_va)
{
	struct xok_xn_template t;
	int64_t root, idx;

	if (xok_xn_mount(0, 0) < 0)
		return -10;
	make_ptrs_type(&t);
	if (xok_xn_type_install(0, T_PTRS, &t) < 0)
		return -11;
	make_dir_type(&t);
	if (xok_xn_type_install(0, T_DIR, &t) < 0)
		return -12;
	if ((root = xok_xn_root_create(0, name, T_DIR)) < 0)
		return -13;
	idx = xok_xn_bind_root(0, (uint64_t)root);
	if (idx < 0 || rt_xn_settle(idx) != XOK_XN_VALID)
		return -14;
	/* Mapped, the root stays cached: its index stays valid. */
	if (xok_xn_map(0, (uint64_t)idx, pin_va, 0) < 0)
		return -15;
	return idx;
}
