/*
 * nester: the server side of the Common Protocols, and the children a
 * nester keeps. A nester is two environments sharing one image: its main
 * environment, which lends its CPU to the children (a round-robin
 * CPU-inheritance scheduler, sched.h) and controls them (state.h), and
 * its server, which lives on its callers' time and answers their
 * protocol calls. Children are created by the server, so destroying the
 * nester's main environment destroys the server and, through it, the
 * whole subtree.
 *
 * Each child gets a capability one component below the nester's own, in
 * the server's capability slot 1 + its entry: its environment, its pages
 * and its own capability are named by it, so the child can reach nothing
 * outside its subtree. The server keeps the child's message page mapped.
 *
 * A nester interposes by its serve function: it sees every call first
 * and hands what it does not change to nester_default, which serves
 * Parent and Process itself, and forwards Memory and the file protocols
 * to its own parent (a root nester serves Memory from its pool).
 */
#ifndef NEST_NESTER_H
#define NEST_NESTER_H

#include <stdint.h>

#include "proto.h"
#include "sched.h"

#define NEST_MAXCHILD 14 /* server capability slots 1..14 */
#define NEST_NAME_SLOT 15 /* the server's slot naming a grandchild's pages
			   * (memory.c) */

struct nest_child {
	uint64_t env;         /* 0: a free entry */
	uint64_t creator;     /* who asked for it: WAIT is theirs */
	int64_t status;       /* what it reported with EXIT */
	uint32_t exited;      /* it reported */
	uint32_t pages;       /* heap pages it holds from this nester */
	struct nest_msg *msg; /* its message page, mapped in the server */
	uint64_t was;         /* its id before its nester was restored
			       * (nester_rebuild), still answered for */
};

struct nest_req {
	uint64_t caller;        /* who called */
	struct nest_child *from; /* the child it is (or a helper of); 0: main */
	uint64_t op, a[3];
	uint64_t out[3];        /* reply words 1..3 */
	struct nest_msg *msg;   /* the caller's message page */
};

struct nester;
typedef int64_t (*nest_serve_fn)(struct nester *n, struct nest_req *rq);

struct nester {
	uint64_t main, server;
	nest_serve_fn serve;
	uint32_t quota;     /* heap pages each child may hold */
	uint32_t next_name; /* the last capability component given */
	struct nest_child child[NEST_MAXCHILD];
	struct nest_sched sched;
};

/* This program's nester (a program is at most one). */
extern struct nester nester;

/* Makes this environment a nester: starts its server (which answers with
 * `serve`, or nester_default if null), children holding up to `quota`
 * heap pages each. Returns 0 or a Xok error. */
int nester_start(nest_serve_fn serve, uint32_t quota);

/* Destroys the server and with it every child and their subtrees. */
void nester_stop(void);

/* Starts `spec` ("PROG[:ARG]") as a child; its id or an error. */
int64_t nester_spawn(const char *spec);

/* Lends this environment's CPU to the children until all are gone or
 * stop(arg) is true (checked before each decision; may be null). */
void nester_run(int (*stop)(void *arg), void *arg);

/* The exit status of child `id`, once gone, releasing its entry;
 * E_AGAIN while it lives, E_BADENV if it is not a child. */
int64_t nester_wait(uint64_t id);

/* Makes a child again from the checkpoint `ckpt` (`len` bytes in this
 * environment's memory, ckpt.h) and lends it CPU: its id, or an error.
 * (The main environment asks its own server, with NEST_RESTORE, a call
 * only the main environment may make.) */
int64_t nester_restore(const void *ckpt, uint64_t len);
#define NEST_RESTORE NEST_OP(0, 1)

/* Makes nester child `id`'s subtree again from the tree checkpoint `tree`
 * (`len` bytes in this environment's memory, ckpt.h): the child first,
 * which then starts a new server and makes its own children again
 * (nester_rebuild; a nester child's subtree by this same call) before it
 * goes on where it was saved. Its id, or an error (E_INVAL: not a tree
 * checkpoint, or the nester could not rebuild). Each part's `now` in
 * `tree` (a nester child's subtree's too, nest_tree_envs) is then the id
 * it has now: no program of the subtree has run since it was made, so a
 * restorer may still give them what they held outside it (their open
 * files). */
int64_t nester_restore_tree(void *tree, uint64_t len);

/* A restored nester's first code (nester_restore_tree points it here,
 * with `h` at NEST_REBUILD_VA): a new server, its children made again
 * from the tree (nester children first, since making one runs it),
 * its tables naming them (and their former ids); then it stops, for the
 * restorer to give it its saved registers. */
struct nest_tree_hdr;
void nester_rebuild(struct nest_tree_hdr *h) __attribute__((noreturn));

/* Destroys child `id` and its subtree and releases its entry: every page
 * and environment they held is free again. 0, E_BADENV. */
int64_t nester_kill(uint64_t id);

/* What a nester does with a call it does not change (see above). */
int64_t nester_default(struct nester *n, struct nest_req *rq);

/* Sends the call on to this nester's parent, with the caller's message
 * page (header, path and `len` bytes of data) and reply words. */
int64_t nester_forward(struct nester *n, struct nest_req *rq);

#endif
