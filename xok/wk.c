/*
 * wk: wakeup predicates. wk_check proves once, at install, what wk_eval then
 * relies on at every scheduling point (operands in range, registers written
 * before read, END last), so evaluation is a plain loop over at most
 * XOK_WK_MAXINSNS instructions.
 */
#include "wk.h"

_Static_assert(sizeof(struct xok_wk_insn) == 16, "the ABI fixes 16 bytes");
_Static_assert((XOK_WK_NREGS & (XOK_WK_NREGS - 1)) == 0,
	       "wk_eval masks register numbers");
_Static_assert(XOK_WK_NREGS <= 32, "wk_check tracks registers in a mask");

/* Operand shapes: one table, so the checker and evaluator agree on fields. */
enum kind {
	K_BAD,  /* not an opcode */
	K_SET,  /* writes dst from imm or the clock */
	K_LOAD, /* writes dst from memory at imm */
	K_ALU,  /* writes dst from a and b */
	K_WAKE, /* reads a and b; reports term */
	K_END,
};

static const uint8_t kinds[] = {
	[XOK_WK_CONST] = K_SET,      [XOK_WK_CLOCK] = K_SET,
	[XOK_WK_LOAD64] = K_LOAD,    [XOK_WK_LOAD32] = K_LOAD,
	[XOK_WK_ADD] = K_ALU,        [XOK_WK_SUB] = K_ALU,
	[XOK_WK_MUL] = K_ALU,        [XOK_WK_AND] = K_ALU,
	[XOK_WK_WAKE_EQ] = K_WAKE,   [XOK_WK_WAKE_NE] = K_WAKE,
	[XOK_WK_WAKE_LTU] = K_WAKE,  [XOK_WK_WAKE_LEU] = K_WAKE,
	[XOK_WK_WAKE_GTU] = K_WAKE,  [XOK_WK_WAKE_GEU] = K_WAKE,
	[XOK_WK_WAKE_LTS] = K_WAKE,  [XOK_WK_WAKE_GES] = K_WAKE,
	[XOK_WK_END] = K_END,
};

/* The shape of `op`; K_BAD for any byte that is not an opcode. */
static enum kind kind_of(uint8_t op)
{
	return op < sizeof(kinds) ? kinds[op] : K_BAD;
}

/* Bytes a K_LOAD opcode reads. */
static unsigned load_size(uint8_t op)
{
	return op == XOK_WK_LOAD64 ? 8 : 4;
}

/* Checks a load's address: aligned, not wrapping, readable by the caller. */
static int load_check(const struct xok_wk_insn *in, wk_readable_fn readable,
		      void *ctx)
{
	unsigned size = load_size(in->op);

	if (in->imm % size)
		return WK_E_ALIGN;
	/* The callback compares against range ends; a wrapped end would pass. */
	if (in->imm > UINT64_MAX - size)
		return WK_E_ADDRESS;
	if (!readable(in->imm, size, ctx))
		return WK_E_ADDRESS;
	return 0;
}

/* Checks one instruction other than END; `*written` gains what it writes. */
static int insn_check(const struct xok_wk_insn *in, unsigned *written,
		      wk_readable_fn readable, void *ctx)
{
	enum kind k = kind_of(in->op);
	unsigned reads = 0;
	int err;

	if (k == K_BAD)
		return WK_E_OPCODE;
	if (k != K_WAKE && in->dst >= XOK_WK_NREGS)
		return WK_E_REGISTER;
	if (k == K_ALU || k == K_WAKE) {
		if (in->a >= XOK_WK_NREGS || in->b >= XOK_WK_NREGS)
			return WK_E_REGISTER;
		reads = 1u << in->a | 1u << in->b;
	}
	if (reads & ~*written)
		return WK_E_UNINIT;
	if (k == K_LOAD && (err = load_check(in, readable, ctx)))
		return err;
	if (k == K_WAKE && in->term >= XOK_WK_MAXTERMS)
		return WK_E_TERM;
	if (k != K_WAKE)
		*written |= 1u << in->dst;
	return 0;
}

/* Records where a program went wrong, for the caller's error report. */
static int refuse(size_t *bad_insn, size_t i, int err)
{
	if (bad_insn)
		*bad_insn = i;
	return err;
}

int wk_check(const struct xok_wk_insn *prog, size_t n,
	     wk_readable_fn readable, void *ctx, size_t *bad_insn)
{
	unsigned written = 0;
	int err;

	if (n == 0)
		return refuse(bad_insn, 0, WK_E_LENGTH);
	if (n > XOK_WK_MAXINSNS)
		return refuse(bad_insn, XOK_WK_MAXINSNS, WK_E_LENGTH);
	for (size_t i = 0; i < n; i++) {
		if (kind_of(prog[i].op) == K_END)
			return i == n - 1 ? 0 : refuse(bad_insn, i, WK_E_NOEND);
		if ((err = insn_check(&prog[i], &written, readable, ctx)))
			return refuse(bad_insn, i, err);
	}
	return refuse(bad_insn, n - 1, WK_E_NOEND);
}

/* The result of a K_ALU opcode; unsigned, so overflow wraps. */
static uint64_t alu(uint8_t op, uint64_t x, uint64_t y)
{
	switch (op) {
	case XOK_WK_ADD: return x + y;
	case XOK_WK_SUB: return x - y;
	case XOK_WK_MUL: return x * y;
	default: return x & y;
	}
}

/* Whether a K_WAKE opcode's comparison holds. */
static int holds(uint8_t op, uint64_t x, uint64_t y)
{
	switch (op) {
	case XOK_WK_WAKE_EQ: return x == y;
	case XOK_WK_WAKE_NE: return x != y;
	case XOK_WK_WAKE_LTU: return x < y;
	case XOK_WK_WAKE_LEU: return x <= y;
	case XOK_WK_WAKE_GTU: return x > y;
	case XOK_WK_WAKE_GEU: return x >= y;
	case XOK_WK_WAKE_LTS: return (int64_t)x < (int64_t)y;
	default: return (int64_t)x >= (int64_t)y;
	}
}

int wk_eval(const struct xok_wk_insn *prog, size_t n, wk_read_fn read,
	    void *ctx, uint64_t now_ns)
{
	/*
	 * wk_check already refused out-of-range registers and terms; masking
	 * again is free and keeps a corrupted program from touching memory
	 * outside r[] or returning a term that looks like WK_ASLEEP.
	 */
	const unsigned m = XOK_WK_NREGS - 1;
	uint64_t r[XOK_WK_NREGS] = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct xok_wk_insn *in = &prog[i];
		uint64_t v = 0;

		switch (kind_of(in->op)) {
		case K_SET:
			r[in->dst & m] = in->op == XOK_WK_CLOCK ? now_ns : in->imm;
			break;
		case K_LOAD:
			if (read(in->imm, load_size(in->op), &v, ctx))
				return WK_FAULT;
			r[in->dst & m] = in->op == XOK_WK_LOAD32 ? (uint32_t)v : v;
			break;
		case K_ALU:
			r[in->dst & m] = alu(in->op, r[in->a & m], r[in->b & m]);
			break;
		case K_WAKE:
			if (holds(in->op, r[in->a & m], r[in->b & m]))
				return (int)(in->term % XOK_WK_MAXTERMS);
			break;
		default: /* END, or a byte wk_check would have refused */
			return WK_ASLEEP;
		}
	}
	return WK_ASLEEP;
}

const char *wk_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case WK_E_LENGTH: return "empty or too long";
	case WK_E_OPCODE: return "unknown opcode";
	case WK_E_REGISTER: return "no such register";
	case WK_E_UNINIT: return "reads a register never written";
	case WK_E_ALIGN: return "misaligned load";
	case WK_E_ADDRESS: return "load from an unreadable address";
	case WK_E_TERM: return "term number too large";
	case WK_E_NOEND: return "END missing or not last";
	default: return "unknown wakeup-predicate error";
	}
}
