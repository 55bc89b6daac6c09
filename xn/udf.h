/*
 * udf: checks and runs UDFs (<xok/udf.h> describes the language). Pure
 * logic: the input bytes and credentials are the caller's arrays and the
 * output set is the caller's callback, so the same file builds into the
 * kernel and into the CUnit tests (tests/unit/test_udf.c).
 */
#ifndef XN_UDF_H
#define XN_UDF_H

#include <stddef.h>
#include <stdint.h>
#include <xok/udf.h>

/* Why a program was refused or a run failed (negative; 0 = ok). */
#define UDF_E_LENGTH   (-1)  /* no instructions, or over XOK_UDF_MAXINSNS */
#define UDF_E_OPCODE   (-2)  /* unknown opcode, or one the kind may not use
				(EMIT in ACCESS, CRED in OWNS) */
#define UDF_E_REGISTER (-3)  /* register number >= XOK_UDF_NREGS in a field
				the opcode uses */
#define UDF_E_JUMP     (-4)  /* target outside the program; backward non-LOOP
				jump; forward or zero-offset LOOP */
#define UDF_E_LOOPS    (-5)  /* loop bodies overlap without one containing
				the other; LOOP imm 0 or > XOK_UDF_MAXSTEPS */
#define UDF_E_STEPS    (-6)  /* worst case over XOK_UDF_MAXSTEPS; at run time,
				a LOOP counter above its imm or a run longer
				than the worst case */
#define UDF_E_FALLOFF  (-7)  /* last instruction neither RET nor JMP, so a
				run could go past the end */
#define UDF_E_KIND     (-8)  /* kind neither XOK_UDF_OWNS nor XOK_UDF_ACCESS */
#define UDF_E_BOUNDS   (-9)  /* run time: a load reaching outside the input */
#define UDF_E_EMIT     (-10) /* run time: the emit callback refused a pair */

/*
 * Checks a program of `kind` once, at registration. Returns 0 and sets
 * *worst_steps (if not NULL) to the most instructions a run can execute, or
 * returns a UDF_E_* code and sets *bad_insn (if not NULL) to the offending
 * instruction: 0 for UDF_E_KIND and for an empty program, XOK_UDF_MAXINSNS
 * (the first one too many) for a long one, n - 1 for UDF_E_FALLOFF, the
 * later LOOP of an overlapping pair, and for UDF_E_STEPS the outermost LOOP
 * around the instruction at which the count, summed from the end of the
 * program, first passes XOK_UDF_MAXSTEPS. Faults of single instructions
 * (opcode, register, jump, LOOP imm) are found first, in instruction order;
 * then fall-off, nesting, and the step count. A JMP is never a valid last
 * instruction (its target would be past the end): it is refused as UDF_E_JUMP.
 */
int udf_check(const struct xok_udf_insn *prog, size_t n, int kind,
	      size_t *bad_insn, uint64_t *worst_steps);

/* Adds (block, type) to the output; returns 0, or nonzero to stop the run. */
typedef int (*udf_emit_fn)(uint64_t block, uint64_t type, void *ctx);

/*
 * Runs a program that passed udf_check for the same kind over `len` input
 * bytes, with `ncred` credential words (CRED beyond them yields 0). Returns
 * 0 and sets *result (if not NULL) to RET's register, or:
 * UDF_E_BOUNDS  a load reached outside the input;
 * UDF_E_EMIT    `emit` returned nonzero, or is NULL and an EMIT ran;
 * UDF_E_STEPS   a LOOP was reached with its counter above its imm, or the
 *               run passed the checked worst case.
 * Pairs emitted before a failure have already reached `emit`. A program
 * that was not checked may fail with any UDF_E_* code, but the run still
 * reads only prog[0..n), input[0..len) and cred[0..ncred) and still ends.
 */
int udf_run(const struct xok_udf_insn *prog, size_t n, int kind,
	    const uint8_t *input, size_t len,
	    const uint64_t *cred, size_t ncred,
	    udf_emit_fn emit, void *ctx, uint64_t *result);

/*
 * udf_run with the step bound given instead of computed again: `limit`
 * is the worst case udf_check reported for this very program, kept by
 * a caller that runs it often. The run still stops after `limit` steps
 * (UDF_E_STEPS), and a limit above XOK_UDF_MAXSTEPS is refused as
 * UDF_E_STEPS, so a wrong one never makes a run longer than any
 * checked program's. If `loaded` is not NULL, the bit of each input
 * byte a load reads is set there (bit i % 8 of loaded[i / 8]; the
 * caller clears (len + 7) / 8 bytes first): a run reads nothing else of
 * its input, so the same program over input differing only in bytes
 * left clear takes the very same steps, with the same result.
 */
int udf_run_bounded(const struct xok_udf_insn *prog, size_t n, int kind,
		    uint64_t limit, const uint8_t *input, size_t len,
		    const uint64_t *cred, size_t ncred,
		    udf_emit_fn emit, void *ctx, uint64_t *result,
		    uint8_t *loaded);

/* A short message for a UDF_E_* code. */
const char *udf_strerror(int err);

#endif
