/*
 * xn/udf: checking and running UDFs over small blocks held in arrays of
 * exactly their length, so AddressSanitizer sees any read past the input.
 */
#include <stdint.h>
#include <string.h>

#include "../../xn/udf.h"
#include "unit.h"

#define N(p) (sizeof(p) / sizeof((p)[0]))
#define OWNS XOK_UDF_OWNS
#define ACCESS XOK_UDF_ACCESS
#define Z 15 /* a register no test writes: always 0 */

#define CONST(d, v) { .op = XOK_UDF_CONST, .dst = (d), .imm = (v) }
#define MOV(d, x) { .op = XOK_UDF_MOV, .dst = (d), .a = (x) }
#define ADDI(d, x, v) { .op = XOK_UDF_ADDI, .dst = (d), .a = (x), .imm = (v) }
#define ALU(o, d, x, y) { .op = XOK_UDF_##o, .dst = (d), .a = (x), .b = (y) }
#define LD(s, d, x, v) { .op = XOK_UDF_LD##s, .dst = (d), .a = (x), .imm = (v) }
#define JMP(o) { .op = XOK_UDF_JMP, .off = (o) }
#define BR(c, x, y, o) { .op = XOK_UDF_##c, .a = (x), .b = (y), .off = (o) }
#define LOOP(x, o, max) \
	{ .op = XOK_UDF_LOOP, .a = (x), .off = (o), .imm = (max) }
#define EMIT(x, y) { .op = XOK_UDF_EMIT, .a = (x), .b = (y) }
#define CRED(d, w) { .op = XOK_UDF_CRED, .dst = (d), .imm = (w) }
#define RET(x) { .op = XOK_UDF_RET, .a = (x) }

/* The example in <xok/udf.h>: up to 8 block numbers of type 2. */
static const struct xok_udf_insn example[] = {
	CONST(0, 7), CONST(2, 2), LD(64, 4, 1, 0), BR(JEQ, 4, 3, 1),
	EMIT(4, 2), ADDI(1, 1, 8), LOOP(0, -5, 7), RET(3),
};

#define MAXPAIRS 16

/* The output set, as a list in emission order; refuses beyond `cap`. */
struct pairs {
	size_t n, cap;
	uint64_t block[MAXPAIRS], type[MAXPAIRS];
};

static size_t bad;
static uint64_t worst;

static int collect(uint64_t block, uint64_t type, void *ctx)
{
	struct pairs *p = ctx;

	if (p->n == p->cap)
		return 1;
	p->block[p->n] = block;
	p->type[p->n] = type;
	p->n++;
	return 0;
}

static int check_n(const struct xok_udf_insn *prog, size_t n, int kind)
{
	bad = 9999;
	worst = 0;
	return udf_check(prog, n, kind, &bad, &worst);
}

#define check(p, kind) check_n(p, N(p), kind)

/* Runs an owns-UDF into *out (emptied first) with room for `cap` pairs. */
static int owns_n(const struct xok_udf_insn *prog, size_t n,
		  const uint8_t *blk, size_t len, struct pairs *out, size_t cap)
{
	uint64_t result = 12345;
	int err;

	memset(out, 0, sizeof(*out));
	out->cap = cap;
	err = udf_run(prog, n, OWNS, blk, len, 0, 0, collect, out, &result);
	CU_ASSERT(err || result == 0); /* every owns-UDF here returns 0 */
	return err;
}

#define owns(p, blk, len, out) owns_n(p, N(p), blk, len, out, MAXPAIRS)

/* Runs a program with no input and no credentials; its RET value or ~0. */
static uint64_t value_n(const struct xok_udf_insn *prog, size_t n)
{
	uint64_t result;

	CU_ASSERT_EQUAL_FATAL(check_n(prog, n, ACCESS), 0);
	if (udf_run(prog, n, ACCESS, 0, 0, 0, 0, 0, 0, &result))
		return ~0ull;
	return result;
}

#define value(p) value_n(p, N(p))

static void put64(uint8_t *blk, size_t at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		blk[at + i] = (uint8_t)(v >> 8 * i);
}

static void example_emits_pairs(void)
{
	uint8_t blk[64] = { 0 };
	struct pairs out;

	CU_ASSERT_EQUAL(check(example, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 43);
	CU_ASSERT_EQUAL(owns(example, blk, sizeof(blk), &out), 0);
	CU_ASSERT_EQUAL(out.n, 0);
	put64(blk, 0, 5);
	put64(blk, 16, 0x0102030405060708ull);
	put64(blk, 56, UINT64_MAX);
	CU_ASSERT_EQUAL(owns(example, blk, sizeof(blk), &out), 0);
	CU_ASSERT_EQUAL_FATAL(out.n, 3);
	CU_ASSERT_EQUAL(out.block[0], 5);
	CU_ASSERT_EQUAL(out.block[1], 0x0102030405060708ull);
	CU_ASSERT_EQUAL(out.block[2], UINT64_MAX);
	for (size_t i = 0; i < out.n; i++)
		CU_ASSERT_EQUAL(out.type[i], 2);
	/* One byte short: the last entry cannot be read. */
	CU_ASSERT_EQUAL(owns(example, blk, 63, &out), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(out.n, 2);
}

static void same_block_same_pairs(void)
{
	uint8_t blk[64];
	struct pairs first, second;

	for (size_t i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)(i * 37 + 11);
	put64(blk, 24, 0);
	CU_ASSERT_EQUAL(check(example, OWNS), 0);
	CU_ASSERT_EQUAL(owns(example, blk, sizeof(blk), &first), 0);
	CU_ASSERT_EQUAL(owns(example, blk, sizeof(blk), &second), 0);
	CU_ASSERT_EQUAL(first.n, 7);
	CU_ASSERT(memcmp(&first, &second, sizeof(first)) == 0);
}

/* Allowed iff credential 0 is the owner (word at 8) and credential 2 has 4. */
static void access_uses_credentials(void)
{
	static const struct xok_udf_insn prog[] = {
		CRED(0, 0), LD(64, 1, Z, 8), BR(JNE, 0, 1, 4),
		CRED(2, 2), CONST(3, 4), ALU(AND, 4, 2, 3), RET(4),
		RET(Z),
	};
	uint64_t cred[3] = { 1000, 0, 4 };
	uint8_t blk[16] = { 0 };
	uint64_t result;

	CU_ASSERT_EQUAL(check(prog, ACCESS), 0);
	CU_ASSERT_EQUAL(worst, 8);
	put64(blk, 8, 1000);
	CU_ASSERT_EQUAL(udf_run(prog, N(prog), ACCESS, blk, 16, cred, 3, 0, 0,
				&result), 0);
	CU_ASSERT_NOT_EQUAL(result, 0);
	cred[2] = ~4ull;
	CU_ASSERT_EQUAL(udf_run(prog, N(prog), ACCESS, blk, 16, cred, 3, 0, 0,
				&result), 0);
	CU_ASSERT_EQUAL(result, 0);
	cred[0] = 1001, cred[2] = 4;
	CU_ASSERT_EQUAL(udf_run(prog, N(prog), ACCESS, blk, 16, cred, 3, 0, 0,
				&result), 0);
	CU_ASSERT_EQUAL(result, 0);
	/* Credential 2 is beyond ncred: it reads as 0, not as cred[2]. */
	cred[0] = 1000;
	CU_ASSERT_EQUAL(udf_run(prog, N(prog), ACCESS, blk, 16, cred, 2, 0, 0,
				&result), 0);
	CU_ASSERT_EQUAL(result, 0);
	CU_ASSERT_EQUAL(udf_run(prog, N(prog), ACCESS, blk, 16, 0, 0, 0, 0,
				&result), 0);
	CU_ASSERT_EQUAL(result, 0);
	/* Owns-UDFs never see credentials. */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_OPCODE);
	CU_ASSERT_EQUAL(bad, 0);
}

/* x op y through r0 and r1. */
static uint64_t binop(uint8_t op, uint64_t x, uint64_t y)
{
	const struct xok_udf_insn prog[] = {
		CONST(0, x), CONST(1, y),
		{ .op = op, .dst = 2, .a = 0, .b = 1 }, RET(2),
	};

	return value(prog);
}

static void arithmetic_wraps(void)
{
	static const struct xok_udf_insn moves[] = {
		CONST(0, 40), MOV(5, 0), ADDI(6, 5, 2), ADDI(7, 6, UINT64_MAX),
		RET(7),
	};

	CU_ASSERT_EQUAL(value(moves), 41);
	CU_ASSERT_EQUAL(binop(XOK_UDF_ADD, UINT64_MAX, 2), 1);
	CU_ASSERT_EQUAL(binop(XOK_UDF_SUB, 1, 2), UINT64_MAX);
	CU_ASSERT_EQUAL(binop(XOK_UDF_MUL, 1ull << 63, 2), 0);
	CU_ASSERT_EQUAL(binop(XOK_UDF_MUL, 6, 7), 42);
	CU_ASSERT_EQUAL(binop(XOK_UDF_AND, 0xff0, 0x0ff), 0x0f0);
	CU_ASSERT_EQUAL(binop(XOK_UDF_OR, 0xff0, 0x0ff), 0xfff);
	CU_ASSERT_EQUAL(binop(XOK_UDF_XOR, 0xff0, 0x0ff), 0xf0f);
	CU_ASSERT_EQUAL(binop(XOK_UDF_SHL, 1, 63), 1ull << 63);
	CU_ASSERT_EQUAL(binop(XOK_UDF_SHL, 3, 64), 3); /* by 64 & 63 = 0 */
	CU_ASSERT_EQUAL(binop(XOK_UDF_SHL, 3, 65), 6);
	CU_ASSERT_EQUAL(binop(XOK_UDF_SHR, 1ull << 63, 63), 1); /* logical */
	CU_ASSERT_EQUAL(binop(XOK_UDF_SHR, 8, 67), 1);
}

/* Whether the branch c, on r0 = x and r1 = y, skips RET(Z) to RET 1. */
static int branches(uint8_t c, uint64_t x, uint64_t y)
{
	const struct xok_udf_insn prog[] = {
		CONST(0, x), CONST(1, y), CONST(2, 1),
		{ .op = c, .a = 0, .b = 1, .off = 1 }, RET(Z), RET(2),
	};

	return (int)value(prog);
}

static void branches_compare_unsigned(void)
{
	static const uint64_t vals[] = { 0, 1, 2, INT64_MAX, UINT64_MAX };
	static const struct xok_udf_insn jmp[] = {
		CONST(0, 9), JMP(1), RET(Z), RET(0),
	};

	CU_ASSERT_EQUAL(value(jmp), 9);
	CU_ASSERT(!branches(XOK_UDF_JLTU, UINT64_MAX, 1)); /* not -1 < 1 */
	for (size_t i = 0; i < N(vals); i++) {
		for (size_t j = 0; j < N(vals); j++) {
			uint64_t x = vals[i], y = vals[j];

			CU_ASSERT_EQUAL(branches(XOK_UDF_JEQ, x, y), x == y);
			CU_ASSERT_EQUAL(branches(XOK_UDF_JNE, x, y), x != y);
			CU_ASSERT_EQUAL(branches(XOK_UDF_JLTU, x, y), x < y);
			CU_ASSERT_EQUAL(branches(XOK_UDF_JGEU, x, y), x >= y);
		}
	}
}

/* Loads are little-endian, unaligned, zero-extended, at r[a] + imm. */
static void loads_little_endian(void)
{
	static const struct xok_udf_insn prog[] = {
		CONST(0, 1), LD(8, 1, Z, 3), LD(16, 2, 0, 0), LD(32, 3, 0, 3),
		LD(64, 4, 0, 7), RET(Z),
	};
	uint8_t blk[16];
	uint64_t result;

	for (size_t i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)(0xf1 + i); /* 0xf1 .. 0x00 */
	CU_ASSERT_EQUAL(check(prog, ACCESS), 0);
	/* Prefixes of prog: each RETurns the register just loaded. */
	for (size_t n = 2; n <= 5; n++) {
		struct xok_udf_insn p[N(prog)];

		memcpy(p, prog, sizeof(p));
		p[n] = (struct xok_udf_insn)RET(n - 1);
		CU_ASSERT_EQUAL_FATAL(check_n(p, n + 1, ACCESS), 0);
		CU_ASSERT_EQUAL_FATAL(udf_run(p, n + 1, ACCESS, blk,
					      sizeof(blk), 0, 0, 0, 0,
					      &result), 0);
		switch (n) {
		case 2: CU_ASSERT_EQUAL(result, 0xf4); break;
		case 3: CU_ASSERT_EQUAL(result, 0xf3f2); break;
		case 4: CU_ASSERT_EQUAL(result, 0xf8f7f6f5); break;
		default: CU_ASSERT_EQUAL(result, 0x00fffefdfcfbfaf9ull); break;
		}
	}
}

/* Offset of LD64 is r0 + imm, with r0 = base: BOUNDS or the word. */
static int load64_at(uint64_t base, uint64_t imm, const uint8_t *blk,
		     size_t len)
{
	const struct xok_udf_insn prog[] = {
		CONST(0, base), LD(64, 1, 0, imm), RET(1),
	};
	uint64_t result;

	CU_ASSERT_EQUAL_FATAL(check(prog, ACCESS), 0);
	return udf_run(prog, N(prog), ACCESS, blk, len, 0, 0, 0, 0, &result);
}

static void run_refuses_loads_outside_input(void)
{
	uint8_t blk[16] = { 0 };
	static const struct xok_udf_insn ld32[] = { LD(32, 0, Z, 12), RET(0) };
	static const struct xok_udf_insn ld8[] = { LD(8, 0, Z, 16), RET(0) };
	uint64_t result;

	CU_ASSERT_EQUAL(load64_at(8, 0, blk, 16), 0);
	CU_ASSERT_EQUAL(load64_at(0, 8, blk, 16), 0);
	CU_ASSERT_EQUAL(load64_at(12, 0, blk, 16), UDF_E_BOUNDS); /* len - 4 */
	CU_ASSERT_EQUAL(load64_at(4, 8, blk, 16), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(load64_at(16, 0, blk, 16), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(load64_at(0, 0, 0, 0), UDF_E_BOUNDS);
	/* Sums that wrap past 2^64 to small, in-range offsets. */
	CU_ASSERT_EQUAL(load64_at(UINT64_MAX - 3, 8, blk, 16), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(load64_at(8, UINT64_MAX - 3, blk, 16), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(load64_at(-8ull, 8, blk, 16), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(load64_at(UINT64_MAX, 0, blk, 16), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(load64_at(UINT64_MAX - 7, 0, blk, 16), UDF_E_BOUNDS);
	/* Narrower loads at the same spot fit. */
	CU_ASSERT_EQUAL(udf_run(ld32, N(ld32), OWNS, blk, 16, 0, 0, 0, 0,
				&result), 0);
	CU_ASSERT_EQUAL(udf_run(ld32, N(ld32), OWNS, blk, 15, 0, 0, 0, 0,
				&result), UDF_E_BOUNDS);
	CU_ASSERT_EQUAL(udf_run(ld8, N(ld8), OWNS, blk, 16, 0, 0, 0, 0,
				&result), UDF_E_BOUNDS);
}

static void run_stops_when_emit_refuses(void)
{
	uint8_t blk[64];
	struct pairs out;

	for (size_t i = 0; i < 8; i++)
		put64(blk, 8 * i, 100 + i);
	CU_ASSERT_EQUAL(check(example, OWNS), 0);
	CU_ASSERT_EQUAL(owns_n(example, N(example), blk, sizeof(blk), &out, 3),
			UDF_E_EMIT);
	CU_ASSERT_EQUAL(out.n, 3);
	CU_ASSERT_EQUAL(out.block[2], 102);
	/* No callback refuses every pair, and is fine when none is emitted. */
	CU_ASSERT_EQUAL(udf_run(example, N(example), OWNS, blk, sizeof(blk),
				0, 0, 0, 0, 0), UDF_E_EMIT);
	memset(blk, 0, sizeof(blk));
	CU_ASSERT_EQUAL(udf_run(example, N(example), OWNS, blk, sizeof(blk),
				0, 0, 0, 0, 0), 0);
}

/* Two nested loops of 201 passes each: 40805 steps, run to the last one. */
static void nested_loops_within_bound(void)
{
	static const struct xok_udf_insn prog[] = {
		CONST(0, 200), CONST(1, 200), LOOP(1, -1, 200),
		LOOP(0, -3, 200), RET(0),
	};

	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 1 + 201 + 201 * 201 + 201 + 1);
	CU_ASSERT_EQUAL(value_n(prog, N(prog)), 0);
}

/* One loop that takes exactly XOK_UDF_MAXSTEPS; one step more is refused. */
static void longest_loop(void)
{
	struct xok_udf_insn prog[] = {
		CONST(0, 1), CONST(0, XOK_UDF_MAXSTEPS - 3),
		LOOP(0, -1, XOK_UDF_MAXSTEPS - 3), RET(0),
	};

	CU_ASSERT_EQUAL(check_n(prog + 1, 3, ACCESS), 0);
	CU_ASSERT_EQUAL(worst, XOK_UDF_MAXSTEPS);
	CU_ASSERT_EQUAL(value_n(prog + 1, 3), 0);
	CU_ASSERT_EQUAL(check(prog, ACCESS), UDF_E_STEPS);
	CU_ASSERT_EQUAL(bad, 0); /* outside any loop: the instruction itself */
	CU_ASSERT_EQUAL(worst, 0);
}

static void run_refuses_loop_over_its_bound(void)
{
	struct xok_udf_insn count[] = {
		CONST(0, 3), ADDI(1, 1, 1), LOOP(0, -2, 3), RET(1),
	};
	/* The body resets its own counter: never over imm, never done. */
	static const struct xok_udf_insn reset[] = {
		CONST(0, 3), LOOP(0, -2, 3), RET(0),
	};
	struct xok_udf_insn ex[N(example)];
	uint8_t blk[72];
	struct pairs out;

	CU_ASSERT_EQUAL(value(count), 4);
	CU_ASSERT_EQUAL(worst, 10);
	count[0].imm = 4;
	CU_ASSERT_EQUAL(value(count), ~0ull);
	CU_ASSERT_EQUAL(udf_run(count, N(count), ACCESS, 0, 0, 0, 0, 0, 0, 0),
			UDF_E_STEPS);
	count[0].imm = UINT64_MAX;
	CU_ASSERT_EQUAL(udf_run(count, N(count), ACCESS, 0, 0, 0, 0, 0, 0, 0),
			UDF_E_STEPS);
	CU_ASSERT_EQUAL(check(reset, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 9);
	CU_ASSERT_EQUAL(udf_run(reset, N(reset), OWNS, 0, 0, 0, 0, 0, 0, 0),
			UDF_E_STEPS);
	/*
	 * The example told to read 9 entries: zeros skip EMIT, so the run
	 * would stay under the 43 steps counted for 8 entries with EMIT.
	 */
	memcpy(ex, example, sizeof(ex));
	ex[0].imm = 8;
	memset(blk, 0, sizeof(blk));
	CU_ASSERT_EQUAL(check(ex, OWNS), 0);
	CU_ASSERT_EQUAL(owns(ex, blk, sizeof(blk), &out), UDF_E_STEPS);
	CU_ASSERT_EQUAL(out.n, 0);
}

static void refuses_bad_kind(void)
{
	bad = 9999;
	CU_ASSERT_EQUAL(udf_check(example, N(example), 0, &bad, 0), UDF_E_KIND);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(udf_check(example, N(example), 3, 0, 0), UDF_E_KIND);
	CU_ASSERT_EQUAL(udf_run(example, N(example), -1, 0, 0, 0, 0, 0, 0, 0),
			UDF_E_KIND);
}

static void length_limits(void)
{
	struct xok_udf_insn prog[XOK_UDF_MAXINSNS + 1];

	for (size_t i = 0; i < N(prog); i++)
		prog[i] = (struct xok_udf_insn)ADDI(i % Z, Z, i);
	prog[XOK_UDF_MAXINSNS - 1] = (struct xok_udf_insn)RET(7);
	CU_ASSERT_EQUAL(check_n(prog, XOK_UDF_MAXINSNS, OWNS), 0);
	CU_ASSERT_EQUAL(worst, XOK_UDF_MAXINSNS);
	CU_ASSERT_EQUAL(value_n(prog, XOK_UDF_MAXINSNS), 247);
	CU_ASSERT_EQUAL(check_n(prog, 0, OWNS), UDF_E_LENGTH);
	CU_ASSERT_EQUAL(bad, 0);
	prog[XOK_UDF_MAXINSNS] = (struct xok_udf_insn)RET(0);
	CU_ASSERT_EQUAL(check_n(prog, XOK_UDF_MAXINSNS + 1, OWNS), UDF_E_LENGTH);
	CU_ASSERT_EQUAL(bad, XOK_UDF_MAXINSNS);
	CU_ASSERT_EQUAL(udf_run(prog, 0, OWNS, 0, 0, 0, 0, 0, 0, 0),
			UDF_E_LENGTH);
}

static void refuses_bad_opcode(void)
{
	struct xok_udf_insn prog[] = {
		CONST(0, 1), { .op = 0 }, EMIT(0, 0), CRED(1, 0), RET(0),
	};

	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_OPCODE); /* zeroed */
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].op = XOK_UDF_RET + 1;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_OPCODE);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].op = 255;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_OPCODE);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_udf_insn)MOV(2, 0);
	CU_ASSERT_EQUAL(check(prog, ACCESS), UDF_E_OPCODE); /* EMIT */
	CU_ASSERT_EQUAL(bad, 2);
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_OPCODE); /* CRED */
	CU_ASSERT_EQUAL(bad, 3);
	prog[3] = (struct xok_udf_insn)CONST(1, 0);
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
}

static void refuses_bad_register(void)
{
	struct xok_udf_insn prog[] = {
		CONST(0, 1), MOV(1, 0), ALU(ADD, 2, 0, 1), LD(8, 3, 0, 0),
		LOOP(0, -1, 1), EMIT(2, 3), RET(2),
	};
	const struct {
		size_t i;
		uint8_t *field;
	} cases[] = {
		{ 0, &prog[0].dst }, { 1, &prog[1].dst }, { 1, &prog[1].a },
		{ 2, &prog[2].dst }, { 2, &prog[2].a }, { 2, &prog[2].b },
		{ 3, &prog[3].dst }, { 3, &prog[3].a }, { 4, &prog[4].a },
		{ 5, &prog[5].a }, { 5, &prog[5].b }, { 6, &prog[6].a },
	};

	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	for (size_t c = 0; c < N(cases); c++) {
		uint8_t keep = *cases[c].field;

		for (unsigned r = XOK_UDF_NREGS; r <= 255; r += 239) {
			*cases[c].field = (uint8_t)r;
			CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_REGISTER);
			CU_ASSERT_EQUAL(bad, cases[c].i);
		}
		*cases[c].field = keep;
	}
	/* Fields an opcode does not use are ignored. */
	prog[0].a = prog[0].b = 255;
	prog[1].b = prog[3].b = prog[4].b = 255;
	prog[4].dst = prog[5].dst = prog[6].dst = prog[6].b = 255;
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
}

static void refuses_bad_jump(void)
{
	struct xok_udf_insn prog[] = {
		CONST(0, 1), BR(JEQ, 0, 0, 2), CONST(1, 1), JMP(0), RET(0),
	};

	CU_ASSERT_EQUAL(check(prog, OWNS), 0); /* to RET, the last */
	prog[1].off = 3;                        /* past the end */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].off = INT32_MAX;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	prog[1].off = -1;                       /* backward, to itself */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].off = 0;
	prog[3].off = -2;                       /* backward JMP */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 3);
	prog[3] = (struct xok_udf_insn)LOOP(0, 0, 1); /* zero offset */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 3);
	prog[3].off = 1;                        /* forward LOOP */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 3);
	prog[3].off = -5;                       /* before the start */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 3);
	prog[3].off = INT32_MIN;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	prog[3].off = -4;                       /* to the start */
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	/* A last JMP can only land past the end. */
	prog[4] = (struct xok_udf_insn)JMP(0);
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_JUMP);
	CU_ASSERT_EQUAL(bad, 4);
}

static void refuses_bad_loop_bound(void)
{
	struct xok_udf_insn prog[] = { CONST(0, 1), LOOP(0, -1, 0), RET(0) };

	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].imm = XOK_UDF_MAXSTEPS + 1;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].imm = UINT64_MAX;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS);
	prog[1].imm = 1;
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 4);
}

static void refuses_overlapping_loops(void)
{
	/* Bodies [1, 3] and [2, 4]. */
	struct xok_udf_insn prog[] = {
		CONST(0, 2), CONST(1, 2), ADDI(2, 2, 1),
		LOOP(0, -3, 2), LOOP(1, -3, 2), RET(2),
	};

	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS);
	CU_ASSERT_EQUAL(bad, 4);
	prog[4].off = -2;                       /* [3, 4]: shares the LOOP at 3 */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS);
	CU_ASSERT_EQUAL(bad, 4);
	prog[4].off = -1;                       /* [4, 4]: disjoint */
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 1 + 3 * 3 + 3 + 1);
	prog[4].off = -4;                       /* [1, 4] holds [1, 3] */
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 1 + 3 * 3 * 3 + 3 + 1);
	prog[4].off = -5;                       /* [0, 4] holds [1, 3] */
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	prog[3].off = -2;                       /* [0, 4] holds [2, 3] */
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 2 * 3 + 2 * 3 * 3 + 3 + 1);
}

/* 301 * 301 passes of the inner loop look unbounded enough. */
static void refuses_too_many_steps(void)
{
	struct xok_udf_insn nested[] = {
		CONST(0, 300), CONST(1, 300), LOOP(1, -1, 300),
		LOOP(0, -3, 300), RET(0),
	};
	/* Each loop fits alone; together they do not. */
	struct xok_udf_insn siblings[] = {
		CONST(0, 40000), LOOP(0, -1, 40000), CONST(0, 40000),
		LOOP(0, -1, 40000), RET(0),
	};

	CU_ASSERT_EQUAL(check(nested, OWNS), UDF_E_STEPS);
	CU_ASSERT_EQUAL(bad, 3); /* the outer loop */
	CU_ASSERT_EQUAL(worst, 0);
	nested[2].imm = nested[3].imm = 200;
	CU_ASSERT_EQUAL(check(nested, OWNS), 0);
	CU_ASSERT_EQUAL(check(siblings, OWNS), UDF_E_STEPS);
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_EQUAL(check_n(siblings + 2, 3, OWNS), 0);
	siblings[3].imm = XOK_UDF_MAXSTEPS; /* valid, but cannot fit */
	CU_ASSERT_EQUAL(check_n(siblings + 2, 3, OWNS), UDF_E_STEPS);
	CU_ASSERT_EQUAL(bad, 1);
}

static void refuses_falloff(void)
{
	struct xok_udf_insn prog[] = { CONST(0, 1), ADDI(0, 0, 1) };

	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_udf_insn)LOOP(0, -2, 1);
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_EQUAL(check_n(prog, 1, OWNS), UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(bad, 0);
	prog[1] = (struct xok_udf_insn)RET(0);
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(check_n(prog + 1, 1, OWNS), 0);
}

/* Single-instruction faults in order, then fall-off, nesting, steps. */
static void reports_faults_in_order(void)
{
	struct xok_udf_insn prog[] = {
		CONST(0, 1), MOV(1, 16), LOOP(0, -2, 0), { .op = 99 },
		LOOP(0, -3, XOK_UDF_MAXSTEPS), LOOP(0, -3, 1),
	};

	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_REGISTER);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].a = 0;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS); /* imm 0 */
	CU_ASSERT_EQUAL(bad, 2);
	prog[2].imm = 1;
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_OPCODE);
	CU_ASSERT_EQUAL(bad, 3);
	prog[3] = (struct xok_udf_insn)CONST(1, 1);
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(bad, 5);
	prog[5] = (struct xok_udf_insn)RET(0);
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_LOOPS); /* [1, 2], [2, 4] */
	CU_ASSERT_EQUAL(bad, 4);
	prog[2].off = -1;                                /* [2, 2], [2, 4] */
	CU_ASSERT_EQUAL(check(prog, OWNS), UDF_E_STEPS);
	CU_ASSERT_EQUAL(bad, 4);
	prog[4].imm = 2;
	CU_ASSERT_EQUAL(check(prog, OWNS), 0);
	CU_ASSERT_EQUAL(worst, 1 + 1 + 2 * 3 + 3 + 3 + 1);
}

/* udf_run stays inside its arrays and ends even on unchecked programs. */
static void run_survives_unchecked_programs(void)
{
	static const struct xok_udf_insn emit[] = { EMIT(0, 0), RET(0) };
	static const struct xok_udf_insn cred[] = { CRED(0, 0), RET(0) };
	static const struct xok_udf_insn back[] = { CONST(0, 1), JMP(-2) };
	static const struct xok_udf_insn past[] = { JMP(5), RET(0) };
	static const struct xok_udf_insn regs[] = {
		CONST(200, 7), MOV(201, 200), RET(217),
	};
	static const struct xok_udf_insn ahead[] = {
		CONST(0, 5), LOOP(0, 3, 5), RET(0),
	};
	static const struct xok_udf_insn before[] = {
		CONST(0, 5), LOOP(0, -9, 5), RET(0),
	};
	static const struct xok_udf_insn huge[] = {
		CONST(0, 5), LOOP(0, -1, UINT64_MAX), RET(0),
	};
	struct pairs out = { .cap = MAXPAIRS };
	uint64_t one = 1, result;

	CU_ASSERT_EQUAL(udf_run(emit, 2, ACCESS, 0, 0, 0, 0, collect, &out,
				&result), UDF_E_OPCODE);
	CU_ASSERT_EQUAL(out.n, 0);
	CU_ASSERT_EQUAL(udf_run(cred, 2, OWNS, 0, 0, &one, 1, 0, 0, &result),
			UDF_E_OPCODE);
	CU_ASSERT_EQUAL(udf_run(back, 2, OWNS, 0, 0, 0, 0, 0, 0, &result),
			UDF_E_STEPS);
	CU_ASSERT_EQUAL(udf_run(past, 2, OWNS, 0, 0, 0, 0, 0, 0, &result),
			UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(udf_run(regs, 3, OWNS, 0, 0, 0, 0, 0, 0, &result), 0);
	CU_ASSERT_EQUAL(result, 7); /* 200, 201 and 217 are r8, r9 and r9 */
	CU_ASSERT_EQUAL(udf_run(ahead, 3, OWNS, 0, 0, 0, 0, 0, 0, &result),
			UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(udf_run(before, 3, OWNS, 0, 0, 0, 0, 0, 0, &result),
			UDF_E_FALLOFF);
	CU_ASSERT_EQUAL(udf_run(huge, 3, OWNS, 0, 0, 0, 0, 0, 0, &result),
			UDF_E_STEPS);
}

static void strerror_covers_all_codes(void)
{
	const char *unknown = udf_strerror(12345);

	CU_ASSERT_PTR_NOT_NULL_FATAL(unknown);
	CU_ASSERT_STRING_EQUAL(udf_strerror(0), "ok");
	for (int err = UDF_E_EMIT; err <= UDF_E_LENGTH; err++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(udf_strerror(err));
		CU_ASSERT_STRING_NOT_EQUAL(udf_strerror(err), unknown);
		for (int other = UDF_E_EMIT; other < err; other++)
			CU_ASSERT_STRING_NOT_EQUAL(udf_strerror(err),
						   udf_strerror(other));
	}
}

void add_udf_tests(void)
{
	static const struct unit_test tests[] = {
		{ "example_emits_pairs", example_emits_pairs },
		{ "same_block_same_pairs", same_block_same_pairs },
		{ "access_uses_credentials", access_uses_credentials },
		{ "arithmetic_wraps", arithmetic_wraps },
		{ "branches_compare_unsigned", branches_compare_unsigned },
		{ "loads_little_endian", loads_little_endian },
		{ "run_refuses_loads_outside_input",
		  run_refuses_loads_outside_input },
		{ "run_stops_when_emit_refuses", run_stops_when_emit_refuses },
		{ "nested_loops_within_bound", nested_loops_within_bound },
		{ "longest_loop", longest_loop },
		{ "run_refuses_loop_over_its_bound",
		  run_refuses_loop_over_its_bound },
		{ "refuses_bad_kind", refuses_bad_kind },
		{ "length_limits", length_limits },
		{ "refuses_bad_opcode", refuses_bad_opcode },
		{ "refuses_bad_register", refuses_bad_register },
		{ "refuses_bad_jump", refuses_bad_jump },
		{ "refuses_bad_loop_bound", refuses_bad_loop_bound },
		{ "refuses_overlapping_loops", refuses_overlapping_loops },
		{ "refuses_too_many_steps", refuses_too_many_steps },
		{ "refuses_falloff", refuses_falloff },
		{ "reports_faults_in_order", reports_faults_in_order },
		{ "run_survives_unchecked_programs",
		  run_survives_unchecked_programs },
		{ "strerror_covers_all_codes", strerror_covers_all_codes },
		{ 0, 0 },
	};
	add_suite("udf", tests);
}
