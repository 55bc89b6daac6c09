/*
 * syscall: the dispatch of reflected Linux system calls. A call ExOS does
 * not implement returns ENOSYS and is reported once a boot, by number and
 * name, so gaps are visible.
 */
#include "exos.h"
#include "sys.h"

typedef int64_t (*sys_fn)(const struct sysargs *a);

#define ENTRY(name) [L_SYS_##name] = sys_##name,
static const sys_fn handlers[] = { EXOS_SYSCALLS(ENTRY) };
#undef ENTRY

static const char *const names[] = {
#define SYSCALL(name, nr) [nr] = #name,
#include "sysnames.h"
#undef SYSCALL
};

#define NHANDLERS (sizeof(handlers) / sizeof(handlers[0]))
#define NNAMES (sizeof(names) / sizeof(names[0]))

static int64_t unknown(uint64_t nr)
{
	/* One bit per number in the table, in the shared pages (so each is
	 * said once a boot, whichever process makes it); numbers beyond the
	 * table share the last. */
	uint8_t *reported = SHARED->unknown_said;
	uint64_t bit = nr < EXOS_NSYSCALLS ? nr : EXOS_NSYSCALLS - 1;
	uint8_t mask = (uint8_t)(1u << (bit % 8));

	if (!(__atomic_fetch_or(&reported[bit / 8], mask, __ATOMIC_RELAXED) &
	      mask))
		exos_printf("exos: pid %d (%s): system call %lu (%s) is not "
			    "implemented: ENOSYS\n", SELF->pid, SELF->exe, nr,
			    nr < NNAMES && names[nr] ? names[nr] : "unknown");
	return -L_ENOSYS;
}

int64_t exos_syscall(struct xok_trapframe *tf)
{
	struct sysargs a = {
		.a = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 },
		.tf = tf,
	};
	uint64_t nr = tf->rax;

	if (nr >= NHANDLERS || !handlers[nr])
		return unknown(nr);
	return handlers[nr](&a);
}

/* entry.S comes here on ExOS's stack with a copy of the upcall frame. */
void exos_syscall_upcall(struct xok_upcall_frame *f)
{
	uint64_t nr = f->tf.rax;
	int64_t r;

	SELF->in_exos = 1;
	r = exos_syscall(&f->tf);
	f->tf.rax = (uint64_t)r;
	/* The `syscall` instruction's own clobbers, as Linux leaves them. */
	f->tf.rcx = f->tf.rip;
	f->tf.r11 = f->tf.rflags;
	SELF->in_exos = 0;
	exos_signal_deliver(&f->tf, r == -L_EINTR ? (int64_t)nr : -1);
}
