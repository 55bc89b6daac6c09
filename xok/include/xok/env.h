/*
 * Environments as user code sees them: the exported environment table
 * (read-only at XOK_UENVS, one struct xok_env per slot), the state a
 * controlling environment reads and writes, and the u-area.
 *
 * An environment is controlled (XOK_CAP_W) by whoever holds a capability
 * opening its guard; every environment controls itself (envid 0 means
 * "the caller"). Destroying an environment destroys every environment it
 * created, recursively, and frees everything only they held.
 */
#ifndef XOK_ENV_H
#define XOK_ENV_H

#include <stdint.h>
#include <xok/cap.h>
#include <xok/memlayout.h>
#include <xok/trapframe.h>

#define XOK_NENV 256

/* struct xok_env.status */
#define XOK_ENV_FREE     0
#define XOK_ENV_RUNNABLE 1
#define XOK_ENV_STOPPED  2 /* created, or stopped by its controller */
#define XOK_ENV_SLEEPING 3 /* on a wakeup predicate */
#define XOK_ENV_WAITING  4 /* for the reply to a protected control transfer */
#define XOK_ENV_DONATING 5 /* gave its slice away with xok_yield_to */

/* Upcall entry points: where the kernel starts the environment's own code,
 * with a struct xok_upcall_frame on its exception stack. */
#define XOK_UPCALL_FAULT    0 /* an exception or page fault */
#define XOK_UPCALL_SYSCALL  1 /* a non-Xok `syscall` (Linux reflection) */
#define XOK_UPCALL_IPC      2 /* a protected control transfer arrived */
#define XOK_UPCALL_PROLOGUE 3 /* one of its slices begins */
#define XOK_UPCALL_EPILOGUE 4 /* its slice ends: save state, then yield */
#define XOK_NUPCALLS 5

/* trapno of frames pushed by upcalls other than faults. */
#define XOK_TRAP_PROLOGUE 257
#define XOK_TRAP_EPILOGUE 258
#define XOK_TRAP_IPC      259

/* xok_env.ipc_accept */
#define XOK_IPC_NOBODY 0
#define XOK_IPC_ANY    (~0ull)

/* Exception stacks are this large: a nested upcall goes below the current
 * frame while %rsp lies within XOK_XSTACK_SIZE under xstack_top. */
#define XOK_XSTACK_SIZE 16384

struct xok_env {
	uint64_t id;     /* 0: the slot is free */
	uint64_t parent; /* the environment that created it */
	uint32_t status; /* XOK_ENV_* */
	uint32_t penalty;  /* slices it will forfeit for overrunning */
	uint32_t overruns; /* epilogue grace periods it overran */
	uint32_t pad;
	struct xok_guard guard;
	struct xok_cap caps[XOK_NCAPS];
	uint64_t upcall[XOK_NUPCALLS];
	uint64_t xstack_top;
	uint64_t prologue_if; /* see XOK_SET_UPCALLS; 0: always */
	uint64_t ipc_accept; /* XOK_IPC_NOBODY, XOK_IPC_ANY or an env id */
	uint64_t ipc_caller; /* whose call it is serving, or 0 */
	uint64_t ipc_callee; /* whom it called and waits for (WAITING), or 0 */
	uint64_t donor;      /* who donated the slice it runs on, or 0 */
	uint64_t ticks;      /* timer ticks it ran */
	char name[16];
};

/* What xok_env_get returns and xok_env_set installs. */
struct xok_env_state {
	struct xok_trapframe tf; /* cs, ss, trapno, err are the kernel's */
	uint64_t fs_base;
	uint64_t upcall[XOK_NUPCALLS];
	uint64_t xstack_top;
	uint64_t prologue_if;
	uint64_t ipc_accept;
};

/* What xok_env_set installs. */
#define XOK_SET_REGS    0x1 /* tf */
#define XOK_SET_FSBASE  0x2 /* fs_base */
/* upcall[], xstack_top and prologue_if: when prologue_if is not 0, a
 * slice's prologue upcall is made only if the 64-bit word at that address
 * of the environment is not 0 then (so a libOS with nothing to do at
 * slice starts pays nothing; the word can say "a signal is waiting"). */
#define XOK_SET_UPCALLS 0x4
#define XOK_SET_IPC     0x8 /* ipc_accept */
#define XOK_SET_ALL     0xf

/* Pushed on the exception stack by every upcall; the handler resumes the
 * interrupted code from it without entering the kernel. */
struct xok_upcall_frame {
	struct xok_trapframe tf;
	uint64_t addr; /* page faults: the faulting address */
	uint64_t pad;
};

/*
 * The u-area: one page per environment, writable by its owner at
 * XOK_UAREA and readable by everyone at XOK_UAREAS + slot * page.
 */
struct xok_uarea {
	volatile uint32_t critical;         /* nonzero: defer my epilogue */
	volatile uint32_t epilogue_pending; /* kernel: one was deferred; yield */
	uint64_t ipc_reply[3];              /* kernel: reply words 1..3 */
	uint64_t reserved[4];
	uint8_t libos[XOK_PAGE_SIZE - 64];  /* the libOS's: pid, parent, ... */
};

/* The slot of an environment id, for indexing the exported arrays. */
static inline unsigned xok_env_slot(uint64_t id)
{
	return (unsigned)((id & 0xfff) - 1);
}

#endif
