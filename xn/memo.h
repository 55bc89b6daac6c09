/*
 * memo: owned sets remembered with the bytes they came from, so that a
 * block changed again and again (an indirect block filling up, a
 * directory block taking entries) runs its owns-UDF once per change, not
 * twice — none when the change leaves alone every byte the UDF read —
 * and a parent bound through many times runs it once.
 *
 * Sound because an owned set is a function of the type's template, the
 * disk's size and the block's bytes alone (a UDF is deterministic): a
 * set is reused only for a block of the same type holding the very same
 * bytes, compared in full. The caller keeps the templates and the disk
 * fixed while sets are remembered (XN: a type, once installed, never
 * changes), and empties the memo when they change (a mount).
 * Pure; shared by the kernel and the host tests.
 */
#ifndef XN_MEMO_H
#define XN_MEMO_H

#include "owns.h"

/* Sets remembered: the block being changed, its new bytes, a parent. */
#define XN_MEMO_SLOTS 4

struct xn_memo_slot {
	uint64_t type;
	uint64_t used; /* when last used (the memo's clock); 0: empty */
	size_t n;
	uint8_t bytes[XOK_XN_BLOCK];
	uint8_t loaded[XOK_XN_BLOCK / 8]; /* bytes the UDF read: a bit each */
	struct xok_xn_pair set[XN_MAXPAIRS];
};

struct xn_memo {
	struct xn_memo_slot slot[XN_MEMO_SLOTS];
	uint64_t clock;
};

/* Forgets every set. */
void xn_memo_clear(struct xn_memo *m);

/*
 * As xn_owned (owns.h), the sorted set through *set (valid until the
 * memo is used XN_MEMO_SLOTS - 1 more times: the least recently used
 * set goes first) and its size through *n: remembered if a block of
 * `type` with these bytes was asked for lately, else computed and
 * remembered. Errors are not remembered.
 */
int xn_memo_owned(struct xn_memo *m, const struct xn_context *cx,
		  uint64_t type, const uint8_t *bytes,
		  const struct xok_xn_pair **set, size_t *n);

/* As xn_memo_owned, but computed without looking first: for bytes just
 * made (a change's new contents), which no remembered set will match. */
int xn_memo_compute(struct xn_memo *m, const struct xn_context *cx,
		    uint64_t type, const uint8_t *bytes,
		    const struct xok_xn_pair **set, size_t *n);

/*
 * The sets of a block of `type` before (holding `old`) and after a
 * change (holding `new`, which differs from `old` only within the
 * `nmods` ranges [offset, offset + len) of mods[], each inside the
 * block), as xn_memo_owned gives each. When no byte the
 * owns-UDF read over `old` differs in `new`, the set after is the set
 * before, without a run: a run over `new` would read the same bytes,
 * take the same steps and emit the same pairs (udf_run_bounded); the
 * memo then remembers `new` in the place of `old`. So a change of what
 * the UDF never looks at (a time, a size, a name) costs no run. Both
 * sets stay valid as xn_memo_owned's.
 */
int xn_memo_change(struct xn_memo *m, const struct xn_context *cx,
		   uint64_t type, const uint8_t *old, const uint8_t *new,
		   const struct xok_xn_mod *mods, size_t nmods,
		   const struct xok_xn_pair **before, size_t *nb,
		   const struct xok_xn_pair **after, size_t *na);

#endif
