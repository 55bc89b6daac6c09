/*
 * Capabilities and guards.
 *
 * A capability names a point in a hierarchy (a sequence of up to
 * XOK_CAP_MAXLEN 32-bit components) and carries rights. Every protected
 * resource (an environment, a physical page, a time slice) carries a guard:
 * a name alone. Capability C opens guard G for rights R when C's name is a
 * prefix of G's name and C holds every right in R. So the empty name (the
 * root) opens everything, and /7 opens /7/1 and /7/1/3 but not /8.
 *
 * C dominates C' when C's name is a prefix of C''s and C' has no right C
 * lacks: holding C, an environment may forge C' (xok_cap_grant).
 *
 * Each environment has XOK_NCAPS capability slots, readable by everyone in
 * the exported environment table; calls name a capability by its slot.
 */
#ifndef XOK_CAP_H
#define XOK_CAP_H

#include <stdint.h>

#define XOK_CAP_MAXLEN 6
#define XOK_NCAPS 16

#define XOK_CAP_R 0x1 /* read: map read-only, read state */
#define XOK_CAP_W 0x2 /* write: map writable, change, control, free */
#define XOK_CAP_RIGHTS (XOK_CAP_R | XOK_CAP_W)

struct xok_guard {
	uint8_t len; /* components in use */
	uint8_t pad[3];
	uint32_t name[XOK_CAP_MAXLEN]; /* unused components are 0 */
};

struct xok_cap {
	uint8_t valid;  /* slot holds a capability */
	uint8_t len;
	uint8_t rights; /* XOK_CAP_R | XOK_CAP_W */
	uint8_t pad;
	uint32_t name[XOK_CAP_MAXLEN];
};

#endif
