/*
 * ckpt: see ckpt.h.
 */
#include "ckpt.h"

#include "../bin/rt/rt.h"
#include "space.h"
#include "state.h"
#include "walk.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
static int64_t count(uint64_t va, uint64_t pte, void *n)
{
	(void)va, (void)pte;
	++*(uint64_t *)n;
	return 0;
}

struct saving {
	uint64_t id;
	struct nest_ckpt_hdr *hdr;
	uint64_t done;
};

static int64_t save_page(uint64_t va, uint64_t pte, void *arg)
{
	struct saving *s = arg;
	struct nest_ckpt_page *pages = (struct nest_ckpt_page *)(s->hdr + 1);
	uint8_t *data = (uint8_t *)s->hdr + nest_ckpt_data(s->hdr->npages);

	pages[s->done] = (struct nest_ckpt_page){ va, pte & XOK_PTE_USER_BITS };
	/* nest_peek views the same environment: the walk's view stays. */
	return nest_peek(s->id, va, data + s->done++ * XOK_PAGE_SIZE,
			 XOK_PAGE_SIZE);
}

int64_t nest_ckpt_save(uint64_t id, void *buf, uint64_t size)
{
	struct saving s = { .id = id, .hdr = buf };
	uint64_t n = 0, len;
	int64_t r;

	if (ENVS[xok_env_slot(id)].status != XOK_ENV_STOPPED)
		return E_STATE;
	if ((r = nest_walk(id, count, &n)) < 0)
		return r;
	len = nest_ckpt_data(n) + n * XOK_PAGE_SIZE;
	if (len > size)
		return E_NOMEM;
	*s.hdr = (struct nest_ckpt_hdr){ .magic = NEST_CKPT_MAGIC, .npages = n,
		.rights = ENVS[xok_env_slot(id)].caps[0].rights };
	if ((r = nest_get_regs(id, &s.hdr->st)) < 0 ||
	    (r = nest_walk(id, save_page, &s)) < 0)
		return r;
	return s.done == n ? (int64_t)len : E_STATE;
}

/* Reads `n` bytes at `off` of the checkpoint in `from` into `buf`. */
static int64_t fetch(uint64_t from, uint64_t va, uint64_t len, uint64_t off,
		     void *buf, uint64_t n)
{
	if (off > len || n > len - off)
		return E_INVAL;
	return nest_peek(from, va + off, buf, n);
}

static int64_t restore_into(unsigned slot, uint64_t id, uint64_t window,
			    uint64_t from, uint64_t va, uint64_t len)
{
	struct nest_ckpt_hdr h;
	int64_t r;

	if ((r = fetch(from, va, len, 0, &h, sizeof(h))) < 0)
		return r;
	if (h.magic != NEST_CKPT_MAGIC ||
	    nest_ckpt_data(h.npages) + h.npages * XOK_PAGE_SIZE > len)
		return E_INVAL;
	for (uint64_t i = 0; i < h.npages; i++) {
		struct nest_ckpt_page p;

		if ((r = fetch(from, va, len, sizeof(h) + i * sizeof(p), &p,
			       sizeof(p))) < 0 ||
		    (r = nest_space_page(slot, id, p.va, p.perm)) < 0)
			return r;
		r = fetch(from, va, len, nest_ckpt_data(h.npages) +
			  i * XOK_PAGE_SIZE, (void *)NEST_COPY_VA,
			  XOK_PAGE_SIZE);
		xok_page_unmap(0, 0, NEST_COPY_VA);
		if (r < 0)
			return r;
	}
	if ((r = nest_space_adopt(slot, id, h.rights, window)) < 0)
		return r;
	return xok_env_set(0, id, &h.st, XOK_SET_ALL);
}

int64_t nest_ckpt_restore(unsigned slot, uint32_t name, uint64_t window,
			  uint64_t from, uint64_t va, uint64_t len)
{
	int64_t id = nest_space_alloc(slot, name), r;

	if (id < 0)
		return id;
	if ((r = restore_into(slot, (uint64_t)id, window, from, va, len)) < 0) {
		nest_space_undo((uint64_t)id, window);
		return r;
	}
	return id;
}

/* A nester's server: the environment its main one created, or 0. */
static uint64_t server_of(uint64_t main)
{
	for (unsigned i = 0; i < XOK_NENV; i++)
		if (ENVS[i].id && ENVS[i].parent == main)
			return ENVS[i].id;
	return 0;
}

/* Whether environment slot `i` is a nester's main (it holds W). */
static int is_nester(unsigned i)
{
	return (ENVS[i].caps[0].rights & XOK_CAP_W) != 0;
}

/* Stops each child of `server`, a nester among them with its subtree. */
static int64_t stop_children(uint64_t server)
{
	for (unsigned i = 0; i < XOK_NENV; i++) {
		int64_t r;

		if (!ENVS[i].id || ENVS[i].parent != server)
			continue;
		r = is_nester(i) ? nest_stop_tree(ENVS[i].id)
				 : nest_stop(ENVS[i].id);
		if (r < 0)
			return r;
	}
	return ENVS[xok_env_slot(server)].ipc_caller ? E_STATE : 0;
}

int64_t nest_stop_tree(uint64_t id)
{
	uint64_t server = server_of(id);
	int64_t r;

	if (!server)
		return E_INVAL;
	if ((r = nest_stop(id)) < 0)
		return r;
	if ((r = stop_children(server)) < 0)
		nest_restart(id); /* so that its subtree may move on */
	return r;
}

/* Appends environment `id`'s checkpoint to the tree at *off: its tree
 * if it is a nester child (`tree`). */
static int64_t save_part(struct nest_tree_hdr *h, uint64_t id, int tree,
			 uint64_t size, uint64_t *off)
{
	int64_t len;

	if (h->nparts == 1 + NEST_MAXCHILD || *off > size)
		return E_NOMEM;
	len = (tree ? nest_ckpt_save_tree : nest_ckpt_save)(
		id, (uint8_t *)h + *off, size - *off);
	if (len < 0)
		return len;
	h->part[h->nparts++] = (struct nest_tree_part){ .was = id, .off = *off,
		.len = (uint64_t)len };
	*off += (uint64_t)len; /* pages: the next part is aligned */
	return 0;
}

int64_t nest_ckpt_save_tree(uint64_t id, void *buf, uint64_t size)
{
	struct nest_tree_hdr *h = buf;
	uint64_t server = server_of(id), off = XOK_PAGE_SIZE;
	int64_t r;

	if (!server)
		return E_INVAL;
	if (size < off)
		return E_NOMEM;
	*h = (struct nest_tree_hdr){ .magic = NEST_TREE_MAGIC };
	if ((r = save_part(h, id, 0, size, &off)) < 0)
		return r;
	for (unsigned i = 0; i < XOK_NENV; i++)
		if (ENVS[i].id && ENVS[i].parent == server &&
		    (r = save_part(h, ENVS[i].id, is_nester(i), size, &off)) < 0)
			return r;
	return (int64_t)off;
}

unsigned nest_tree_envs(const struct nest_tree_hdr *h, uint64_t len, int now,
			uint64_t ids[], unsigned max)
{
	unsigned n = 0;

	for (uint64_t i = 0; i < h->nparts && i <= NEST_MAXCHILD && n < max;
	     i++) {
		const struct nest_tree_part *p = &h->part[i];
		const void *part = (const uint8_t *)h + p->off;
		int inside = p->off <= len && p->len <= len - p->off &&
			     p->len >= sizeof(*h);

		if (i && inside && nest_is_tree(part))
			n += nest_tree_envs(part, p->len, now, ids + n,
					    max - n);
		else
			ids[n++] = now ? p->now : p->was;
	}
	return n;
}
