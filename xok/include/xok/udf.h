/*
 * UDFs: untrusted deterministic functions. A library file system hands XN,
 * with each metadata type it registers, small programs in this bytecode;
 * XN checks each one once, when the type is registered, and then runs it
 * over a metadata block whenever it needs to know what the block means.
 *
 * An owns-UDF (XOK_UDF_OWNS) reads the bytes of a block of its type and
 * EMITs the (block number, type) pairs the block points to. XN runs it
 * before and after every change to the block and accepts the change only if
 * the set of pairs changed exactly as the caller declared. Owns-UDFs cannot
 * read credentials, so the set is a function of the block's bytes alone.
 *
 * An access-UDF (XOK_UDF_ACCESS) reads the same bytes and the requester's
 * credential words (CRED) and RETurns nonzero to allow the request.
 *
 * The machine: sixteen 64-bit registers, all 0 at the start; arithmetic is
 * unsigned and wraps. The input bytes can be read but not written; a load
 * that reaches outside them ends the run with an error and reads nothing.
 * Jumps go forward only, except LOOP, which repeats a range of instructions
 * ending at itself (its body) while a counter register is nonzero, and
 * declares in imm the most times that counter may make it repeat. Loops
 * nest: two bodies are disjoint or one contains the other.
 *
 * The checker refuses a program unless every opcode exists and is allowed
 * for its kind, every register number it uses is below XOK_UDF_NREGS, every
 * jump lands inside the program in its allowed direction, the loops nest,
 * the last instruction is RET (nothing can run off the end), and the worst
 * case below is at most XOK_UDF_MAXSTEPS. The worst case counts each
 * instruction once, times (imm + 1) for every loop whose body contains it:
 * what a run costs if every LOOP repeats as often as it declared. At run
 * time a LOOP reached with its counter above imm, or a run longer than that
 * worst case (a body that resets its own counter), fails; so a run always
 * ends within XOK_UDF_MAXSTEPS instructions.
 *
 * Example, an owns-UDF for a block holding, at offset 0, an array of up to
 * 8 little-endian 64-bit block numbers of type 2, where 0 means "none" (the
 * block must be at least 64 bytes long):
 *
 *	struct xok_udf_insn prog[] = {
 *	0	{ .op = XOK_UDF_CONST, .dst = 0, .imm = 7 },	counter: 8 passes
 *	1	{ .op = XOK_UDF_CONST, .dst = 2, .imm = 2 },	the type
 *	2	{ .op = XOK_UDF_LD64, .dst = 4, .a = 1 },	r4 = word at r1
 *	3	{ .op = XOK_UDF_JEQ, .a = 4, .b = 3, .off = 1 },	r3 is 0: skip 4
 *	4	{ .op = XOK_UDF_EMIT, .a = 4, .b = 2 },		(r4, 2)
 *	5	{ .op = XOK_UDF_ADDI, .dst = 1, .a = 1, .imm = 8 },
 *	6	{ .op = XOK_UDF_LOOP, .a = 0, .off = -5, .imm = 7 },	to 2
 *	7	{ .op = XOK_UDF_RET, .a = 3 },
 *	};
 *
 * Its worst case is 2 + 8 * 5 + 1 = 43 instructions.
 */
#ifndef XOK_UDF_H
#define XOK_UDF_H

#include <stdint.h>

#define XOK_UDF_NREGS 16       /* registers r0..r15, 64-bit, all start at 0 */
#define XOK_UDF_MAXINSNS 256   /* longest program */
#define XOK_UDF_MAXSTEPS 65536 /* most instructions a run may execute */

/* Kinds of UDF. */
#define XOK_UDF_OWNS   1 /* block bytes -> set of (block, type); may EMIT */
#define XOK_UDF_ACCESS 2 /* may use CRED; RETurns nonzero to allow */

/*
 * Opcodes. 0 is not one, so a zeroed instruction is refused. "pc += off"
 * is relative to the next instruction: off = 0 goes on as usual.
 */
#define XOK_UDF_CONST  1  /* r[dst] = imm */
#define XOK_UDF_MOV    2  /* r[dst] = r[a] */
#define XOK_UDF_ADDI   3  /* r[dst] = r[a] + imm */
#define XOK_UDF_ADD    4  /* r[dst] = r[a] + r[b] */
#define XOK_UDF_SUB    5  /* r[dst] = r[a] - r[b] */
#define XOK_UDF_MUL    6  /* r[dst] = r[a] * r[b] */
#define XOK_UDF_AND    7  /* r[dst] = r[a] & r[b] */
#define XOK_UDF_OR     8  /* r[dst] = r[a] | r[b] */
#define XOK_UDF_XOR    9  /* r[dst] = r[a] ^ r[b] */
#define XOK_UDF_SHL    10 /* r[dst] = r[a] << (r[b] & 63) */
#define XOK_UDF_SHR    11 /* r[dst] = r[a] >> (r[b] & 63), logical */
#define XOK_UDF_LD8    12 /* r[dst] = input byte at r[a] + imm */
#define XOK_UDF_LD16   13 /* ... little-endian 16-bit word, zero-extended */
#define XOK_UDF_LD32   14 /* ... 32-bit */
#define XOK_UDF_LD64   15 /* ... 64-bit; no alignment needed for any load */
#define XOK_UDF_JMP    16 /* pc += off, off >= 0 */
#define XOK_UDF_JEQ    17 /* if r[a] == r[b], pc += off, off >= 0 */
#define XOK_UDF_JNE    18 /* ... r[a] != r[b] */
#define XOK_UDF_JLTU   19 /* ... r[a] <  r[b] */
#define XOK_UDF_JGEU   20 /* ... r[a] >= r[b] */
#define XOK_UDF_LOOP   21 /* if r[a] != 0, r[a]-- and pc += off, off < 0;
			     imm: most repeats per entry, 1..MAXSTEPS */
#define XOK_UDF_EMIT   22 /* output (block r[a], type r[b]); OWNS only */
#define XOK_UDF_CRED   23 /* r[dst] = credential word imm, 0 if none;
			     ACCESS only */
#define XOK_UDF_RET    24 /* stop; the result is r[a] */

/* One instruction, 16 bytes. Fields an opcode does not use are ignored. */
struct xok_udf_insn {
	uint8_t op;   /* XOK_UDF_* */
	uint8_t dst;  /* destination register */
	uint8_t a, b; /* source registers */
	int32_t off;  /* jump offset, relative to the next instruction */
	uint64_t imm; /* constant, load offset, loop bound or credential number */
};

#endif
