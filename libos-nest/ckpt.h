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
 * Only a child that is not itself a nester (its subtree is itself) and
 * that is stopped outside a call (nest_stop) is checkpointed whole.
 */
#ifndef NEST_CKPT_H
#define NEST_CKPT_H

#include <stdint.h>
#include <xok/env.h>

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

/* Builds, in the calling environment (a nester's server), a stopped
 * child from the checkpoint at `va` (`len` bytes) in environment `from`
 * (the nester's main), named as nest_space_create names one. Returns its
 * id or an error (E_INVAL: not a checkpoint). */
int64_t nest_ckpt_restore(unsigned slot, uint32_t name, uint64_t window,
			  uint64_t from, uint64_t va, uint64_t len);

#endif
