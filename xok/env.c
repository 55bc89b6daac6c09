/*
 * env: creating, running and destroying environments.
 */
#include "env.h"

#include <xok/error.h>
#include <xok/memlayout.h>

#include "../lib/elf.h"
#include "../lib/string.h"
#include "console.h"
#include "cpu.h"
#include "kmemlayout.h"
#include "pmap.h"
#include "sched.h"
#include "shutdown.h"
#include "x86.h"

/* An id is (generation << ENV_GEN_SHIFT) | (slot + 1): a destroyed
 * environment's id is never taken for another while ids wrap slowly. */
#define ENV_GEN_SHIFT 12

struct env envs[NENV];
static uint64_t next_generation = 1;

void env_pop_iret(struct xok_trapframe *tf) __attribute__((noreturn));
void env_pop_sysret(struct xok_trapframe *tf) __attribute__((noreturn));

struct env *env_lookup(uint64_t id)
{
	uint64_t slot = (id & ((1 << ENV_GEN_SHIFT) - 1)) - 1;

	if (slot >= NENV || envs[slot].state == ENV_FREE || envs[slot].id != id)
		return 0;
	return &envs[slot];
}

int env_count(void)
{
	int n = 0;

	for (int i = 0; i < NENV; i++)
		n += envs[i].state != ENV_FREE;
	return n;
}

/* Maps fresh zeroed pages over [lo, hi) unless already mapped, and adds
 * `perm` to every page's permissions (segments may share a page). */
static int map_zeroed(uint64_t pml4, uint64_t lo, uint64_t hi, uint64_t perm)
{
	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		uint64_t pte = pmap_lookup(pml4, va), pa;
		int r;

		if (pte) {
			/* Shared page: writable if either wants it, executable
			 * if either does. */
			perm |= pte & PTE_W;
			if (!(pte & PTE_NX))
				perm &= ~PTE_NX;
			pa = pte & PTE_ADDR;
			page_incref(&phys_pages, pa / PAGE_SIZE);
		} else if (!(pa = pmap_page_alloc())) {
			return E_NOMEM;
		}
		r = pmap_insert(pml4, va, pa, perm);
		page_decref(&phys_pages, pa / PAGE_SIZE); /* the map holds it */
		if (r)
			return r;
	}
	return 0;
}

static int load_elf(uint64_t pml4, const struct elf_info *info,
		    const uint8_t *file)
{
	for (unsigned i = 0; i < info->phnum; i++) {
		const struct elf64_phdr *ph = &info->phdrs[i];
		uint64_t lo = ph->vaddr & ~(PAGE_SIZE - 1);
		uint64_t hi = (ph->vaddr + ph->memsz + PAGE_SIZE - 1) &
			      ~(PAGE_SIZE - 1);
		uint64_t perm = (ph->flags & ELF_PF_W ? PTE_W : 0) |
				(ph->flags & ELF_PF_X ? 0 : PTE_NX);
		int r;

		if (ph->type != ELF_PT_LOAD)
			continue;
		if ((r = map_zeroed(pml4, lo, hi, perm)))
			return r;
		/* The pages are the kernel's own for now: write them through
		 * the direct map, whatever the user permissions. */
		for (uint64_t off = 0; off < ph->filesz;) {
			uint64_t va = ph->vaddr + off;
			uint64_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));

			if (n > ph->filesz - off)
				n = ph->filesz - off;
			memcpy(kaddr((pmap_lookup(pml4, va) & PTE_ADDR) |
				     (va & (PAGE_SIZE - 1))),
			       file + ph->offset + off, n);
			off += n;
		}
	}
	return 0;
}

/* Maps the stack and copies `arg` to its top; returns the string's user
 * address in *argp and the initial %rsp in *rspp. */
static int setup_stack(uint64_t pml4, const char *arg, uint64_t *argp,
		       uint64_t *rspp)
{
	size_t len = strlen(arg) + 1;
	uint64_t bottom = XOK_USTACK_TOP - XOK_USTACK_PAGES * PAGE_SIZE;
	uint64_t at = (XOK_USTACK_TOP - len) & ~15ull;
	int r;

	if (len > PAGE_SIZE / 2)
		return E_INVAL;
	if ((r = map_zeroed(pml4, bottom, XOK_USTACK_TOP, PTE_W | PTE_NX)))
		return r;
	if ((r = copy_to_user(pml4, at, arg, len)))
		return r;
	*argp = at;
	*rspp = at - 8; /* as after a call: %rsp + 8 is 16-byte aligned */
	return 0;
}

static struct env *slot_alloc(void)
{
	for (int i = 0; i < NENV; i++)
		if (envs[i].state == ENV_FREE)
			return &envs[i];
	return 0;
}

int env_create(const char *name, const void *elf, size_t size,
	       const char *arg, struct env **out)
{
	struct elf_info info;
	struct env *e;
	uint64_t pml4, argp, rsp;
	int r;

	if ((r = elf_check(elf, size, XOK_USER_TOP, &info)) != ELF_OK) {
		cprintf("xok: cannot load '%s': %s\n", name, elf_strerror(r));
		return E_INVAL;
	}
	if (info.is_pie) {
		cprintf("xok: cannot load '%s': position-independent "
			"executables are loaded by a libOS, not the kernel\n",
			name);
		return E_INVAL;
	}
	if (!(e = slot_alloc()))
		return E_AGAIN;
	if (!(pml4 = pmap_create()))
		return E_NOMEM;
	if ((r = load_elf(pml4, &info, elf)) ||
	    (r = setup_stack(pml4, arg, &argp, &rsp))) {
		pmap_destroy(pml4);
		return r;
	}
	memset(e, 0, sizeof(*e));
	e->id = (next_generation++ << ENV_GEN_SHIFT) | (uint64_t)(e - envs + 1);
	e->pml4_pa = pml4;
	size_t n = strnlen(name, ENV_NAME_MAX - 1);
	memcpy(e->name, name, n);
	e->tf.rip = info.entry;
	e->tf.rsp = rsp;
	e->tf.rdi = argp;
	e->tf.cs = GD_UCODE | 3;
	e->tf.ss = GD_UDATA | 3;
	e->tf.rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	/* The x87 and SSE state of a fresh process: all exceptions masked,
	 * round to nearest (FCW 0x37f, MXCSR 0x1f80). */
	*(uint16_t *)&e->fpu[0] = 0x37f;
	*(uint32_t *)&e->fpu[24] = 0x1f80;
	e->state = ENV_RUNNABLE;
	*out = e;
	return 0;
}

void env_destroy(struct env *e, int64_t status)
{
	cprintf("xok: env %#lx (%s) exited with status %ld\n", e->id, e->name,
		status);
	pmap_destroy(e->pml4_pa);
	e->state = ENV_FREE;
	if (e->is_first)
		sched_set_exit_code(status == 0 ? EXIT_PASS : EXIT_FAIL);
	if (thiscpu()->cur == e)
		thiscpu()->cur = 0;
	if (thiscpu()->fpu_env == e)
		thiscpu()->fpu_env = 0;
}

/* sysret can return only to a canonical user address: a non-canonical
 * %rip would make it fault in ring 0 on the user's stack. */
static int sysret_safe(const struct xok_trapframe *tf)
{
	return tf->trapno == XOK_TRAP_SYSCALL && tf->rip < XOK_USER_TOP;
}

void env_run(struct env *e)
{
	struct cpu *c = thiscpu();

	if (rcr3() != e->pml4_pa)
		lcr3(e->pml4_pa);
	c->cur = e;
	/* The FPU keeps the last environment's state until another one
	 * runs: a kernel entry and return to the same one costs nothing. */
	if (c->fpu_env != e) {
		if (c->fpu_env)
			fxsave(c->fpu_env->fpu);
		fxrstor(e->fpu);
		c->fpu_env = e;
	}
	if (sysret_safe(&e->tf))
		env_pop_sysret(&e->tf);
	env_pop_iret(&e->tf);
}
