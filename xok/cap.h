/*
 * cap: the pure logic of capabilities (see <xok/cap.h>). Freestanding; the
 * CUnit tests in tests/unit/test_cap.c run it on the host.
 */
#ifndef KERN_CAP_H
#define KERN_CAP_H

#include <xok/cap.h>

/* Is `c` a well-formed capability: valid, len within bounds, only known
 * rights, unused components zero (so equal names compare equal)? */
int cap_well_formed(const struct xok_cap *c);

/* Does `c` open guard `g` for every right in `rights`? */
int cap_opens(const struct xok_cap *c, const struct xok_guard *g,
	      unsigned rights);

/* May the holder of `c` forge `d`? (`d` must be well formed.) */
int cap_dominates(const struct xok_cap *c, const struct xok_cap *d);

/* The guard named like `c`: what a resource allocated under `c` carries. */
struct xok_guard cap_guard(const struct xok_cap *c);

/* The root capability: the empty name with every right. */
struct xok_cap cap_root(void);

#endif
