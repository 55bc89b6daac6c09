/*
 * child: the runtime of a nested program — how it starts, and the client
 * side of the Common Protocols (proto.h): each call goes to its parent's
 * server, which may serve it, or interpose and forward it to its own
 * parent.
 */
#ifndef NEST_CHILD_H
#define NEST_CHILD_H

#include <stdint.h>

#include "proto.h"

/* The programs an image offers its nesters (defined by the program):
 * Process CREATE starts one by name. A nester program gets a capability
 * with W (it creates children and their pages); any other only R, so all
 * its memory comes through the Memory protocol. */
struct nest_prog {
	const char *name;
	int (*main)(const char *arg);
	int nester;
};
extern const struct nest_prog nest_progs[];
extern const unsigned nest_nprogs;

/* The program `spec` ("NAME" or "NAME:ARG") names, or 0. */
const struct nest_prog *nest_prog_find(const char *spec);

/* A nester's main environment (0 in a program that is not a nester). */
extern uint64_t nest_main;

/* My parent's server (0: I am not nested): whoever created me, or my
 * main environment if I am a nester's server — read from the exported
 * table, not remembered, so a child restored elsewhere (ckpt.h) speaks
 * to its new parent. */
uint64_t nest_parent(void);

/* A nested program's first code (nester.c starts it here, through
 * rt_child_entry): runs the program its message page names with its
 * argument, reports the status (Process EXIT) and exits. Its page faults
 * in the heap are served by Memory FAULT (demand paging); any other
 * fault, or a refused one, ends it with the error as its status. */
void nest_child_main(uint64_t unused);

/* One protocol call to the parent (subject: me). */
int64_t nest_parent_call(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3);

/* Process: start `spec` as another child of my parent's; wait for one I
 * started (yielding while it runs); report my status and exit. */
int64_t nest_spawn(const char *spec);
int64_t nest_wait(uint64_t id);

/* Process EXEC: becomes `spec`; returns only the error if refused. */
int64_t nest_exec(const char *spec);
void nest_exit(int64_t status) __attribute__((noreturn));

/* Memory: `bytes` more heap (rounded up to pages), zeroed; its start, or
 * 0 if the parent refused. */
void *nest_sbrk(uint64_t bytes);

/* Memory CREATE_SEGMENT and MAP (proto.h): a segment of `pages` known by
 * `key`, mine and `partner`'s (0: only mine); and the segment keyed
 * `key` mapped at `va` with `prot` (NEST_PROT_*). 0 or the error. */
int64_t nest_segment(uint64_t key, uint64_t pages, uint64_t partner);
int64_t nest_map(uint64_t key, void *va, uint64_t prot);

#endif
