/*
 * walk: the pages of a child's address space, read through Xok's view of
 * its page tables (pt_view) — for saving it (ckpt.c) and emptying it
 * (space.c's exec).
 */
#ifndef NEST_WALK_H
#define NEST_WALK_H

#include <stdint.h>

/* Calls fn(va, pte, arg) for each page mapped in `env`'s user half but
 * its u-area. fn must not view another environment's tables (it may
 * unmap the page). Stops at fn's first error; E_BADENV if the tables
 * cannot be viewed. */
int64_t nest_walk(uint64_t env, int64_t (*fn)(uint64_t va, uint64_t pte,
					      void *arg), void *arg);

#endif
