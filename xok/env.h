/*
 * env: environments, Xok's unit of protection: an address space, saved
 * registers, capabilities, upcall entry points. The public part of each is
 * its struct xok_env in the exported table (<xok/env.h>); the rest
 * (registers, FPU state, page-table root) is the kernel's alone.
 */
#ifndef KERN_ENV_H
#define KERN_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <xok/env.h>
#include <xok/trapframe.h>
#include <xok/wk.h>

#include "export.h"

#define NENV XOK_NENV

struct env {
	struct xok_trapframe tf; /* saved user registers while not running */
	/* FPU/SSE registers while another environment owns the FPU. */
	uint8_t fpu[512] __attribute__((aligned(16)));
	struct xok_env *pub;     /* its entry in the exported table */
	struct xok_uarea *uarea; /* its u-area, through the direct map */
	uint64_t uarea_pa;
	uint64_t pml4_pa;
	uint64_t fs_base;
	uint64_t view;        /* env whose page tables it views, or 0 */
	int is_first;         /* its exit status is the machine's */
	/* The wakeup predicate it sleeps on (status XOK_ENV_SLEEPING). */
	struct xok_wk_insn wk[XOK_WK_MAXINSNS];
	size_t wk_len;
	uint64_t loan_flags; /* XOK_LOAN_* of the loan it holds (pub->donor) */
	/* Waiting on ipc_call_brief: slices of its own the call has left
	 * (2 when made, the call cut at 0); 0 for ipc_call. */
	int brief_call;
};

extern struct env envs[NENV];

/* Sets `e`'s status, counted in the exported status_changes. */
static inline void env_set_status(struct env *e, uint32_t status)
{
	e->pub->status = status;
	exp_clock.status_changes++;
}

/* The environment running on this CPU (there is always one in a call). */
struct env *curenv(void);

/*
 * A new environment created by `parent` (0 for the kernel's own), guarded
 * by `guard`: empty address space with its u-area, status STOPPED.
 * Returns 0 and sets *out, or E_AGAIN (no free slot) or E_NOMEM.
 */
int env_alloc(struct env *parent, const struct xok_guard *guard,
	      struct env **out);

/*
 * Creates a RUNNABLE environment running the static ELF executable `elf`,
 * with `arg` (a string, may be empty) on its stack and its address in
 * %rdi, holding the root capability in slot 0. For the programs the kernel
 * starts itself. Returns 0, or E_INVAL (the ELF is refused; the reason is
 * printed), E_NOMEM, E_AGAIN.
 */
int env_create(const char *name, const void *elf, size_t size,
	       const char *arg, struct env **out);

/*
 * The environment `id` (0: the caller) if the caller's capability in slot
 * `cap` opens its guard for `rights`. The caller needs no capability for
 * itself. Returns 0, E_BADENV, E_INVAL (bad slot), or E_PERM.
 */
int env_check(uint64_t cap, uint64_t id, unsigned rights, struct env **out);

/* The caller's capability in slot `cap`, which must hold every right in
 * `rights`: 0, E_INVAL (no such slot) or E_PERM (empty, or lacking one). */
int env_cap(struct env *e, uint64_t cap, unsigned rights,
	    const struct xok_cap **out);

/* Ends `e` and every environment it created, reporting `status` for `e`,
 * and reclaims all they held. If one of them was running here, the caller
 * must schedule another (sched_run). */
void env_destroy(struct env *e, int64_t status);

/* Checks that `tf` is a user register state (rip and rsp user
 * addresses: iretq would fault in the kernel on a non-canonical one) and
 * makes it safe to resume: user segments, only the flags user code may
 * set (interrupts on). Returns 0 or E_INVAL, leaving `tf` as it was. */
int env_user_regs(struct xok_trapframe *tf);

/* Resumes `e` in user mode on this CPU. */
void env_run(struct env *e) __attribute__((noreturn));

/* The environment with id `id`, or 0. */
struct env *env_lookup(uint64_t id);

/* How many environments exist. */
int env_count(void);

#endif
