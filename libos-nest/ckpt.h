/*
 * ckpt: a stopped child's complete state as bytes, and a child made
 * again from them — the checkpointer's mechanism. The image holds its
 * registers, upcall entries and IPC acceptance, the rights of its
 * capability, and every page mapped in its user half (but its u-area):
 * address, permissions, contents. A restored child is a new environment
 * of the restoring nester, named by a new capability; it finds its
 * parent again through the exported table (child.h), so it may be
 * restored by another nester, or after a reboot.
 *
 * A child that is not itself a nester (its subtree is itself), stopped
 * outside a call (nest_stop), is checkpointed whole by nest_ckpt_save.
 * A nester child's subtree is a tree checkpoint (nest_ckpt_save_tree):
 * its main environment's checkpoint and each of its children's (a
 * nester child's is a tree again). Its server is not saved: the
 * nester, restored, starts a new one and makes its children again from
 * their checkpoints itself (nester_rebuild), so its tables name the new
 * environments.
 */
#ifndef NEST_CKPT_H
#define NEST_CKPT_H

#include <stdint.h>
#include <xok/env.h>

#include "nester.h"

#define NEST_CKPT_MAGIC 0x3150434b5453454eull /* "NESTCKP1" */

struct nest_ckpt_hdr {
	uint64_t magic;
	uint64_t npages;
	uint64_t rights; /* of its capability */
	struct xok_env_state st;
};

struct nest_ckpt_page {
	uint64_t va;
	uint64_t perm; /* XOK_PTE_USER_BITS */
};

/* Layout: the header, npages entries, then the pages in that order. */
static inline uint64_t nest_ckpt_data(uint64_t npages)
{
	uint64_t head = sizeof(struct nest_ckpt_hdr) +
			npages * sizeof(struct nest_ckpt_page);

	return (head + XOK_PAGE_SIZE - 1) & ~(XOK_PAGE_SIZE - 1);
}

/* Writes stopped child `id`'s checkpoint into `buf` (`size` bytes, in
 * the caller's memory): its length, E_NOMEM if it does not fit, or a Xok
 * error. */
int64_t nest_ckpt_save(uint64_t id, void *buf, uint64_t size);

#define NEST_TREE_MAGIC 0x3145455254545345ull /* "ESTTREE1" */
#define NEST_REBUILD_VA 0x0000330000000000ull /* where a restored nester
					       * finds its tree */

/* A tree checkpoint: this header in its first page, then page-aligned
 * checkpoints (ckpt.h) at their offsets: the nester's main environment,
 * then each child's (a nester child's a tree checkpoint), with the id
 * each had (its nester's tables name it) and, once restored, the id
 * each has (`now`, set by the rebuild and by nester_restore_tree). */
struct nest_tree_part {
	uint64_t was, off, len, now;
};
struct nest_tree_hdr {
	uint64_t magic;
	int64_t rebuilt;  /* set by the restored nester: 0 or an error */
	uint64_t nparts;  /* the main environment's, then the children's */
	struct nest_tree_part part[1 + NEST_MAXCHILD];
};
_Static_assert(sizeof(struct nest_tree_hdr) <= XOK_PAGE_SIZE, "one page");

/* Whether the checkpoint at `part` is a tree checkpoint. */
static inline int nest_is_tree(const void *part)
{
	return *(const uint64_t *)part == NEST_TREE_MAGIC;
}

/* Stops nester child `id`'s subtree outside any call: its main
 * environment, then each of its children (a nester child's subtree
 * likewise; its server then serves no one). 0, E_STATE (one cannot be
 * stopped so, or a server is busy), or E_INVAL (`id` is no nester). */
int64_t nest_stop_tree(uint64_t id);

/* Writes the tree checkpoint of stopped nester child `id` into `buf`
 * (`size` bytes): its length, or E_NOMEM, E_INVAL, a Xok error. */
int64_t nest_ckpt_save_tree(uint64_t id, void *buf, uint64_t size);

/* The ids of every environment the tree `h` (`len` bytes) holds (the
 * nester's main, then each child's, a nester child's subtree in place),
 * as they were (`now` 0) or as restored (`now` 1), into ids[] (at most
 * `max`): their number. */
unsigned nest_tree_envs(const struct nest_tree_hdr *h, uint64_t len, int now,
			uint64_t ids[], unsigned max);

/* Builds, in the calling environment (a nester's server), a stopped
 * child from the checkpoint at `va` (`len` bytes) in environment `from`
 * (the nester's main), named as nest_space_create names one. Returns its
 * id or an error (E_INVAL: not a checkpoint). */
int64_t nest_ckpt_restore(unsigned slot, uint32_t name, uint64_t window,
			  uint64_t from, uint64_t va, uint64_t len);

#endif
