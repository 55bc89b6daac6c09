/*
 * Wakeup predicates. An environment that goes to sleep hands the kernel a
 * small program saying when it wants to run again; the kernel checks the
 * program once, when it is installed, and then evaluates it at scheduling
 * points. The environment sleeps until the program says "wake".
 *
 * The program is straight-line: no jumps and no stores, so evaluating it
 * takes at most XOK_WK_MAXINSNS steps and changes nothing but eight
 * scratch registers. It reads aligned 32- or 64-bit words of user memory
 * and the clock, adds, subtracts, multiplies and masks them (unsigned
 * 64-bit, wrapping), and compares. The first WAKE_* whose comparison holds
 * ends the program and reports its `term`, so one sleep can wait on several
 * conditions and learn which one ended it; reaching END means "not yet".
 *
 * Which words a program may load is decided by the kernel when it checks
 * the program (words the installing environment may read); an address that
 * was readable then may become unreadable later. Each load reads one word;
 * separate loads are not a snapshot of memory taken at one instant.
 *
 * Every register is read only after an earlier instruction wrote it, every
 * register number is below XOK_WK_NREGS, and END is the last instruction and
 * only there; the kernel refuses any other program.
 *
 * Example: wake when the word at X differs from 5 (term 0), or when 1 ms has
 * passed since time T (term 1):
 *
 *	struct xok_wk_insn prog[] = {
 *		{ .op = XOK_WK_LOAD64, .dst = 0, .imm = X },	r0 = *X
 *		{ .op = XOK_WK_CONST, .dst = 1, .imm = 5 },	r1 = 5
 *		{ .op = XOK_WK_WAKE_NE, .a = 0, .b = 1, .term = 0 },
 *		{ .op = XOK_WK_CLOCK, .dst = 2 },		r2 = now
 *		{ .op = XOK_WK_CONST, .dst = 3, .imm = T },
 *		{ .op = XOK_WK_SUB, .dst = 2, .a = 2, .b = 3 },	r2 = now - T
 *		{ .op = XOK_WK_CONST, .dst = 4, .imm = 1000000 },
 *		{ .op = XOK_WK_WAKE_GEU, .a = 2, .b = 4, .term = 1 },
 *		{ .op = XOK_WK_END },
 *	};
 *
 * (now - T, rather than now >= T + 1 ms, stays right if T + 1 ms wraps.)
 */
#ifndef XOK_WK_H
#define XOK_WK_H

#include <stdint.h>

#define XOK_WK_NREGS 8     /* registers r0..r7, 64-bit */
#define XOK_WK_MAXINSNS 64 /* longest program */
#define XOK_WK_MAXTERMS 64 /* term numbers 0..63 */

/* Opcodes. 0 is not one, so a zeroed instruction is refused. */
#define XOK_WK_CONST     1  /* r[dst] = imm */
#define XOK_WK_LOAD64    2  /* r[dst] = 64-bit word at imm (8-aligned) */
#define XOK_WK_LOAD32    3  /* r[dst] = 32-bit word at imm (4-aligned), zero-extended */
#define XOK_WK_CLOCK     4  /* r[dst] = nanoseconds since boot */
#define XOK_WK_ADD       5  /* r[dst] = r[a] + r[b] */
#define XOK_WK_SUB       6  /* r[dst] = r[a] - r[b] */
#define XOK_WK_MUL       7  /* r[dst] = r[a] * r[b] */
#define XOK_WK_AND       8  /* r[dst] = r[a] & r[b] */
#define XOK_WK_WAKE_EQ   9  /* wake with term if r[a] == r[b] */
#define XOK_WK_WAKE_NE   10 /* ... r[a] != r[b] */
#define XOK_WK_WAKE_LTU  11 /* ... r[a] <  r[b], unsigned */
#define XOK_WK_WAKE_LEU  12 /* ... r[a] <= r[b], unsigned */
#define XOK_WK_WAKE_GTU  13 /* ... r[a] >  r[b], unsigned */
#define XOK_WK_WAKE_GEU  14 /* ... r[a] >= r[b], unsigned */
#define XOK_WK_WAKE_LTS  15 /* ... r[a] <  r[b], signed */
#define XOK_WK_WAKE_GES  16 /* ... r[a] >= r[b], signed */
#define XOK_WK_END       17 /* not yet: keep sleeping; last, and only last */

/* One instruction, 16 bytes. Fields an opcode does not use are ignored. */
struct xok_wk_insn {
	uint8_t op;    /* XOK_WK_* */
	uint8_t dst;   /* destination register */
	uint8_t a, b;  /* source registers */
	uint32_t term; /* for XOK_WK_WAKE_*: the term number reported on wake-up */
	uint64_t imm;  /* constant, or user address for loads */
};

#endif
