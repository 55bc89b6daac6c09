/*
 * upcall: starts an environment's own code at one of its upcall entries
 * (<xok/env.h>), with its interrupted state saved as a struct
 * xok_upcall_frame on its exception stack, from which it resumes itself.
 */
#ifndef KERN_UPCALL_H
#define KERN_UPCALL_H

#include <stdint.h>

#include "env.h"

/*
 * Pushes e->tf (with `addr`, the fault address or 0) onto e's exception
 * stack and points e->tf at upcall entry `kind` with %rdi = the frame.
 * Takes effect when `e` next runs. Returns 0, E_STATE if `e` has no such
 * entry or exception stack, or E_FAULT if the frame cannot be written
 * there (the environment is left unchanged).
 */
int upcall_push(struct env *e, int kind, uint64_t trapno, uint64_t addr);

#endif
