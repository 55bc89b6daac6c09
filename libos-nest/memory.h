/*
 * memory: the Memory protocol served from a nester's own pool: pages for
 * a child's subtree, named by the capability of the environment they are
 * for (so it, its descendants and the nesters between may use them, and
 * nothing else may), counted against the child's quota.
 */
#ifndef NEST_MEMORY_H
#define NEST_MEMORY_H

#include <stdint.h>

struct nester;
struct nest_req;

struct nest_child;

/* Serves a Memory call (proto.h): GROW, FAULT, CREATE_SEGMENT, MAP. */
int64_t nest_memory_serve(struct nester *n, struct nest_req *rq);

/* May child c's subtree hold `pages` more (heap, file maps and live
 * segments together)? 0 or E_NOMEM. */
int64_t nest_memory_room(const struct nester *n, const struct nest_child *c,
			 uint64_t pages);

/* The server's capability slot that names pages for `subject` in child
 * c's subtree (its own, or NEST_NAME_SLOT forged for one deeper), or an
 * error. */
int64_t nest_memory_name(const struct nester *n, const struct nest_child *c,
			 uint64_t subject);

/* Gives back the frames of segments none of whose holders lives. From
 * either of the nester's environments. */
void nest_memory_reclaim(const struct nester *n);

/* Is `env` `root` or one of its descendants (exported table)? */
int nest_in_subtree(uint64_t env, uint64_t root);

/* Whom call `rq` of a child's is for: its message page's subject (read
 * once: the page is the caller's) if that is in the calling child's
 * subtree, else 0. */
uint64_t nest_req_subject(const struct nest_req *rq);

#endif
