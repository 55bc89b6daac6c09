/*
 * env: environments, Xok's unit of protection: an address space, saved
 * registers and an id. (Issue 3 adds capabilities, upcalls and u-areas.)
 */
#ifndef XOK_ENV_H
#define XOK_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <xok/trapframe.h>

#define NENV 256
#define ENV_NAME_MAX 32

enum env_state {
	ENV_FREE = 0,
	ENV_RUNNABLE,
};

struct env {
	struct xok_trapframe tf; /* saved user registers while not running */
	uint64_t id;
	enum env_state state;
	uint64_t pml4_pa;
	char name[ENV_NAME_MAX];
	int is_first; /* its exit status is the machine's */
	/* FPU/SSE registers while another environment owns the FPU. */
	uint8_t fpu[512] __attribute__((aligned(16)));
};

extern struct env envs[NENV];

/*
 * Creates an environment running the static ELF executable `elf` (`size`
 * bytes), with `arg` (a string, may be empty) on its stack and its address
 * in %rdi. Returns 0 and sets *out, or E_INVAL (the ELF is refused; the
 * reason is printed), E_NOMEM, or E_AGAIN (no free environment slot).
 */
int env_create(const char *name, const void *elf, size_t size,
	       const char *arg, struct env **out);

/* Ends `e` with `status`, reports it and reclaims its pages. If `e` was
 * running here, the caller must schedule another. */
void env_destroy(struct env *e, int64_t status);

/* Resumes `e` in user mode on this CPU. */
void env_run(struct env *e) __attribute__((noreturn));

/* The environment with id `id`, or 0. */
struct env *env_lookup(uint64_t id);

/* How many environments exist. */
int env_count(void);

#endif
