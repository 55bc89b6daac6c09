/*
 * udf: untrusted deterministic functions. udf_check proves once, at
 * registration, what udf_run then relies on for every block: opcodes allowed
 * for the kind, registers in range, jumps inside the program, loops nested
 * and bounded, RET last. udf_run recomputes only the step bound (linear in
 * the program) and stays memory-safe and finite even on an unchecked one.
 */
#include "udf.h"

_Static_assert(sizeof(struct xok_udf_insn) == 16, "the ABI fixes 16 bytes");
_Static_assert((XOK_UDF_NREGS & (XOK_UDF_NREGS - 1)) == 0,
	       "udf_run masks register numbers");
_Static_assert(XOK_UDF_MAXINSNS <= 256, "worst_case keeps indices in uint8_t");
_Static_assert(XOK_UDF_LD16 == XOK_UDF_LD8 + 1 &&
	       XOK_UDF_LD32 == XOK_UDF_LD8 + 2 &&
	       XOK_UDF_LD64 == XOK_UDF_LD8 + 3, "load sizes are 1 << (op - LD8)");

#define M (XOK_UDF_NREGS - 1) /* register-number mask */
#define DONE 1                /* step(): RET ran */

/* Operand shapes: one table, so the checker and interpreter agree on fields. */
enum shape {
	S_BAD,    /* not an opcode, or not one the kind may use */
	S_CONST,  /* writes dst from imm */
	S_MOV,    /* writes dst from a */
	S_ADDI,   /* writes dst from a and imm */
	S_ALU,    /* writes dst from a and b */
	S_LOAD,   /* writes dst from the input at a + imm */
	S_JMP,    /* jumps forward */
	S_BRANCH, /* jumps forward if a and b compare so */
	S_LOOP,   /* jumps back while a, counting it down */
	S_EMIT,   /* outputs (a, b) */
	S_CRED,   /* writes dst from credential imm */
	S_RET,    /* ends with a */
};

static const uint8_t shapes[] = {
	[XOK_UDF_CONST] = S_CONST, [XOK_UDF_MOV] = S_MOV,
	[XOK_UDF_ADDI] = S_ADDI,   [XOK_UDF_ADD] = S_ALU,
	[XOK_UDF_SUB] = S_ALU,     [XOK_UDF_MUL] = S_ALU,
	[XOK_UDF_AND] = S_ALU,     [XOK_UDF_OR] = S_ALU,
	[XOK_UDF_XOR] = S_ALU,     [XOK_UDF_SHL] = S_ALU,
	[XOK_UDF_SHR] = S_ALU,     [XOK_UDF_LD8] = S_LOAD,
	[XOK_UDF_LD16] = S_LOAD,   [XOK_UDF_LD32] = S_LOAD,
	[XOK_UDF_LD64] = S_LOAD,   [XOK_UDF_JMP] = S_JMP,
	[XOK_UDF_JEQ] = S_BRANCH,  [XOK_UDF_JNE] = S_BRANCH,
	[XOK_UDF_JLTU] = S_BRANCH, [XOK_UDF_JGEU] = S_BRANCH,
	[XOK_UDF_LOOP] = S_LOOP,   [XOK_UDF_EMIT] = S_EMIT,
	[XOK_UDF_CRED] = S_CRED,   [XOK_UDF_RET] = S_RET,
};

/* What each shape uses, and where it may appear. */
#define F_DST    0x01 /* register dst */
#define F_A      0x02 /* register a */
#define F_B      0x04 /* register b */
#define F_FWD    0x08 /* off, a forward jump */
#define F_BACK   0x10 /* off, a backward jump */
#define F_OWNS   0x20 /* only in an owns-UDF */
#define F_ACCESS 0x40 /* only in an access-UDF */

static const uint8_t fields[] = {
	[S_CONST] = F_DST,              [S_MOV] = F_DST | F_A,
	[S_ADDI] = F_DST | F_A,         [S_ALU] = F_DST | F_A | F_B,
	[S_LOAD] = F_DST | F_A,         [S_JMP] = F_FWD,
	[S_BRANCH] = F_A | F_B | F_FWD, [S_LOOP] = F_A | F_BACK,
	[S_EMIT] = F_A | F_B | F_OWNS,  [S_CRED] = F_DST | F_ACCESS,
	[S_RET] = F_A,
};

/* The shape of `op` in a UDF of `kind`; S_BAD where it may not appear. */
static enum shape shape_of(uint8_t op, int kind)
{
	enum shape s = op < sizeof(shapes) ? shapes[op] : S_BAD;

	if ((fields[s] & F_OWNS && kind != XOK_UDF_OWNS) ||
	    (fields[s] & F_ACCESS && kind != XOK_UDF_ACCESS))
		return S_BAD;
	return s;
}

/* Where a jump at index i lands; possibly outside the program. */
static int64_t target(size_t i, const struct xok_udf_insn *in)
{
	return (int64_t)i + 1 + in->off;
}

/* Records where a program went wrong, for the caller's error report. */
static int refuse(size_t *bad_insn, size_t i, int err)
{
	if (bad_insn)
		*bad_insn = i;
	return err;
}

/* Checks the kind and length, which decide whether to look further. */
static int frame_check(size_t n, int kind, size_t *bad_insn)
{
	if (kind != XOK_UDF_OWNS && kind != XOK_UDF_ACCESS)
		return refuse(bad_insn, 0, UDF_E_KIND);
	if (n == 0)
		return refuse(bad_insn, 0, UDF_E_LENGTH);
	if (n > XOK_UDF_MAXINSNS)
		return refuse(bad_insn, XOK_UDF_MAXINSNS, UDF_E_LENGTH);
	return 0;
}

/* Checks that the jump at i stays in the program and goes its way. */
static int jump_check(const struct xok_udf_insn *prog, size_t n, size_t i,
		      uint8_t f)
{
	int64_t t = target(i, &prog[i]);

	if (f & F_FWD)
		return prog[i].off >= 0 && t < (int64_t)n ? 0 : UDF_E_JUMP;
	return prog[i].off < 0 && t >= 0 ? 0 : UDF_E_JUMP;
}

/* Checks instruction i on its own. */
static int insn_check(const struct xok_udf_insn *prog, size_t n, size_t i,
		      int kind)
{
	const struct xok_udf_insn *in = &prog[i];
	enum shape s = shape_of(in->op, kind);
	uint8_t f = fields[s];

	if (s == S_BAD)
		return UDF_E_OPCODE;
	if ((f & F_DST && in->dst >= XOK_UDF_NREGS) ||
	    (f & F_A && in->a >= XOK_UDF_NREGS) ||
	    (f & F_B && in->b >= XOK_UDF_NREGS))
		return UDF_E_REGISTER;
	if (f & (F_FWD | F_BACK) && jump_check(prog, n, i, f))
		return UDF_E_JUMP;
	if (s == S_LOOP && (in->imm == 0 || in->imm > XOK_UDF_MAXSTEPS))
		return UDF_E_LOOPS;
	return 0;
}

/*
 * The first LOOP whose body [target, LOOP] overlaps an earlier LOOP's body
 * without one containing the other, or n. The step bound below multiplies
 * through a stack of bodies, which only nesting makes exact.
 */
static size_t misnested(const struct xok_udf_insn *prog, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = target(i, &prog[i]);

		for (size_t j = 0; prog[i].op == XOK_UDF_LOOP && j < i; j++)
			if (prog[j].op == XOK_UDF_LOOP &&
			    target(j, &prog[j]) < t && t <= (int64_t)j)
				return i;
	}
	return n;
}

/*
 * Sets *steps to the sum over instructions of the product of (imm + 1) over
 * the loops around each, or returns UDF_E_STEPS once the sum passes
 * XOK_UDF_MAXSTEPS, with *at the outermost open loop (else the instruction).
 * Walking backwards meets each LOOP before its body, so the open loops form
 * a stack. Stopping at the limit keeps `mult` exact, so leaving a body can
 * divide. Any program of at most XOK_UDF_MAXINSNS gets a finite answer.
 */
static int worst_case(const struct xok_udf_insn *prog, size_t n,
		      uint64_t *steps, size_t *at)
{
	uint8_t open[XOK_UDF_MAXINSNS];
	size_t depth = 0;
	uint64_t mult = 1, sum = 0;

	for (size_t k = n; k-- > 0;) {
		const struct xok_udf_insn *in = &prog[k];

		if (in->op == XOK_UDF_LOOP) {
			open[depth++] = (uint8_t)k;
			/* imm + 1 past the limit loses anyway; don't wrap */
			mult = in->imm < XOK_UDF_MAXSTEPS ?
			       mult * (in->imm + 1) : XOK_UDF_MAXSTEPS + 1;
		}
		sum += mult;
		if (sum > XOK_UDF_MAXSTEPS)
			return refuse(at, depth ? open[0] : k, UDF_E_STEPS);
		while (depth && target(open[depth - 1],
				       &prog[open[depth - 1]]) >= (int64_t)k)
			mult /= prog[open[--depth]].imm + 1;
	}
	*steps = sum;
	return 0;
}

int udf_check(const struct xok_udf_insn *prog, size_t n, int kind,
	      size_t *bad_insn, uint64_t *worst_steps)
{
	uint64_t steps;
	size_t at;
	int err;

	if ((err = frame_check(n, kind, bad_insn)))
		return err;
	for (size_t i = 0; i < n; i++)
		if ((err = insn_check(prog, n, i, kind)))
			return refuse(bad_insn, i, err);
	/* A last JMP would land past the end: refused above. */
	if (shape_of(prog[n - 1].op, kind) != S_RET)
		return refuse(bad_insn, n - 1, UDF_E_FALLOFF);
	if ((at = misnested(prog, n)) < n)
		return refuse(bad_insn, at, UDF_E_LOOPS);
	if ((err = worst_case(prog, n, &steps, bad_insn)))
		return err;
	if (worst_steps)
		*worst_steps = steps;
	return 0;
}

/* One run's machine: registers, and what the caller lent it. */
struct vm {
	uint64_t r[XOK_UDF_NREGS];
	uint64_t result;
	int kind;
	const uint8_t *input;
	size_t len;
	const uint64_t *cred;
	size_t ncred;
	udf_emit_fn emit;
	void *ctx;
	uint8_t *loaded; /* input bytes read, a bit each; or NULL */
};

/* The result of an S_ALU opcode; unsigned, so overflow wraps. */
static uint64_t alu(uint8_t op, uint64_t x, uint64_t y)
{
	switch (op) {
	case XOK_UDF_ADD: return x + y;
	case XOK_UDF_SUB: return x - y;
	case XOK_UDF_MUL: return x * y;
	case XOK_UDF_AND: return x & y;
	case XOK_UDF_OR: return x | y;
	case XOK_UDF_XOR: return x ^ y;
	case XOK_UDF_SHL: return x << (y & 63);
	default: return x >> (y & 63);
	}
}

/* Whether an S_BRANCH opcode's comparison holds. Tests, not a switch:
 * under QEMU's TCG, where XN runs, an indirect jump costs a lookup. */
static int taken(uint8_t op, uint64_t x, uint64_t y)
{
	if (op == XOK_UDF_JEQ)
		return x == y;
	if (op == XOK_UDF_JNE)
		return x != y;
	return op == XOK_UDF_JLTU ? x < y : x >= y;
}

/* Sets the bits of input bytes [at, at + size) in `loaded`. */
static void mark(uint8_t *loaded, uint64_t at, unsigned size)
{
	if (size == 8 && at % 8 == 0) {
		loaded[at / 8] = 0xff; /* a pointer: its whole byte */
		return;
	}
	for (uint64_t k = at; k < at + size; k++)
		loaded[k / 8] |= (uint8_t)(1u << (k % 8));
}

/* Reads the little-endian word an S_LOAD names, if all of it is input. */
static int load(const struct vm *vm, uint8_t op, uint64_t base, uint64_t imm,
		uint64_t *out)
{
	unsigned size = 1u << (op - XOK_UDF_LD8);
	uint64_t at = base + imm, v = 0;

	/* A wrapped sum is small and would pass the length test. */
	if (at < base || at > vm->len || vm->len - at < size)
		return UDF_E_BOUNDS;
	if (vm->loaded)
		mark(vm->loaded, at, size);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The common loads at once: a byte loop is most of a run's cost. */
	if (size == 8 || size == 4) {
		__builtin_memcpy(&v, vm->input + at, size);
		*out = v;
		return 0;
	}
#endif
	while (size--)
		v = v << 8 | vm->input[at + size];
	*out = v;
	return 0;
}

/*
 * Executes the instruction at *pc and moves *pc on. Returns 0, DONE after
 * RET, or a UDF_E_* code. Register numbers are masked: free, and it keeps
 * an unchecked program inside r[].
 */
static int step(struct vm *vm, const struct xok_udf_insn *in, size_t *pc)
{
	uint64_t *d = &vm->r[in->dst & M];
	uint64_t x = vm->r[in->a & M], y = vm->r[in->b & M];
	enum shape s = shape_of(in->op, vm->kind);
	size_t next = *pc + 1;
	int err;

	/* Most steps load a pointer or test it: those two by tests first
	 * (the switch's indirect jump costs a lookup under QEMU's TCG). */
	if (s == S_LOAD) {
		if ((err = load(vm, in->op, x, in->imm, d)))
			return err;
	} else if (s == S_BRANCH) {
		if (taken(in->op, x, y))
			next = (size_t)target(*pc, in);
	} else switch (s) {
	case S_CONST: *d = in->imm; break;
	case S_MOV: *d = x; break;
	case S_ADDI: *d = x + in->imm; break;
	case S_ALU: *d = alu(in->op, x, y); break;
	case S_JMP: next = (size_t)target(*pc, in); break;
	case S_LOOP:
		/* The bound assumed no more than imm repeats: hold it to that. */
		if (x > in->imm)
			return UDF_E_STEPS;
		if (x) {
			vm->r[in->a & M] = x - 1;
			next = (size_t)target(*pc, in);
		}
		break;
	case S_EMIT:
		if (!vm->emit || vm->emit(x, y, vm->ctx))
			return UDF_E_EMIT;
		break;
	case S_CRED: *d = in->imm < vm->ncred ? vm->cred[in->imm] : 0; break;
	case S_RET: vm->result = x; return DONE;
	default: return UDF_E_OPCODE;
	}
	*pc = next;
	return 0;
}

int udf_run_bounded(const struct xok_udf_insn *prog, size_t n, int kind,
		    uint64_t limit, const uint8_t *input, size_t len,
		    const uint64_t *cred, size_t ncred,
		    udf_emit_fn emit, void *ctx, uint64_t *result,
		    uint8_t *loaded)
{
	struct vm vm = {
		.kind = kind, .input = input, .len = len,
		.cred = cred, .ncred = ncred, .emit = emit, .ctx = ctx,
		.loaded = loaded,
	};
	size_t pc = 0, at;
	int err;

	if ((err = frame_check(n, kind, &at)))
		return err;
	if (limit > XOK_UDF_MAXSTEPS)
		return UDF_E_STEPS;
	/* A negative target wraps to a huge pc, which ends the loop too. */
	for (uint64_t steps = 0; pc < n; steps++) {
		if (steps == limit)
			return UDF_E_STEPS;
		err = step(&vm, &prog[pc], &pc);
		if (err == DONE) {
			if (result)
				*result = vm.result;
			return 0;
		}
		if (err)
			return err;
	}
	return UDF_E_FALLOFF;
}

int udf_run(const struct xok_udf_insn *prog, size_t n, int kind,
	    const uint8_t *input, size_t len,
	    const uint64_t *cred, size_t ncred,
	    udf_emit_fn emit, void *ctx, uint64_t *result)
{
	uint64_t limit;
	size_t at;
	int err;

	if ((err = frame_check(n, kind, &at)) ||
	    (err = worst_case(prog, n, &limit, &at)))
		return err;
	return udf_run_bounded(prog, n, kind, limit, input, len, cred, ncred,
			       emit, ctx, result, NULL);
}

const char *udf_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case UDF_E_LENGTH: return "empty or too long";
	case UDF_E_OPCODE: return "unknown opcode, or not for this kind";
	case UDF_E_REGISTER: return "no such register";
	case UDF_E_JUMP: return "jump outside the program or the wrong way";
	case UDF_E_LOOPS: return "loops overlap or have a bad bound";
	case UDF_E_STEPS: return "too many steps";
	case UDF_E_FALLOFF: return "can run past the end";
	case UDF_E_KIND: return "unknown UDF kind";
	case UDF_E_BOUNDS: return "load outside the input";
	case UDF_E_EMIT: return "output refused";
	default: return "unknown UDF error";
	}
}
