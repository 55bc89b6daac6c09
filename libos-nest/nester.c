/*
 * nester: see nester.h. The server's side: who may call, the default
 * service (Parent, Process; Memory and files forwarded), forwarding.
 * The main environment's side: starting, running, waiting, killing.
 */
#include "nester.h"

#include "../bin/rt/rt.h"
#include "call.h"
#include "child.h"
#include "ckpt.h"
#include "memory.h"
#include "space.h"
#include "state.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

struct nester nester;

static unsigned entry_slot(const struct nester *n, const struct nest_child *c)
{
	return (unsigned)(c - n->child) + 1;
}

static uint64_t window_of(const struct nester *n, const struct nest_child *c)
{
	return NEST_WINDOW + (entry_slot(n, c) - 1) * XOK_PAGE_SIZE;
}

static int alive(uint64_t id)
{
	return ENVS[xok_env_slot(id)].id == id;
}

/* The entry of child `id` (or of the one it was before a restore), or 0. */
static struct nest_child *entry_of(struct nester *n, uint64_t id)
{
	for (unsigned i = 0; i < NEST_MAXCHILD; i++)
		if (id && (n->child[i].env == id || n->child[i].was == id))
			return &n->child[i];
	return 0;
}

/* The child a caller speaks for: itself, or the child whose helper it is
 * (an environment the child created, such as its own server). */
static struct nest_child *child_of(struct nester *n, uint64_t caller)
{
	struct nest_child *c = entry_of(n, caller);

	return c ? c : entry_of(n, ENVS[xok_env_slot(caller)].parent);
}

/* Gives an entry's capability slot and window back. Works from either of
 * the nester's environments: both control the server. */
static void release(struct nester *n, struct nest_child *c)
{
	xok_page_unmap(0, n->server, window_of(n, c));
	xok_cap_clear(0, n->server, entry_slot(n, c));
	*c = (struct nest_child){ 0 };
	nest_memory_reclaim(n);
}

/* How a child is made in entry slot `slot`: nest_space_create's or
 * nest_ckpt_restore's way. */
struct builder {
	int64_t (*build)(const struct builder *b, unsigned slot, uint32_t name,
			 uint64_t window);
	const char *spec;
	int writer;
	uint64_t from, va, len;
};

static int64_t from_spec(const struct builder *b, unsigned slot,
			 uint32_t name, uint64_t window)
{
	return nest_space_create(slot, name, b->writer, b->spec, window);
}

static int64_t from_ckpt(const struct builder *b, unsigned slot,
			 uint32_t name, uint64_t window)
{
	return nest_ckpt_restore(slot, name, window, b->from, b->va, b->len);
}

/* Makes a child in a free entry, for `creator`, and lends it CPU. */
static int64_t add_child(struct nester *n, uint64_t creator,
			 const struct builder *b)
{
	struct nest_child *c = 0;
	int64_t id;

	for (unsigned i = 0; i < NEST_MAXCHILD && !c; i++)
		if (!n->child[i].env)
			c = &n->child[i];
	if (!c)
		return E_AGAIN;
	id = b->build(b, entry_slot(n, c), ++n->next_name, window_of(n, c));
	if (id < 0)
		return id;
	*c = (struct nest_child){ .env = (uint64_t)id, .creator = creator,
		.msg = (struct nest_msg *)window_of(n, c) };
	if (nest_sched_add(&n->sched, (uint64_t)id, 0) < 0 ||
	    xok_env_status(0, (uint64_t)id, XOK_ENV_RUNNABLE) < 0) {
		xok_env_destroy(0, (uint64_t)id);
		release(n, c);
		return E_AGAIN;
	}
	return id;
}

static int64_t create(struct nester *n, struct nest_req *rq)
{
	const struct nest_prog *p;
	char spec[NEST_PATH_MAX];
	struct builder b = { .build = from_spec, .spec = spec };

	memcpy(spec, rq->msg->path, sizeof(spec));
	spec[sizeof(spec) - 1] = 0;
	if (!(p = nest_prog_find(spec)))
		return E_INVAL;
	b.writer = p->nester;
	return add_child(n, rq->caller, &b);
}

/* Has `id` environments of its own (a nester's server)? */
static int has_children(uint64_t id)
{
	for (unsigned i = 0; i < XOK_NENV; i++)
		if (ENVS[i].id && ENVS[i].parent == id)
			return 1;
	return 0;
}

/* EXEC: the calling child made again in place from msg.path. Past the
 * point where its memory is gone, a failure ends it. */
static int64_t exec(struct nester *n, struct nest_req *rq)
{
	struct nest_child *c = rq->from;
	const struct nest_prog *p;
	char spec[NEST_PATH_MAX];
	int64_t r;

	if (!c || c->env != rq->caller)
		return E_PERM;
	memcpy(spec, rq->msg->path, sizeof(spec));
	spec[sizeof(spec) - 1] = 0;
	if (!(p = nest_prog_find(spec)))
		return E_INVAL;
	if (has_children(c->env))
		return E_STATE; /* not E_BUSY: nest_call would call again */
	c->pages = 0;
	if ((r = nest_space_exec(entry_slot(n, c), c->env, p->nester, spec,
				 window_of(n, c))) < 0) {
		c->status = r;
		c->exited = 1;
		xok_env_destroy(0, c->env);
	}
	return 0; /* the new program ignores it */
}

/* WAIT's answer for entry `c`, releasing it once gone. */
static int64_t reap(struct nester *n, struct nest_child *c)
{
	int64_t status = c->exited ? c->status : -1;

	if (alive(c->env))
		return E_AGAIN;
	release(n, c);
	return status;
}

static int64_t serve_process(struct nester *n, struct nest_req *rq)
{
	struct nest_child *c;

	switch (rq->op) {
	case NEST_PROC_CREATE:
		return create(n, rq);
	case NEST_PROC_EXEC:
		return exec(n, rq);
	case NEST_PROC_WAIT:
		c = entry_of(n, rq->a[0]);
		if (!c || c->creator != rq->caller)
			return E_BADENV;
		return reap(n, c);
	case NEST_PROC_EXIT:
		if (!rq->from)
			return E_PERM;
		rq->from->status = (int64_t)rq->a[0];
		rq->from->exited = 1;
		return 0;
	default:
		return E_NOSYS;
	}
}

int64_t nester_default(struct nester *n, struct nest_req *rq)
{
	struct builder restore = { .build = from_ckpt, .from = n->main,
		.va = rq->a[0], .len = rq->a[1] };

	switch (NEST_PROTO_OF(rq->op)) {
	case NEST_PROTO_OF(NEST_RESTORE):
		if (rq->op != NEST_RESTORE || rq->caller != n->main)
			return E_PERM;
		return add_child(n, n->main, &restore);
	case NEST_PARENT:
		return rq->op <= NEST_GET_FS ? (int64_t)n->server : E_NOSYS;
	case NEST_PROCESS:
		return serve_process(n, rq);
	case NEST_MEMORY:
		if (!nest_parent())
			return nest_memory_serve(n, rq);
		return nester_forward(n, rq);
	default:
		return nest_parent() ? nester_forward(n, rq) : E_NOSYS;
	}
}

int64_t nester_forward(struct nester *n, struct nest_req *rq)
{
	uint64_t len = rq->msg->len < sizeof(rq->msg->data) ?
		rq->msg->len : sizeof(rq->msg->data);
	int64_t r;

	(void)n;
	if (rq->msg != &nest_msg)
		memcpy(&nest_msg, rq->msg, NEST_MSG_HEADER + len);
	r = nest_call(nest_parent(), rq->op, rq->a[0], rq->a[1], rq->a[2]);
	len = nest_msg.len < sizeof(nest_msg.data) ? nest_msg.len :
		sizeof(nest_msg.data);
	if (rq->msg != &nest_msg)
		memcpy(rq->msg, &nest_msg, NEST_MSG_HEADER + len);
	memcpy(rq->out, RT_UAREA->ipc_reply, sizeof(rq->out));
	return r;
}

/* The server's IPC upcall: one protocol call. Replying with ipc_return
 * leaves the handler too: the server has no time of its own. */
static void serve_call(struct xok_upcall_frame *f, uint64_t caller,
		       uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct nester *n = &nester;
	struct nest_req rq = { .caller = caller, .op = op,
		.a = { a1, a2, a3 } };
	int64_t r = E_PERM;

	if (caller == n->main)
		rq.msg = &nest_msg;
	else if ((rq.from = child_of(n, caller)))
		rq.msg = rq.from->msg;
	if (rq.msg)
		r = n->serve ? n->serve(n, &rq) : nester_default(n, &rq);
	xok_ipc_return((uint64_t)r, rq.out[0], rq.out[1], rq.out[2], f);
}

static void server_main(uint64_t unused)
{
	struct xok_env_state st = { .ipc_accept = XOK_IPC_ANY };

	(void)unused;
	xok_env_set(0, 0, &st, XOK_SET_IPC);
	rt_sleep_forever();
}

/* Starts this (main) environment's server, holding its capability. */
static int64_t start_server(struct nester *n)
{
	struct xok_cap mine = RT_SELF->caps[0];
	int64_t s, r;

	if ((s = rt_spawn(server_main, 0)) < 0)
		return s;
	if ((r = xok_cap_grant(0, 0, (uint64_t)s, 0, &mine)) < 0) {
		xok_env_destroy(0, (uint64_t)s);
		return r;
	}
	n->server = (uint64_t)s;
	rt_donate(n->server); /* into its sleep: BLOCKED */
	return 0;
}

int nester_start(nest_serve_fn serve, uint32_t quota)
{
	int64_t r;

	nester = (struct nester){ .main = (uint64_t)xok_getenvid(),
		.serve = serve, .quota = quota };
	nest_main = nester.main;
	nest_sched_init(&nester.sched, &nest_round_robin, 0);
	rt_upcall_handlers[XOK_UPCALL_IPC] = serve_call;
	if ((r = rt_upcalls_install()) < 0 || (r = start_server(&nester)) < 0)
		return (int)r;
	return 0;
}

void nester_stop(void)
{
	xok_env_destroy(0, nester.server);
	nester.server = 0;
	for (unsigned i = 0; i < NEST_MAXCHILD; i++)
		nester.child[i] = (struct nest_child){ 0 };
}

int64_t nester_spawn(const char *spec)
{
	if (strlen(spec) >= NEST_PATH_MAX)
		return E_INVAL;
	memcpy(nest_msg.path, spec, strlen(spec) + 1);
	return nest_call(nester.server, NEST_PROC_CREATE, 0, 0, 0);
}

struct stop_arg {
	int (*stop)(void *arg);
	void *arg;
};

static int sched_stop(const struct nest_sched *s, void *arg)
{
	const struct stop_arg *sa = arg;

	(void)s;
	return sa->stop && sa->stop(sa->arg);
}

void nester_run(int (*stop)(void *arg), void *arg)
{
	struct stop_arg sa = { stop, arg };

	nest_sched_run(&nester.sched, sched_stop, &sa);
}

int64_t nester_wait(uint64_t id)
{
	struct nest_child *c = entry_of(&nester, id);

	return c ? reap(&nester, c) : E_BADENV;
}

int64_t nester_restore(const void *ckpt, uint64_t len)
{
	return nest_call(nester.server, NEST_RESTORE, (uint64_t)ckpt, len, 0);
}

int64_t nester_kill(uint64_t id)
{
	struct nest_child *c = entry_of(&nester, id);

	if (!c)
		return E_BADENV;
	xok_env_destroy(0, id);
	release(&nester, c);
	return 0;
}

/* The id that replaces `was` after a rebuild: the new main environment's
 * for the old one's, a child's new one for its old one, else `was`. */
static uint64_t renamed(struct nester *n, uint64_t old_main, uint64_t was)
{
	struct nest_child *c = entry_of(n, was);

	if (was == old_main)
		return n->main;
	return c && c->was == was ? c->env : was;
}

/* Makes again, from the tree's part `p` (a nester child's subtree from
 * a tree), the child entry `old` held. */
static int64_t remake(struct nester *n, struct nest_tree_hdr *h,
		      struct nest_tree_part *p)
{
	struct nest_child *c = entry_of(n, p->was), old;
	void *part;
	int64_t id;

	if (!c)
		return E_INVAL;
	old = *c;
	*c = (struct nest_child){ 0 };
	part = (uint8_t *)h + p->off;
	id = nest_is_tree(part) ? nester_restore_tree(part, p->len)
				: nester_restore(part, p->len);
	if (id < 0)
		return id;
	p->now = (uint64_t)id;
	c = entry_of(n, (uint64_t)id);
	c->was = p->was;
	c->creator = old.creator;
	c->pages = old.pages;
	return 0;
}

void nester_rebuild(struct nest_tree_hdr *h)
{
	struct nester *n = &nester;
	uint64_t old_main = n->main;
	int64_t r;

	n->main = nest_main = (uint64_t)xok_getenvid();
	nest_sched_init(&n->sched, &nest_round_robin, 0);
	r = start_server(n);
	/* Nester children first: restoring one runs this nester's children
	 * until it has rebuilt. */
	for (int trees = 1; trees >= 0; trees--)
		for (uint64_t i = 1; i < h->nparts && r == 0; i++)
			if (nest_is_tree((uint8_t *)h + h->part[i].off) == trees)
				r = remake(n, h, &h->part[i]);
	for (unsigned i = 0; i < NEST_MAXCHILD; i++)
		if (n->child[i].env)
			n->child[i].creator =
				renamed(n, old_main, n->child[i].creator);
	h->rebuilt = r;
	for (;;)
		xok_env_status(0, 0, XOK_ENV_STOPPED);
}

/* Has child *id stopped itself (or gone, if its rebuild failed)? */
static int stopped(void *id)
{
	const volatile struct xok_env *e = &ENVS[xok_env_slot(*(uint64_t *)id)];

	return e->id != *(uint64_t *)id || e->status == XOK_ENV_STOPPED;
}

/* Maps `len` bytes of zeroed pages at NEST_REBUILD_VA in child `id`,
 * named by its capability (its server reads them), and copies `tree`
 * there; 0 or an error. */
static int64_t hand_tree(uint64_t id, const void *tree, uint64_t len)
{
	struct xok_cap cap = *(const struct xok_cap *)&ENVS[xok_env_slot(id)]
					 .caps[0];
	int64_t r;

	cap.rights = XOK_CAP_RIGHTS;
	if ((r = xok_cap_grant(0, 0, 0, NEST_NAME_SLOT, &cap)) < 0)
		return r;
	for (uint64_t off = 0; off < len; off += XOK_PAGE_SIZE)
		if ((r = xok_page_alloc(NEST_NAME_SLOT, id, NEST_REBUILD_VA + off,
					XOK_PTE_W | XOK_PTE_NX,
					XOK_PFN_ANY)) < 0)
			return r;
	return nest_poke(id, NEST_REBUILD_VA, tree, len);
}

int64_t nester_restore_tree(void *tree, uint64_t len)
{
	struct nest_tree_hdr *h = tree;
	struct xok_env_state saved, st;
	uint64_t id;
	int64_t r;

	if (len < sizeof(*h) || h->magic != NEST_TREE_MAGIC || !h->nparts ||
	    h->nparts > 1 + NEST_MAXCHILD || h->part[0].off > len ||
	    h->part[0].len > len - h->part[0].off)
		return E_INVAL;
	if ((r = nester_restore((const uint8_t *)tree + h->part[0].off,
				h->part[0].len)) < 0)
		return r;
	id = (uint64_t)r;
	if ((r = nest_stop(id)) < 0 || (r = nest_get_regs(id, &saved)) < 0 ||
	    (r = hand_tree(id, tree, len)) < 0)
		goto fail;
	st = saved;
	st.tf.rip = (uint64_t)nester_rebuild;
	st.tf.rdi = NEST_REBUILD_VA;
	/* Below what it was using, aligned as at a call. */
	st.tf.rsp = ((saved.tf.rsp - 512) & ~15ull) - 8;
	if ((r = nest_set_regs(id, &st)) < 0 || (r = nest_restart(id)) < 0)
		goto fail;
	nester_run(stopped, &id);
	/* The rebuilt tree, with the ids its parts have now. */
	if ((r = nest_peek(id, NEST_REBUILD_VA, tree, len)) < 0 ||
	    (r = h->rebuilt ? E_INVAL : 0) < 0)
		goto fail;
	h->part[0].now = id;
	for (uint64_t off = 0; off < len; off += XOK_PAGE_SIZE)
		xok_page_unmap(0, id, NEST_REBUILD_VA + off);
	if ((r = nest_set_regs(id, &saved)) < 0 || (r = nest_restart(id)) < 0)
		goto fail;
	return (int64_t)id;
fail:
	nester_kill(id);
	return r;
}
