/*
 * wk: checks and evaluates wakeup predicates (<xok/wk.h> describes the
 * language). Pure logic: memory and permissions are reached only through
 * the caller's callbacks, so the same file builds into the kernel and into
 * the CUnit tests (tests/unit/test_wk.c).
 */
#ifndef KERN_WK_H
#define KERN_WK_H

#include <stddef.h>
#include <stdint.h>
#include <xok/wk.h>

/* Why a program was refused (negative; 0 = ok). */
#define WK_E_LENGTH   (-1) /* no instructions, or more than XOK_WK_MAXINSNS */
#define WK_E_OPCODE   (-2) /* unknown opcode */
#define WK_E_REGISTER (-3) /* register number >= XOK_WK_NREGS */
#define WK_E_UNINIT   (-4) /* reads a register no earlier instruction wrote */
#define WK_E_ALIGN    (-5) /* load address not aligned to its size */
#define WK_E_ADDRESS  (-6) /* load address not readable by the caller */
#define WK_E_TERM     (-7) /* term number >= XOK_WK_MAXTERMS */
#define WK_E_NOEND    (-8) /* END missing, or not only at the end */

/* Decides whether [addr, addr+size) may be read by the installing environment. */
typedef int (*wk_readable_fn)(uint64_t addr, unsigned size, void *ctx);
/* Reads `size` (4 or 8) bytes at addr into *out; returns 0 or nonzero if unreadable now. */
typedef int (*wk_read_fn)(uint64_t addr, unsigned size, uint64_t *out,
			  void *ctx);

/*
 * Checks a program once, at install. Returns 0 or a WK_E_* code; on error
 * *bad_insn (if not NULL) is the index of the offending instruction: for
 * WK_E_LENGTH, 0 if empty, else XOK_WK_MAXINSNS (the first one too many);
 * for a missing END, n - 1. Errors are found in instruction order.
 * `readable` is never asked about a range that wraps past 2^64.
 */
int wk_check(const struct xok_wk_insn *prog, size_t n,
	     wk_readable_fn readable, void *ctx, size_t *bad_insn);

#define WK_ASLEEP (-1) /* predicate false */
#define WK_FAULT  (-2) /* a load could not be read now (e.g. page unmapped since install) */

/*
 * Evaluates a program that passed wk_check. Returns the term number (>= 0)
 * of the first WAKE that fired, WK_ASLEEP, or WK_FAULT. `now_ns` is what
 * CLOCK yields.
 */
int wk_eval(const struct xok_wk_insn *prog, size_t n, wk_read_fn read,
	    void *ctx, uint64_t now_ns);

/* A short message for a WK_E_* code. */
const char *wk_strerror(int err);

#endif
