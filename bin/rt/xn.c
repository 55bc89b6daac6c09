/*
 * rt/xn: small helpers for programs that use XN directly (the tests; a
 * libFS has its own).
 */
#include <xok/wk.h>
#include <xok/xn.h>

#include "rt.h"

#define REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define MAP ((const volatile uint8_t *)XOK_UXNMAP)

int rt_xn_in_use(uint64_t block)
{
	return (MAP[block / 8] >> (block % 8)) & 1;
}

uint64_t rt_xn_free_block(uint64_t from, uint64_t nblocks)
{
	for (uint64_t b = from; b < nblocks; b++)
		if (!rt_xn_in_use(b))
			return b;
	return 0;
}

int64_t rt_xn_settle(int64_t idx)
{
	struct xok_wk_insn prog[] = {
		{ .op = XOK_WK_LOAD32, .dst = 0,
		  .imm = (uint64_t)&REG[idx].state },
		{ .op = XOK_WK_CONST, .dst = 1, .imm = XOK_XN_VALID },
		{ .op = XOK_WK_WAKE_EQ, .a = 0, .b = 1, .term = 0 },
		{ .op = XOK_WK_CONST, .dst = 2, .imm = XOK_XN_DIRTY },
		{ .op = XOK_WK_WAKE_EQ, .a = 0, .b = 2, .term = 0 },
		{ .op = XOK_WK_CONST, .dst = 3, .imm = XOK_XN_EMPTY },
		{ .op = XOK_WK_WAKE_EQ, .a = 0, .b = 3, .term = 0 },
		{ .op = XOK_WK_END },
	};

	if (idx < 0)
		return idx;
	if (xok_wk_sleep(prog, sizeof(prog) / sizeof(prog[0])) < 0)
		return -100;
	return REG[idx].state;
}

int64_t rt_xn_write_wait(int64_t idx)
{
	int64_t r = xok_xn_write((uint64_t)idx);

	return r ? r : rt_xn_settle(idx) == XOK_XN_VALID ? 0 : E_IO;
}
