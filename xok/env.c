/*
 * env: creating, checking, running and destroying environments.
 */
#include "env.h"

#include <xok/error.h>
#include <xok/memlayout.h>

#include "../lib/elf.h"
#include "../lib/string.h"
#include "cap.h"
#include "console.h"
#include "cpu.h"
#include "disk.h"
#include "export.h"
#include "kmemlayout.h"
#include "pmap.h"
#include "sched.h"
#include "shutdown.h"
#include "x86.h"

/* An id is (generation << ENV_GEN_SHIFT) | (slot + 1): a destroyed
 * environment's id is not soon given to another. */
#define ENV_GEN_SHIFT 12

struct env envs[NENV];
static uint64_t next_generation = 1;

void env_pop_iret(struct xok_trapframe *tf) __attribute__((noreturn));
void env_pop_sysret(struct xok_trapframe *tf) __attribute__((noreturn));

struct env *curenv(void)
{
	return thiscpu()->cur;
}

struct env *env_lookup(uint64_t id)
{
	uint64_t slot = (id & ((1 << ENV_GEN_SHIFT) - 1)) - 1;

	if (slot >= NENV || exp_envs[slot].id != id || !id)
		return 0;
	return &envs[slot];
}

int env_count(void)
{
	int n = 0;

	for (int i = 0; i < NENV; i++)
		n += exp_envs[i].id != 0;
	return n;
}

int env_cap(struct env *e, uint64_t cap, unsigned rights,
	    const struct xok_cap **out)
{
	if (cap >= XOK_NCAPS)
		return E_INVAL;
	if (!e->pub->caps[cap].valid ||
	    (rights & ~(unsigned)e->pub->caps[cap].rights))
		return E_PERM;
	*out = &e->pub->caps[cap];
	return 0;
}

int env_check(uint64_t cap, uint64_t id, unsigned rights, struct env **out)
{
	struct env *self = curenv(), *e;
	const struct xok_cap *c;
	int r;

	if (id == 0 || id == self->pub->id) {
		*out = self;
		return 0;
	}
	if (!(e = env_lookup(id)))
		return E_BADENV;
	if ((r = env_cap(self, cap, 0, &c)))
		return r;
	if (!cap_opens(c, &e->pub->guard, rights))
		return E_PERM;
	*out = e;
	return 0;
}

/* Gives `e` its u-area: a kernel page, writable by `e` at XOK_UAREA and
 * readable by everyone in the exported region. */
static int uarea_create(struct env *e, unsigned slot)
{
	uint64_t pa = pmap_page_alloc();
	int r;

	if (!pa)
		return E_NOMEM;
	if ((r = pmap_insert(e->pml4_pa, XOK_UAREA, pa, PTE_W | PTE_NX)) ||
	    (r = export_map(XOK_UAREAS + slot * PAGE_SIZE, pa))) {
		page_release(pa);
		return r;
	}
	e->uarea_pa = pa;
	e->uarea = kaddr(pa);
	return 0;
}

int env_alloc(struct env *parent, const struct xok_guard *guard,
	      struct env **out)
{
	unsigned slot;
	struct env *e;
	int r;

	for (slot = 0; slot < NENV && exp_envs[slot].id; slot++)
		;
	if (slot == NENV)
		return E_AGAIN;
	e = &envs[slot];
	memset(e, 0, sizeof(*e));
	e->pub = &exp_envs[slot];
	if (!(e->pml4_pa = pmap_create()))
		return E_NOMEM;
	if ((r = uarea_create(e, slot))) {
		pmap_destroy(e->pml4_pa);
		return r;
	}
	memset(e->pub, 0, sizeof(*e->pub));
	e->pub->guard = *guard;
	e->pub->parent = parent ? parent->pub->id : 0;
	env_set_status(e, XOK_ENV_STOPPED);
	if (parent)
		memcpy(e->pub->name, parent->pub->name, sizeof(e->pub->name));
	e->tf.cs = GD_UCODE | 3;
	e->tf.ss = GD_UDATA | 3;
	e->tf.rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	/* The x87 and SSE state of a fresh process: all exceptions masked,
	 * round to nearest (FCW 0x37f, MXCSR 0x1f80). */
	*(uint16_t *)&e->fpu[0] = 0x37f;
	*(uint32_t *)&e->fpu[24] = 0x1f80;
	/* Publishing the id last makes the entry valid to readers. */
	e->pub->id = (next_generation++ << ENV_GEN_SHIFT) | (slot + 1);
	*out = e;
	return 0;
}

/* Maps fresh zeroed pages over [lo, hi) unless already mapped, and adds
 * `perm` to every page's permissions (segments may share a page). The
 * pages are guarded by the environment's own guard. */
static int map_zeroed(struct env *e, uint64_t lo, uint64_t hi, uint64_t perm)
{
	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		uint64_t pte = pmap_lookup(e->pml4_pa, va), pa;
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
		phys_pages.pages[pa / PAGE_SIZE].kernel = 0;
		phys_pages.pages[pa / PAGE_SIZE].guard = e->pub->guard;
		r = pmap_insert(e->pml4_pa, va, pa, perm);
		page_release(pa); /* the mapping holds it now */
		if (r)
			return r;
	}
	return 0;
}

static int load_elf(struct env *e, const struct elf_info *info,
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
		if ((r = map_zeroed(e, lo, hi, perm)))
			return r;
		/* Written through the direct map, whatever the user
		 * permissions of the pages. */
		for (uint64_t off = 0; off < ph->filesz;) {
			uint64_t va = ph->vaddr + off;
			uint64_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));

			if (n > ph->filesz - off)
				n = ph->filesz - off;
			memcpy(kaddr((pmap_lookup(e->pml4_pa, va) & PTE_ADDR) |
				     (va & (PAGE_SIZE - 1))),
			       file + ph->offset + off, n);
			off += n;
		}
	}
	return 0;
}

/* Maps the stack and copies `arg` to its top; sets %rdi and %rsp. */
static int setup_stack(struct env *e, const char *arg)
{
	size_t len = strlen(arg) + 1;
	uint64_t bottom = XOK_USTACK_TOP - XOK_USTACK_PAGES * PAGE_SIZE;
	uint64_t at = (XOK_USTACK_TOP - len) & ~15ull;
	int r;

	if (len > PAGE_SIZE / 2)
		return E_INVAL;
	if ((r = map_zeroed(e, bottom, XOK_USTACK_TOP, PTE_W | PTE_NX)))
		return r;
	if ((r = copy_to_user(e->pml4_pa, at, arg, len)))
		return r;
	e->tf.rdi = at;
	e->tf.rsp = at - 8; /* as after a call: %rsp + 8 is 16-byte aligned */
	return 0;
}

int env_create(const char *name, const void *elf, size_t size,
	       const char *arg, struct env **out)
{
	struct xok_cap root = cap_root();
	struct xok_guard everyone = cap_guard(&root);
	struct elf_info info;
	struct env *e;
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
	if ((r = env_alloc(0, &everyone, &e)))
		return r;
	size_t n = strnlen(name, sizeof(e->pub->name) - 1);
	memcpy(e->pub->name, name, n);
	if ((r = load_elf(e, &info, elf)) || (r = setup_stack(e, arg))) {
		env_destroy(e, r);
		return r;
	}
	e->tf.rip = info.entry;
	e->pub->caps[0] = root;
	env_set_status(e, XOK_ENV_RUNNABLE);
	*out = e;
	return 0;
}

/* Releases what one environment holds; its children are already gone. */
static void env_free(struct env *e, int64_t status)
{
	struct cpu *c = thiscpu();
	unsigned slot = e - envs;

	/* The kernel reports on the environments it started; how the others
	 * end is their creators' business (ExOS's shell would drown in it). */
	if (!e->pub->parent)
		cprintf("xok: env %#lx (%s) exited with status %ld\n",
			e->pub->id, e->pub->name, status);
	sched_env_gone(e);
	disk_env_gone(e->pub->id);
	for (int i = 0; i < NENV; i++)
		if (envs[i].view == e->pub->id && exp_envs[i].id) {
			envs[i].view = 0;
			pmap_set_view(envs[i].pml4_pa, 0);
		}
	export_unmap(XOK_UAREAS + slot * PAGE_SIZE);
	pmap_destroy(e->pml4_pa);
	page_release(e->uarea_pa);
	if (e->is_first)
		sched_set_exit_code(status == 0 ? EXIT_PASS : EXIT_FAIL);
	if (c->cur == e)
		c->cur = 0;
	if (c->fpu_env == e)
		c->fpu_env = 0;
	memset(e->pub, 0, sizeof(*e->pub));
	exp_clock.status_changes++; /* it is gone */
}

void env_destroy(struct env *e, int64_t status)
{
	uint64_t id = e->pub->id;

	/* Children first, so that none outlives its parent even briefly. */
	for (int i = 0; i < NENV; i++)
		if (exp_envs[i].id && exp_envs[i].parent == id)
			env_destroy(&envs[i], status);
	env_free(e, status);
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

	if (c->timer_missed) {
		/* The slice ended while the kernel waited with interrupts
		 * on: end it now, as the timer would have. (Re-arming the
		 * timer instead can lose the race again on a slow machine.) */
		c->timer_missed = 0;
		c->cur = e;
		sched_timer();
	}

	if (rcr3() != e->pml4_pa)
		lcr3(e->pml4_pa);
	if (c->cur != e)
		wrmsr(MSR_FS_BASE, e->fs_base);
	c->cur = e;
	exp_slices[c->id].running = e->pub->id;
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
