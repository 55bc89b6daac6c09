/*
 * sample_types: two small metadata types written as owns-UDFs, a worked
 * example of what a libFS gives XN. The host tests (tests/unit/test_xn*.c)
 * and the in-guest XN test (bin/xntest.c) use them; include after a
 * header that declares memset and memcpy.
 */
#ifndef XN_SAMPLE_TYPES_H
#define XN_SAMPLE_TYPES_H

#include <xok/xn.h>

/* Type 1, "ptrs": up to 512 little-endian block numbers of data blocks
 * (0: none). Type 2, "dir": up to 256 (block, type) pairs (block 0: none). */
#define T_PTRS 1
#define T_DIR 2

static inline void make_ptrs_type(struct xok_xn_template *t)
{
	static const struct xok_udf_insn prog[] = {
		{ .op = XOK_UDF_CONST, .dst = 0, .imm = 511 },
		{ .op = XOK_UDF_LD64, .dst = 4, .a = 1 },
		{ .op = XOK_UDF_JEQ, .a = 4, .b = 3, .off = 1 },
		{ .op = XOK_UDF_EMIT, .a = 4, .b = 2 },
		{ .op = XOK_UDF_ADDI, .dst = 1, .a = 1, .imm = 8 },
		{ .op = XOK_UDF_LOOP, .a = 0, .off = -5, .imm = 511 },
		{ .op = XOK_UDF_RET, .a = 3 },
	};
	memset(t, 0, sizeof(*t));
	memcpy(t->name, "ptrs", 5);
	t->in_use = 1;
	t->owns_len = sizeof(prog) / sizeof(prog[0]);
	memcpy(t->insns, prog, sizeof(prog));
}

static inline void make_dir_type(struct xok_xn_template *t)
{
	static const struct xok_udf_insn prog[] = {
		{ .op = XOK_UDF_CONST, .dst = 0, .imm = 255 },
		{ .op = XOK_UDF_LD64, .dst = 4, .a = 1 },
		{ .op = XOK_UDF_LD64, .dst = 5, .a = 1, .imm = 8 },
		{ .op = XOK_UDF_JEQ, .a = 4, .b = 3, .off = 1 },
		{ .op = XOK_UDF_EMIT, .a = 4, .b = 5 },
		{ .op = XOK_UDF_ADDI, .dst = 1, .a = 1, .imm = 16 },
		{ .op = XOK_UDF_LOOP, .a = 0, .off = -6, .imm = 255 },
		{ .op = XOK_UDF_RET, .a = 3 },
	};
	memset(t, 0, sizeof(*t));
	memcpy(t->name, "dir", 4);
	t->in_use = 1;
	t->owns_len = sizeof(prog) / sizeof(prog[0]);
	memcpy(t->insns, prog, sizeof(prog));
}

/* Sets entry `i` of a ptrs block. */
static inline void ptr_set(uint8_t *block, unsigned i, uint64_t b)
{
	memcpy(block + 8 * i, &b, 8);
}

/* Sets entry `i` of a dir block. */
static inline void dir_set(uint8_t *block, unsigned i, uint64_t b,
			   uint64_t type)
{
	memcpy(block + 16 * i, &b, 8);
	memcpy(block + 16 * i + 8, &type, 8);
}

#endif
