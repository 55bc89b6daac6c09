/*
 * state: what a nester sees and changes of a child (Fluke's state
 * visibility): stop it, read and write its registers and its memory,
 * restart it. Called from the nester's main environment, whose
 * capability opens everything of its children's.
 *
 * Stopping is atomic in Fluke's sense: a child in the middle of a
 * protocol call is lent the time to complete it first, so a stopped child
 * is never half-way through an operation; its saved registers are all
 * there is to restart it.
 */
#ifndef NEST_STATE_H
#define NEST_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <xok/env.h>

/* Stops `id`, completing a call it is in first. 0, or E_STATE if it
 * sleeps on a predicate or lends its time (Xok stops only runnable
 * environments), or another Xok error. */
int64_t nest_stop(uint64_t id);

/* Its registers, upcall entries and IPC acceptance (xok_env_get), and
 * installing them (xok_env_set, XOK_SET_ALL). */
int64_t nest_get_regs(uint64_t id, struct xok_env_state *st);
int64_t nest_set_regs(uint64_t id, const struct xok_env_state *st);

/* Makes a stopped `id` runnable again. */
int64_t nest_restart(uint64_t id);

/* Copies `n` bytes at `va` in `id` out to `buf`, or in from it, through
 * its page tables (xok_pt_view) and a temporary mapping of its frames.
 * 0, or E_FAULT if a page is not mapped there (or not writable, for
 * nest_poke), or a Xok error. */
int64_t nest_peek(uint64_t id, uint64_t va, void *buf, size_t n);
int64_t nest_poke(uint64_t id, uint64_t va, const void *buf, size_t n);

#endif
