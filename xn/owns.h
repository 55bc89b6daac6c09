/*
 * owns: what a metadata block points to, and whether a change to it is
 * the one declared. Pure; shared by the kernel, mkimage's xn-fsck and the
 * host tests.
 */
#ifndef XN_OWNS_H
#define XN_OWNS_H

#include <stddef.h>
#include <stdint.h>
#include <xok/xn.h>

/* More pairs than a 4 KiB block of 8-byte pointers can name. */
#define XN_MAXPAIRS 1024

#define XN_E_UDF      (-20) /* the owns-UDF failed on these bytes */
#define XN_E_TOOMANY  (-21) /* it emitted more than XN_MAXPAIRS pairs */
#define XN_E_TWICE    (-22) /* it emitted the same pair twice */
#define XN_E_BADTYPE  (-23) /* it emitted a type that is not installed */
#define XN_E_RANGE    (-24) /* it emitted a block outside the disk */
#define XN_E_MISMATCH (-25) /* the change is not the one declared */

/* Which types exist (a template installed), and how big the disk is. */
struct xn_context {
	const struct xok_xn_template *types; /* XOK_XN_MAXTYPES of them */
	uint64_t nblocks;
	/* Each installed type's owns-UDF's worst case as udf_check counts
	 * it (xn_owns_steps), so a run need not count it again; NULL:
	 * counted at every run. */
	const uint64_t *steps;
};

/* The worst-case steps of `t`'s owns-UDF, for xn_context.steps: 0, or
 * an error of udf_check (then the type is unusable anyway). */
int xn_owns_steps(const struct xok_xn_template *t, uint64_t *steps);

/* Checks a template's two UDFs (kinds OWNS and ACCESS) and its name.
 * Returns 0 or a UDF_E_* code (or XN_E_BADTYPE for bad lengths). */
int xn_template_check(const struct xok_xn_template *t);

/*
 * The set of pairs a block of `type` holding `bytes` owns, sorted by
 * block, into `out` (XN_MAXPAIRS entries); *n gets the count. Data blocks
 * own nothing. Returns 0 or an XN_E_* / UDF_E_* code.
 */
int xn_owned(const struct xn_context *cx, uint64_t type,
	     const uint8_t *bytes, struct xok_xn_pair *out, size_t *n);

/*
 * xn_owned, also setting in `loaded` (XOK_XN_BLOCK / 8 bytes, cleared
 * first) the bit of each byte of the block the owns-UDF read: the set
 * depends on those bytes only (udf_run_bounded).
 */
int xn_owned_loads(const struct xn_context *cx, uint64_t type,
		   const uint8_t *bytes, struct xok_xn_pair *out, size_t *n,
		   uint8_t *loaded);

/*
 * Does a block of `type` holding `bytes` own `block`? If so returns 0 and
 * sets *child_type; XN_E_MISMATCH if not; or the error of running its
 * owns-UDF. Stops at the first match: binding a child need not sort the
 * parent's whole set.
 */
int xn_find_owned(const struct xn_context *cx, uint64_t type,
		  const uint8_t *bytes, uint64_t block, uint64_t *child_type);

/* The type of a pair naming `block` in the sorted set s[0..n): 0 and
 * *type, or XN_E_MISMATCH if there is none. */
int xn_set_find(const struct xok_xn_pair *s, size_t n, uint64_t block,
		uint64_t *type);

/*
 * Is changing a block of `type` from `old` to `new` exactly adding the
 * pairs `add` and removing the pairs `rm` from what it owns? (Added pairs
 * must not be owned before, removed ones must be.) Returns 0,
 * XN_E_MISMATCH, or the error of running the owns-UDF.
 */
int xn_check_change(const struct xn_context *cx, uint64_t type,
		    const uint8_t *old, const uint8_t *new,
		    const struct xok_xn_pair *add, size_t nadd,
		    const struct xok_xn_pair *rm, size_t nrm);

/*
 * xn_check_change's comparison, of the sorted sets `before` and `after`
 * a block owns (xn_owned's output) before and after its change.
 */
int xn_check_sets(const struct xok_xn_pair *before, size_t nb,
		  const struct xok_xn_pair *after, size_t na,
		  const struct xok_xn_pair *add, size_t nadd,
		  const struct xok_xn_pair *rm, size_t nrm);

/* One of the two blocks of a pair change: its type, bytes before and
 * after. */
struct xn_side {
	uint64_t type;
	const uint8_t *old, *new;
};

/*
 * Is changing the two blocks `side[0]` and `side[1]` together exactly
 * allocating `add`, freeing `rm` and moving the pairs `moved` from one
 * block to the other? What the two own must be disjoint before and after
 * (no block owned by both: XN_E_TWICE), their union must change by
 * exactly `add` and `rm` (as xn_check_change asks of one block), and the
 * pairs owned by one before and by the other after must be exactly
 * `moved` (XN_E_MISMATCH otherwise). On success add_to[i] (nadd of them)
 * and moved_to[i] (nmoved) say which side, 0 or 1, owns each afterwards.
 * Returns 0 or an error as above, or that of running an owns-UDF.
 */
int xn_check_pair(const struct xn_context *cx, const struct xn_side side[2],
		  const struct xok_xn_pair *add, size_t nadd,
		  const struct xok_xn_pair *rm, size_t nrm,
		  const struct xok_xn_pair *moved, size_t nmoved,
		  uint8_t *add_to, uint8_t *moved_to);

/*
 * Does the access-UDF of `type` allow a request with credentials `cred`
 * (XOK_XN_CRED_* words) on a block holding `bytes`? Types without one
 * allow everything their guards allow. Returns 1 (allow) or 0 (deny; an
 * access-UDF that fails denies too).
 */
int xn_access(const struct xn_context *cx, uint64_t type,
	      const uint8_t *bytes, const uint64_t *cred, size_t ncred);

#endif
