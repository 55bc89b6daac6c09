/*
 * templates: the XN templates of C-FFS's metadata types: owns-UDFs built
 * by a small assembler, so XN can check every change C-FFS makes. Pure;
 * built for user space (the libFS installs them) and the host (mkfs,
 * fsck, tests).
 */
#ifndef CFFS_TEMPLATES_H
#define CFFS_TEMPLATES_H

#include <xok/xn.h>

/* Fills `t` with the template of C-FFS type `type` (CFFS_T_*).
 * Returns 0, or -1 for an unknown type. */
int cffs_template(unsigned type, struct xok_xn_template *t);

#endif
