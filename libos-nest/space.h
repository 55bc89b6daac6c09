/*
 * space: builds a nested program's environment out of its nester's
 * resources — the part of Process CREATE that touches Xok.
 */
#ifndef NEST_SPACE_H
#define NEST_SPACE_H

#include <stdint.h>

/* Where the server maps things of its children's. */
#define NEST_WINDOW  0x0000300000000000ull /* message page of entry i at + i pages */
#define NEST_COPY_VA 0x0000300000100000ull /* a page being filled */

/* Creates a stopped environment under the calling environment (a nester's
 * server) to run `spec` through nest_child_main: a capability one
 * component below the caller's slot 0 is forged into the caller's slot
 * `slot` (and given to the child, with W only if `writer`); the child
 * gets its own copy of this image, a stack and an exception stack, all
 * pages named by that capability; its message page holds `spec` and is
 * mapped at `window` here. `name` is the new component. Returns the id,
 * or a Xok error (nothing is left behind). */
int64_t nest_space_create(unsigned slot, uint32_t name, int writer,
			  const char *spec, uint64_t window);

#endif
