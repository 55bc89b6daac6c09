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

/* Serves a Memory call (proto.h); E_NOSYS for ops not served yet. */
int64_t nest_memory_serve(struct nester *n, struct nest_req *rq);

/* Is `env` `root` or one of its descendants (exported table)? */
int nest_in_subtree(uint64_t env, uint64_t root);

/* Whom call `rq` of a child's is for: its message page's subject (read
 * once: the page is the caller's) if that is in the calling child's
 * subtree, else 0. */
uint64_t nest_req_subject(const struct nest_req *rq);

#endif
