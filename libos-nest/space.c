/*
 * space: see space.h.
 */
#include "space.h"

#include "../bin/rt/rt.h"
#include "child.h"
#include "walk.h"

/* The image of this program, from the linker, and the rt entry that
 * calls fn(arg) (bin/rt/upcall.S). */
extern char __executable_start[], _end[], rt_child_entry[], rt_upcall_fault[];

#define STACK_PAGES 4
#define XSTACK_PAGES (XOK_XSTACK_SIZE / XOK_PAGE_SIZE)

int64_t nest_space_page(unsigned slot, uint64_t env, uint64_t va,
			uint64_t perm)
{
	int64_t pfn = xok_page_alloc(slot, env, va, perm, XOK_PFN_ANY), r;

	if (pfn < 0)
		return pfn;
	if ((r = xok_page_map(0, 0, NEST_COPY_VA, slot, (uint64_t)pfn,
			      XOK_PTE_W | XOK_PTE_NX)) < 0)
		return r;
	return pfn;
}

/* The same, filled with the page at `src` (0: left zeroed). */
static int64_t copy_page(unsigned slot, uint64_t env, uint64_t va,
			 uint64_t perm, const void *src)
{
	int64_t pfn;

	if (!src)
		return xok_page_alloc(slot, env, va, perm, XOK_PFN_ANY);
	if ((pfn = nest_space_page(slot, env, va, perm)) < 0)
		return pfn;
	memcpy((void *)NEST_COPY_VA, src, XOK_PAGE_SIZE);
	xok_page_unmap(0, 0, NEST_COPY_VA);
	return pfn;
}

/* Copies this image into `env`, with the permissions it has here. */
static int64_t copy_image(unsigned slot, uint64_t env)
{
	uint64_t va = (uint64_t)__executable_start & ~(XOK_PAGE_SIZE - 1);

	for (; va < (uint64_t)_end; va += XOK_PAGE_SIZE) {
		uint64_t pte = rt_pte(va);
		int64_t r;

		if ((pte & XOK_PTE_P) &&
		    (r = copy_page(slot, env, va, pte & XOK_PTE_USER_BITS,
				   (const void *)va)) < 0)
			return r;
	}
	return 0;
}

/* Zeroed writable pages [top - n pages, top) in `env`. */
static int64_t stack_pages(unsigned slot, uint64_t env, uint64_t top,
			   unsigned n)
{
	for (unsigned i = 1; i <= n; i++) {
		int64_t r = copy_page(slot, env, top - i * XOK_PAGE_SIZE,
				      XOK_PTE_W | XOK_PTE_NX, 0);

		if (r < 0)
			return r;
	}
	return 0;
}

int64_t nest_space_adopt(unsigned slot, uint64_t id, uint64_t rights,
			 uint64_t window)
{
	struct xok_cap c = RT_SELF->caps[slot];
	uint64_t msg = rt_pte_of(id, (uint64_t)&nest_msg);
	int64_t r;

	if (!(msg & XOK_PTE_P))
		return E_INVAL;
	if ((r = xok_page_map(0, 0, window, slot,
			      (msg & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT,
			      XOK_PTE_W | XOK_PTE_NX)) < 0)
		return r;
	c.rights = (uint8_t)(rights & XOK_CAP_RIGHTS);
	return xok_cap_grant(slot, 0, id, 0, &c);
}

int64_t nest_space_alloc(unsigned slot, uint32_t name)
{
	struct xok_cap c = RT_SELF->caps[0];
	int64_t r;

	if (!c.valid || c.len >= XOK_CAP_MAXLEN)
		return E_PERM; /* no name left to give below mine */
	c.name[c.len++] = name;
	c.rights = XOK_CAP_RIGHTS;
	if ((r = xok_cap_grant(0, 0, 0, slot, &c)) < 0)
		return r;
	return xok_env_alloc(slot, 0);
}

void nest_space_undo(uint64_t id, uint64_t window)
{
	xok_page_unmap(0, 0, window);
	xok_env_destroy(0, id);
}

/* Gives the child its image, stacks and message page (holding `spec`),
 * its capability, registers that enter nest_child_main, and rt's fault
 * upcall (the child cannot install one: its capability has no W). */
static int64_t fill(unsigned slot, int writer, uint64_t id, const char *spec,
		    uint64_t window)
{
	struct xok_env_state st = { 0 };
	int64_t r;

	if ((r = copy_image(slot, id)) < 0 ||
	    (r = stack_pages(slot, id, XOK_USTACK_TOP, STACK_PAGES)) < 0 ||
	    (r = stack_pages(slot, id, RT_XSTACK_TOP, XSTACK_PAGES)) < 0 ||
	    (r = nest_space_adopt(slot, id, writer ? XOK_CAP_RIGHTS : XOK_CAP_R,
				  window)) < 0)
		return r;
	memcpy(((struct nest_msg *)window)->path, spec, strlen(spec) + 1);
	st.tf.rip = (uint64_t)rt_child_entry;
	st.tf.rsp = XOK_USTACK_TOP;
	st.tf.rdi = (uint64_t)nest_child_main;
	st.upcall[XOK_UPCALL_FAULT] = (uint64_t)rt_upcall_fault;
	st.xstack_top = RT_XSTACK_TOP;
	return xok_env_set(0, id, &st, XOK_SET_REGS | XOK_SET_UPCALLS);
}

int64_t nest_space_create(unsigned slot, uint32_t name, int writer,
			  const char *spec, uint64_t window)
{
	int64_t id = nest_space_alloc(slot, name), r;

	if (id < 0)
		return id;
	if ((r = fill(slot, writer, (uint64_t)id, spec, window)) < 0) {
		nest_space_undo((uint64_t)id, window);
		return r;
	}
	return id;
}

static int64_t unmap_one(uint64_t va, uint64_t pte, void *id)
{
	(void)pte;
	return xok_page_unmap(0, *(uint64_t *)id, va);
}

int64_t nest_space_exec(unsigned slot, uint64_t id, int writer,
			const char *spec, uint64_t window)
{
	int64_t r = nest_walk(id, unmap_one, &id);

	return r < 0 ? r : fill(slot, writer, id, spec, window);
}
