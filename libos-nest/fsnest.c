/*
 * fsnest: see fsnest.h.
 */
#include "fsnest.h"

#include "../bin/rt/rt.h"
#include "../libfs-cffs/xnmount.h"
#include "call.h"
#include "file.h"
#include "memory.h"
#include "segment.h"
#include "space.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
/* The server's C-FFS instance and its name index. */
struct fs_state {
	struct xnblk x;
	struct cffs_dindex index;
};
#define STATE_PAGES ((sizeof(struct fs_state) + XOK_PAGE_SIZE - 1) / XOK_PAGE_SIZE)
#define RECS_MAX (sizeof(nest_msg.data) / sizeof(struct nest_fs_rec))

/* Shared by the two environments, but only the server touches fs. */
static struct nest_fs fs;
static char folder[NEST_PATH_MAX];
static int64_t mounted = 1; /* 1: not tried yet; then 0 or the error */
volatile uint64_t nest_fsnest_calls;

static int alive(uint64_t id)
{
	return ENVS[xok_env_slot(id)].id == id;
}

/* The server's C-FFS instance, in pages of its own (too big to copy
 * into every child with the image). */
static int64_t mount(void)
{
	struct fs_state *st = (struct fs_state *)NEST_FS_STATE_VA;

	if (mounted <= 0)
		return mounted;
	for (uint64_t i = 0; i < STATE_PAGES; i++) {
		int64_t r = xok_page_alloc(0, 0, NEST_FS_STATE_VA +
					   i * XOK_PAGE_SIZE,
					   XOK_PTE_W | XOK_PTE_NX, XOK_PFN_ANY);

		if (r < 0)
			return mounted = r;
	}
	if ((mounted = xnmount_cffs(&st->x, &st->index, "files",
				    NEST_FS_WINDOW_VA, 0)) ||
	    (mounted = nest_fs_init(&fs, &st->x.blk, folder, alive)))
		return mounted;
	return 0;
}

/* Unmaps [va, va + pages) in `env`. */
static void unmap_range(uint64_t env, uint64_t va, uint64_t pages)
{
	for (uint64_t p = 0; p < pages; p++)
		xok_page_unmap(0, env, va + p * XOK_PAGE_SIZE);
}

/* FileDescription MAP a = handle, va, pages for `owner` in child c's
 * subtree: fresh pages named for it, filled from the file while mapped
 * here at NEST_COPY_VA, mapped read-only there; all undone on an error. */
static int64_t map_file(struct nester *n, struct nest_child *c,
			uint64_t owner, const uint64_t a[3])
{
	uint64_t va = a[1], pages = a[2], done = 0, p;
	int64_t slot, r;

	if (!nest_map_range_ok(va, pages))
		return E_INVAL;
	if ((r = nest_fs_map_read(&fs, owner, a[0], 0, 0, 0)) < 0 ||
	    (r = nest_memory_room(n, c, pages)) < 0)
		return r;
	if ((slot = nest_memory_name(n, c, owner)) < 0)
		return slot;
	for (p = 0; p < pages; p++, done += (uint64_t)r) {
		if ((r = nest_space_page((unsigned)slot, owner,
					 va + p * XOK_PAGE_SIZE,
					 XOK_PTE_NX)) < 0)
			break;
		r = nest_fs_map_read(&fs, owner, a[0], p * XOK_PAGE_SIZE,
				     (void *)NEST_COPY_VA, XOK_PAGE_SIZE);
		xok_page_unmap(0, 0, NEST_COPY_VA);
		if (r < 0)
			break;
	}
	if (r < 0) {
		unmap_range(owner, va, p + 1); /* page p may be there */
		return r;
	}
	c->pages += (uint32_t)pages;
	return (int64_t)done;
}

/* A file call of the subtree's (for msg.subject, checked) or of the
 * main environment's (for itself, on the whole file system). */
static int64_t serve_files(struct nester *n, struct nest_req *rq)
{
	uint64_t owner = rq->from ? nest_req_subject(rq) : rq->caller;
	int64_t r;

	if (!owner)
		return E_PERM;
	nest_fsnest_calls += rq->from != 0;
	if ((r = mount()) < 0)
		return r;
	if (rq->op == NEST_FD_MAP)
		return rq->from ? map_file(n, rq->from, owner, rq->a) : E_PERM;
	r = nest_fs_call(&fs, owner, !rq->from, rq->op, rq->a, rq->msg);
	if (rq->op == NEST_FS_SYNC && r == 0)
		r = xok_xn_sync(0);
	return r;
}

/* Is `id` a child or in a child's subtree (a nester child's own)? */
static int in_subtree(const struct nester *n, uint64_t id)
{
	for (unsigned i = 0; i < NEST_MAXCHILD; i++)
		if (n->child[i].env && nest_in_subtree(id, n->child[i].env))
			return 1;
	return 0;
}

/* NEST_FILES_SAVE and NEST_FILES_ADOPT, from the main environment. */
static int64_t serve_main(struct nester *n, struct nest_req *rq)
{
	struct nest_fs_rec *recs = (struct nest_fs_rec *)nest_msg.data;
	int64_t r;

	if (rq->caller != n->main)
		return E_PERM;
	if ((r = mount()) < 0)
		return r;
	if (rq->op == NEST_FILES_SAVE) {
		r = nest_fs_save(&fs, rq->a[0], recs, RECS_MAX);
		nest_msg.len = (uint64_t)r * sizeof(*recs);
		return r;
	}
	if (rq->a[1] > RECS_MAX || !in_subtree(n, rq->a[0]))
		return E_INVAL;
	return nest_fs_adopt(&fs, rq->a[0], recs, (unsigned)rq->a[1]);
}

int64_t nest_fsnest_serve(struct nester *n, struct nest_req *rq)
{
	switch (NEST_PROTO_OF(rq->op)) {
	case NEST_FS:
	case NEST_FD:
		return serve_files(n, rq);
	default:
		if (rq->op == NEST_FILES_SAVE || rq->op == NEST_FILES_ADOPT)
			return serve_main(n, rq);
		return nester_default(n, rq);
	}
}

int nest_fsnest_start(const char *path, uint32_t quota)
{
	int r;

	if (path[0] != '/' || strlen(path) >= sizeof(folder))
		return E_INVAL;
	memcpy(folder, path, strlen(path) + 1);
	if ((r = nester_start(nest_fsnest_serve, quota)) == 0)
		nest_files_at = nester.server;
	return r;
}

int64_t nest_fsnest_save(uint64_t id, struct nest_fs_rec *out, unsigned max)
{
	int64_t r = nest_call(nester.server, NEST_FILES_SAVE, id, 0, 0);

	if (r > (int64_t)max)
		return E_NOMEM;
	if (r > 0)
		memcpy(out, nest_msg.data, (uint64_t)r * sizeof(*out));
	return r;
}

int64_t nest_fsnest_adopt(uint64_t id, const struct nest_fs_rec *in,
			  unsigned n)
{
	if (n > RECS_MAX)
		return E_INVAL;
	memcpy(nest_msg.data, in, n * sizeof(*in));
	return nest_call(nester.server, NEST_FILES_ADOPT, id, n, 0);
}
