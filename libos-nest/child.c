/*
 * child: see child.h.
 */
#include "child.h"

#include <xok/error.h>
#include <xok/syscall.h>

#include "../bin/rt/rt.h"
#include "call.h"
#include "file.h"

struct nest_msg nest_msg __attribute__((aligned(XOK_PAGE_SIZE)));
uint64_t nest_main;
static uint64_t heap_brk = NEST_HEAP_BASE;

/* The argument after "NAME:" in a spec, or "". */
static const char *spec_arg(const char *spec)
{
	const char *colon = strchr(spec, ':');

	return colon ? colon + 1 : "";
}

const struct nest_prog *nest_prog_find(const char *spec)
{
	size_t n = strlen(spec) - strlen(spec_arg(spec));

	if (*spec_arg(spec))
		n--; /* the colon */
	for (unsigned i = 0; i < nest_nprogs; i++)
		if (strlen(nest_progs[i].name) == n &&
		    !strncmp(nest_progs[i].name, spec, n))
			return &nest_progs[i];
	return 0;
}

uint64_t nest_parent(void)
{
	uint64_t me = nest_main ? nest_main : (uint64_t)xok_getenvid();

	return ((const volatile struct xok_env *)XOK_UENVS)[xok_env_slot(me)]
		.parent;
}

/* The fault upcall of a nested program: a page fault in the heap asks
 * the parent for the page (Memory FAULT: demand paging); any other
 * fault, or a refused one, ends the program with the error as status. */
static void fault(struct xok_upcall_frame *f, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t va = f->addr & ~(uint64_t)(XOK_PAGE_SIZE - 1);
	int64_t r = E_FAULT;

	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	if (f->tf.trapno == XOK_T_PGFLT && va >= NEST_HEAP_BASE &&
	    va < NEST_HEAP_TOP)
		r = nest_parent_call(NEST_MEM_FAULT, va, 0, 0);
	if (r < 0) {
		printf("nest: %#lx: trap %lu at rip %#lx addr %#lx: %ld\n",
		       (uint64_t)xok_getenvid(), f->tf.trapno, f->tf.rip,
		       f->addr, r);
		nest_exit(r);
	}
}

void nest_child_main(uint64_t unused)
{
	static char spec[NEST_PATH_MAX];
	const struct nest_prog *p;

	/* The image is a copy of the parent's, taken while it ran: its
	 * runtime state is not mine. */
	for (int k = 0; k < XOK_NUPCALLS; k++)
		rt_upcall_handlers[k] = 0;
	rt_upcall_handlers[XOK_UPCALL_FAULT] = fault;
	(void)unused;
	nest_main = 0;
	nest_files_at = 0;
	heap_brk = NEST_HEAP_BASE;
	memcpy(spec, nest_msg.path, sizeof(spec));
	spec[sizeof(spec) - 1] = 0;
	if (!(p = nest_prog_find(spec)))
		nest_exit(E_INVAL);
	nest_exit(p->main(spec_arg(spec)));
}

int64_t nest_parent_call(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	nest_msg.subject = (uint64_t)xok_getenvid();
	return nest_call(nest_parent(), op, a1, a2, a3);
}

/* A Process call naming a program in the message page. */
static int64_t with_spec(uint64_t op, const char *spec)
{
	if (strlen(spec) >= NEST_PATH_MAX)
		return E_INVAL;
	memcpy(nest_msg.path, spec, strlen(spec) + 1);
	return nest_parent_call(op, 0, 0, 0);
}

int64_t nest_spawn(const char *spec)
{
	return with_spec(NEST_PROC_CREATE, spec);
}

int64_t nest_exec(const char *spec)
{
	return with_spec(NEST_PROC_EXEC, spec);
}

int64_t nest_wait(uint64_t id)
{
	int64_t r;

	/* Yielding ends my loan: my nester runs the others meanwhile. */
	while ((r = nest_parent_call(NEST_PROC_WAIT, id, 0, 0)) == E_AGAIN)
		xok_yield();
	return r;
}

void nest_exit(int64_t status)
{
	if (nest_parent())
		nest_parent_call(NEST_PROC_EXIT, (uint64_t)status, 0, 0);
	rt_exit(status);
}

void *nest_sbrk(uint64_t bytes)
{
	uint64_t start = heap_brk;
	uint64_t pages = (bytes + XOK_PAGE_SIZE - 1) / XOK_PAGE_SIZE;

	if (nest_parent_call(NEST_MEM_GROW, start, pages, 0) < 0)
		return 0;
	heap_brk += pages * XOK_PAGE_SIZE;
	return (void *)start;
}

int64_t nest_segment(uint64_t key, uint64_t pages, uint64_t partner)
{
	return nest_parent_call(NEST_MEM_CREATE_SEGMENT, key, pages, partner);
}

int64_t nest_map(uint64_t key, void *va, uint64_t prot)
{
	return nest_parent_call(NEST_MEM_MAP, key, (uint64_t)va, prot);
}
