/*
 * xok/wk: checking and evaluating wakeup predicates against a fake user
 * memory of a few words at BASE.
 */
#include <stdint.h>
#include <string.h>

#include "../../xok/wk.h"
#include "unit.h"

#define BASE 0x10000ull
#define NWORDS 4
#define TOP (BASE + 8 * NWORDS) /* end of the fake mapping */
#define W(i) (BASE + 8 * (i))   /* user address of mem[i] */
#define N(p) (sizeof(p) / sizeof((p)[0]))

#define CONST(d, v) { .op = XOK_WK_CONST, .dst = (d), .imm = (v) }
#define LOAD64(d, x) { .op = XOK_WK_LOAD64, .dst = (d), .imm = (x) }
#define LOAD32(d, x) { .op = XOK_WK_LOAD32, .dst = (d), .imm = (x) }
#define CLOCK(d) { .op = XOK_WK_CLOCK, .dst = (d) }
#define ALU(o, d, x, y) { .op = XOK_WK_##o, .dst = (d), .a = (x), .b = (y) }
#define WAKE(o, x, y, t) \
	{ .op = XOK_WK_WAKE_##o, .a = (x), .b = (y), .term = (t) }
#define END { .op = XOK_WK_END }

static uint64_t mem[NWORDS];
static int reads_fail;  /* the fake page was unmapped after install */
static size_t bad;

/* Readable: exactly the fake mapping [BASE, TOP). */
static int mapped(uint64_t addr, unsigned size, void *ctx)
{
	(void)ctx;
	CU_ASSERT(addr <= UINT64_MAX - size); /* never asked about a wrap */
	return addr >= BASE && addr <= TOP - size;
}

/* Readable: everything, to show the checker's own range test. */
static int everything(uint64_t addr, unsigned size, void *ctx)
{
	(void)ctx;
	CU_ASSERT(addr <= UINT64_MAX - size);
	return 1;
}

static int read_mem(uint64_t addr, unsigned size, uint64_t *out, void *ctx)
{
	uint32_t w32;

	(void)ctx;
	if (reads_fail || !mapped(addr, size, 0))
		return 1;
	if (size == 8) {
		*out = mem[(addr - BASE) / 8];
	} else {
		memcpy(&w32, (uint8_t *)mem + (addr - BASE), 4);
		*out = w32;
	}
	return 0;
}

static int check_n(const struct xok_wk_insn *prog, size_t n)
{
	bad = 9999;
	return wk_check(prog, n, mapped, 0, &bad);
}

static int eval_n(const struct xok_wk_insn *prog, size_t n, uint64_t now)
{
	return wk_eval(prog, n, read_mem, 0, now);
}

#define check(p) check_n(p, N(p))
#define eval(p, now) eval_n(p, N(p), now)

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
	reads_fail = 0;
}

static void memory_word_compare(void)
{
	static const struct xok_wk_insn prog[] = {
		LOAD64(0, W(1)), CONST(1, 5), WAKE(NE, 0, 1, 3), END,
	};

	reset();
	mem[1] = 5;
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), WK_ASLEEP);
	mem[1] = 6;
	CU_ASSERT_EQUAL(eval(prog, 0), 3);
}

/* Both halves of a 64-bit word, little-endian, zero-extended. */
static void load32_halves(void)
{
	static const struct xok_wk_insn prog[] = {
		LOAD32(0, W(2)), CONST(1, 7), WAKE(NE, 0, 1, 1),
		LOAD32(2, W(2) + 4), CONST(3, 0xfffffffeull),
		WAKE(EQ, 2, 3, 2), END,
	};

	reset();
	mem[2] = 0xfffffffe00000007ull;
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), 2);
	mem[2] = 0xffffffff00000007ull;
	CU_ASSERT_EQUAL(eval(prog, 0), WK_ASLEEP);
}

/* now - T, unsigned, reaches 1 ms exactly at T + 1 ms. */
static void clock_deadline(void)
{
	const uint64_t t = 123456789;
	const struct xok_wk_insn prog[] = {
		CLOCK(2), CONST(3, t), ALU(SUB, 2, 2, 3), CONST(4, 1000000),
		WAKE(GEU, 2, 4, 1), END,
	};

	reset();
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, t), WK_ASLEEP);
	CU_ASSERT_EQUAL(eval(prog, t + 999999), WK_ASLEEP);
	CU_ASSERT_EQUAL(eval(prog, t + 1000000), 1);
	CU_ASSERT_EQUAL(eval(prog, UINT64_MAX), 1);
}

/* 3*x + 2*y == 17, in wrapping 64-bit arithmetic. */
static void sum_of_products(void)
{
	static const struct xok_wk_insn prog[] = {
		LOAD64(0, W(0)), LOAD64(1, W(1)), CONST(2, 3), CONST(3, 2),
		ALU(MUL, 0, 0, 2), ALU(MUL, 1, 1, 3), ALU(ADD, 4, 0, 1),
		CONST(5, 17), WAKE(EQ, 4, 5, 7), END,
	};

	reset();
	CU_ASSERT_EQUAL(check(prog), 0);
	mem[0] = 5, mem[1] = 1;
	CU_ASSERT_EQUAL(eval(prog, 0), 7);
	mem[0] = 1, mem[1] = 7;
	CU_ASSERT_EQUAL(eval(prog, 0), 7);
	mem[0] = 2, mem[1] = 2;
	CU_ASSERT_EQUAL(eval(prog, 0), WK_ASLEEP);
	mem[0] = 5, mem[1] = 1 + (1ull << 63); /* 2*y wraps to 2 */
	CU_ASSERT_EQUAL(eval(prog, 0), 7);
}

static void and_masks_bits(void)
{
	static const struct xok_wk_insn prog[] = {
		LOAD64(0, W(3)), CONST(1, 0x10), ALU(AND, 2, 0, 1),
		CONST(3, 0), WAKE(NE, 2, 3, 63), END,
	};

	reset();
	CU_ASSERT_EQUAL(check(prog), 0);
	mem[3] = ~0x10ull;
	CU_ASSERT_EQUAL(eval(prog, 0), WK_ASLEEP);
	mem[3] = 0x10;
	CU_ASSERT_EQUAL(eval(prog, 0), 63);
}

/* r0 op r1 with r0 = x, r1 = y: term 5 if it holds. */
static int compare(uint8_t op, uint64_t x, uint64_t y)
{
	struct xok_wk_insn prog[] = {
		CONST(0, x), CONST(1, y),
		{ .op = op, .a = 0, .b = 1, .term = 5 }, END,
	};

	CU_ASSERT_EQUAL(check(prog), 0);
	return eval(prog, 0) == 5;
}

static void signed_and_unsigned_compares(void)
{
	static const uint64_t vals[] = {
		0, 1, 2, UINT64_MAX, INT64_MAX, (uint64_t)INT64_MIN,
	};

	reset();
	/* -1 is below 1 signed, above it unsigned. */
	CU_ASSERT(compare(XOK_WK_WAKE_LTS, UINT64_MAX, 1));
	CU_ASSERT(!compare(XOK_WK_WAKE_LTU, UINT64_MAX, 1));
	CU_ASSERT(compare(XOK_WK_WAKE_GTU, UINT64_MAX, 1));
	CU_ASSERT(!compare(XOK_WK_WAKE_GES, UINT64_MAX, 1));
	for (size_t i = 0; i < N(vals); i++) {
		for (size_t j = 0; j < N(vals); j++) {
			uint64_t x = vals[i], y = vals[j];
			int64_t sx = (int64_t)x, sy = (int64_t)y;

			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_EQ, x, y), x == y);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_NE, x, y), x != y);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_LTU, x, y), x < y);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_LEU, x, y), x <= y);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_GTU, x, y), x > y);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_GEU, x, y), x >= y);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_LTS, x, y), sx < sy);
			CU_ASSERT_EQUAL(compare(XOK_WK_WAKE_GES, x, y), sx >= sy);
		}
	}
}

static void first_firing_term_wins(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 1), CONST(1, 2),
		WAKE(EQ, 0, 1, 2),  /* false */
		WAKE(LTU, 0, 1, 9), /* true */
		WAKE(NE, 0, 1, 4),  /* true, too late */
		END,
	};

	reset();
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), 9);
	prog[2].op = XOK_WK_WAKE_NE;
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), 2);
}

/* A wake before an unreadable load fires; the load itself faults. */
static void fault_when_read_fails(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 1), WAKE(EQ, 0, 0, 6),
		LOAD64(1, W(0)), WAKE(NE, 1, 0, 8), END,
	};

	reset();
	CU_ASSERT_EQUAL(check(prog), 0);
	reads_fail = 1;
	CU_ASSERT_EQUAL(eval(prog, 0), 6);
	prog[1].op = XOK_WK_WAKE_NE;
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), WK_FAULT);
	reads_fail = 0;
	CU_ASSERT_EQUAL(eval(prog, 0), 8);
}

static void end_alone_is_asleep_and_max_length_ok(void)
{
	static const struct xok_wk_insn end[] = { END };
	struct xok_wk_insn prog[XOK_WK_MAXINSNS];

	CU_ASSERT_EQUAL(check(end), 0);
	CU_ASSERT_EQUAL(eval(end, 0), WK_ASLEEP);
	for (size_t i = 0; i < XOK_WK_MAXINSNS - 1; i++)
		prog[i] = (struct xok_wk_insn)CONST(i % XOK_WK_NREGS, i);
	prog[XOK_WK_MAXINSNS - 1] = (struct xok_wk_insn)END;
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), WK_ASLEEP);
	/* bad_insn is optional */
	CU_ASSERT_EQUAL(wk_check(prog, 0, mapped, 0, NULL), WK_E_LENGTH);
}

static void refuses_bad_length(void)
{
	struct xok_wk_insn prog[XOK_WK_MAXINSNS + 1];

	for (size_t i = 0; i < N(prog); i++)
		prog[i] = (struct xok_wk_insn)CONST(0, 0);
	prog[XOK_WK_MAXINSNS] = (struct xok_wk_insn)END;
	CU_ASSERT_EQUAL(check_n(prog, 0), WK_E_LENGTH);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(check_n(prog, XOK_WK_MAXINSNS + 1), WK_E_LENGTH);
	CU_ASSERT_EQUAL(bad, XOK_WK_MAXINSNS);
}

static void refuses_bad_opcode(void)
{
	struct xok_wk_insn prog[] = { CONST(0, 0), { .op = 0 }, END };

	CU_ASSERT_EQUAL(check(prog), WK_E_OPCODE); /* a zeroed instruction */
	CU_ASSERT_EQUAL(bad, 1);
	prog[0].op = 200;
	CU_ASSERT_EQUAL(check(prog), WK_E_OPCODE);
	CU_ASSERT_EQUAL(bad, 0);
	prog[0].op = XOK_WK_END + 1;
	CU_ASSERT_EQUAL(check(prog), WK_E_OPCODE);
	CU_ASSERT_EQUAL(bad, 0);
}

static void refuses_bad_register(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 1), CONST(1, 2), ALU(ADD, 2, 0, 1),
		WAKE(EQ, 2, 1, 0), END,
	};

	CU_ASSERT_EQUAL(check(prog), 0);
	prog[1].dst = 8;
	CU_ASSERT_EQUAL(check(prog), WK_E_REGISTER);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].dst = 1;
	prog[2].a = 8;
	CU_ASSERT_EQUAL(check(prog), WK_E_REGISTER);
	CU_ASSERT_EQUAL(bad, 2);
	prog[2].a = 0;
	prog[2].dst = 255;
	CU_ASSERT_EQUAL(check(prog), WK_E_REGISTER);
	CU_ASSERT_EQUAL(bad, 2);
	prog[2].dst = 2;
	prog[3].b = 8;
	CU_ASSERT_EQUAL(check(prog), WK_E_REGISTER);
	CU_ASSERT_EQUAL(bad, 3);
	prog[3].b = 1;
	/* Fields an opcode does not use are ignored. */
	prog[0].a = prog[0].b = 255;
	prog[3].dst = 255;
	prog[4].dst = prog[4].a = prog[4].b = 255;
	CU_ASSERT_EQUAL(check(prog), 0);
}

static void refuses_uninitialised_read(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 1), WAKE(EQ, 0, 1, 0), CONST(1, 1), END,
	};

	/* r1 is written, but only after it is read */
	CU_ASSERT_EQUAL(check(prog), WK_E_UNINIT);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)ALU(ADD, 2, 2, 0);
	CU_ASSERT_EQUAL(check(prog), WK_E_UNINIT);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)ALU(ADD, 0, 0, 0); /* r0 += r0: fine */
	CU_ASSERT_EQUAL(check(prog), 0);
}

static void refuses_misaligned_load(void)
{
	struct xok_wk_insn prog[] = { CONST(0, 0), LOAD64(1, W(1) + 4), END };

	CU_ASSERT_EQUAL(check(prog), WK_E_ALIGN);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)LOAD32(1, W(1) + 2);
	CU_ASSERT_EQUAL(check(prog), WK_E_ALIGN);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)LOAD32(1, W(1) + 4);
	CU_ASSERT_EQUAL(check(prog), 0);
}

static void refuses_unreadable_address(void)
{
	struct xok_wk_insn prog[] = { LOAD64(0, BASE - 8), END };

	CU_ASSERT_EQUAL(check(prog), WK_E_ADDRESS);
	CU_ASSERT_EQUAL(bad, 0);
	prog[0].imm = TOP;
	CU_ASSERT_EQUAL(check(prog), WK_E_ADDRESS);
	prog[0].imm = 0;
	CU_ASSERT_EQUAL(check(prog), WK_E_ADDRESS);
	prog[0].imm = TOP - 8;
	CU_ASSERT_EQUAL(check(prog), 0);
	prog[0] = (struct xok_wk_insn)LOAD32(0, TOP - 4);
	CU_ASSERT_EQUAL(check(prog), 0);
	prog[0].imm = TOP;
	CU_ASSERT_EQUAL(check(prog), WK_E_ADDRESS);
}

/* The last word below 2^64 ends at 2^64, which wraps to 0: refused. */
static void refuses_address_overflow(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 0), LOAD64(1, UINT64_MAX - 7), END,
	};

	CU_ASSERT_EQUAL(wk_check(prog, N(prog), everything, 0, &bad),
			WK_E_ADDRESS);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)LOAD32(1, UINT64_MAX - 3);
	CU_ASSERT_EQUAL(wk_check(prog, N(prog), everything, 0, &bad),
			WK_E_ADDRESS);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)LOAD64(1, UINT64_MAX - 15);
	CU_ASSERT_EQUAL(wk_check(prog, N(prog), everything, 0, &bad), 0);
}

static void refuses_bad_term(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 0), WAKE(EQ, 0, 0, XOK_WK_MAXTERMS), END,
	};

	CU_ASSERT_EQUAL(check(prog), WK_E_TERM);
	CU_ASSERT_EQUAL(bad, 1);
	prog[1].term = UINT32_MAX;
	CU_ASSERT_EQUAL(check(prog), WK_E_TERM);
	prog[1].term = XOK_WK_MAXTERMS - 1;
	CU_ASSERT_EQUAL(check(prog), 0);
	CU_ASSERT_EQUAL(eval(prog, 0), XOK_WK_MAXTERMS - 1);
	prog[0].term = 1000; /* not a WAKE: ignored */
	CU_ASSERT_EQUAL(check(prog), 0);
}

static void refuses_missing_or_early_end(void)
{
	struct xok_wk_insn prog[] = {
		CONST(0, 0), END, WAKE(EQ, 0, 0, 1), CONST(1, 0),
	};

	CU_ASSERT_EQUAL(check(prog), WK_E_NOEND); /* END in the middle */
	CU_ASSERT_EQUAL(bad, 1);
	prog[1] = (struct xok_wk_insn)CONST(2, 0);
	CU_ASSERT_EQUAL(check(prog), WK_E_NOEND); /* no END at all */
	CU_ASSERT_EQUAL(bad, 3);
	prog[1] = (struct xok_wk_insn)END;
	prog[3] = (struct xok_wk_insn)END;
	CU_ASSERT_EQUAL(check(prog), WK_E_NOEND); /* two: the first is early */
	CU_ASSERT_EQUAL(bad, 1);
	prog[3] = (struct xok_wk_insn)CONST(1, 0);
	CU_ASSERT_EQUAL(check_n(prog, 1), WK_E_NOEND);
	CU_ASSERT_EQUAL(bad, 0);
}

/* With several faults, the report names the first instruction. */
static void reports_first_bad_instruction(void)
{
	static const struct xok_wk_insn prog[] = {
		CONST(0, 0), WAKE(EQ, 0, 7, 0), LOAD64(9, 3), { .op = 99 },
	};

	CU_ASSERT_EQUAL(check(prog), WK_E_UNINIT);
	CU_ASSERT_EQUAL(bad, 1);
}

static void strerror_covers_all_codes(void)
{
	const char *unknown = wk_strerror(12345);

	CU_ASSERT_PTR_NOT_NULL_FATAL(unknown);
	CU_ASSERT_STRING_EQUAL(wk_strerror(0), "ok");
	for (int err = WK_E_NOEND; err <= WK_E_LENGTH; err++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(wk_strerror(err));
		CU_ASSERT_STRING_NOT_EQUAL(wk_strerror(err), unknown);
		for (int other = WK_E_NOEND; other < err; other++)
			CU_ASSERT_STRING_NOT_EQUAL(wk_strerror(err),
						   wk_strerror(other));
	}
}

void add_wk_tests(void)
{
	static const struct unit_test tests[] = {
		{ "memory_word_compare", memory_word_compare },
		{ "load32_halves", load32_halves },
		{ "clock_deadline", clock_deadline },
		{ "sum_of_products", sum_of_products },
		{ "and_masks_bits", and_masks_bits },
		{ "signed_and_unsigned_compares", signed_and_unsigned_compares },
		{ "first_firing_term_wins", first_firing_term_wins },
		{ "fault_when_read_fails", fault_when_read_fails },
		{ "end_alone_is_asleep_and_max_length_ok",
		  end_alone_is_asleep_and_max_length_ok },
		{ "refuses_bad_length", refuses_bad_length },
		{ "refuses_bad_opcode", refuses_bad_opcode },
		{ "refuses_bad_register", refuses_bad_register },
		{ "refuses_uninitialised_read", refuses_uninitialised_read },
		{ "refuses_misaligned_load", refuses_misaligned_load },
		{ "refuses_unreadable_address", refuses_unreadable_address },
		{ "refuses_address_overflow", refuses_address_overflow },
		{ "refuses_bad_term", refuses_bad_term },
		{ "refuses_missing_or_early_end", refuses_missing_or_early_end },
		{ "reports_first_bad_instruction", reports_first_bad_instruction },
		{ "strerror_covers_all_codes", strerror_covers_all_codes },
		{ 0, 0 },
	};
	add_suite("wk", tests);
}
