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
#define NEST_SEG_VA  0x0000300000200000ull /* segments' frames (memory.c) */

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

/* Replaces stopped or waiting child `id` (its capability in the caller's
 * slot `slot`) with `spec` in place: every page of its user half
 * unmapped, then filled as nest_space_create does (the capability with W
 * only if `writer`). 0 or a Xok error (the child is then half-made: the
 * caller must destroy it). */
int64_t nest_space_exec(unsigned slot, uint64_t id, int writer,
			const char *spec, uint64_t window);

/* The steps, for other ways of making a child (ckpt.c):
 * nest_space_alloc forges the capability into `slot` and creates the
 * stopped environment (its id, or an error); nest_space_page allocates
 * a page of it at `va`, mapped writable at NEST_COPY_VA here too, to be
 * filled and unmapped (its frame, or an error); nest_space_adopt maps
 * its message page at `window` and gives it the capability with
 * `rights`; nest_space_undo destroys it and unmaps the window. */
int64_t nest_space_alloc(unsigned slot, uint32_t name);
int64_t nest_space_page(unsigned slot, uint64_t env, uint64_t va,
			uint64_t perm);
int64_t nest_space_adopt(unsigned slot, uint64_t id, uint64_t rights,
			 uint64_t window);
void nest_space_undo(uint64_t id, uint64_t window);

#endif
