/*
 * nest: libos-nest's nesters and the nested programs they run, in one
 * image (a nester starts a program of its own image as a child with its
 * own copy of it, see libos-nest/space.h).
 *
 *   init=nest:PROG[:ARG]  this environment is the root process manager:
 *                         it runs PROG as its child and exits with its
 *                         status (e.g. nest:pm:tracer:suite)
 *   init=nest[:TEST,...]  the self-tests below
 *
 * Nesters: pm:SPEC (a process manager running SPEC as its child),
 * tracer:SPEC (the same, logging every protocol call of its subtree),
 * mm:QUOTA:SPEC (a memory manager: SPEC's page faults served from its
 * pool, QUOTA pages per child),
 * fs:FOLDER:SPEC (serving SPEC's files from FOLDER of the C-FFS on the
 * disk) and ckpt:FOLDER:SPEC / ckpt:FOLDER (the checkpointer: serves
 * files as fs does, saves SPEC mid-run to FOLDER.ckpt / restores it;
 * SPEC may be pm or tracer, at any depth, over programs, saved with
 * its subtree; mm, fs or ckpt in it is refused: status 89).
 * fs and ckpt need the disk's capability: init runs them itself.
 * Programs: suite (memtest, forkwait, compute under one parent), memtest,
 * forkwait, compute:N, spin, counter, evil, evilnester, pingloop:N,
 * filetest[:reread], filecounter:N, pager:N, pagers, and those of
 * nestmem.h (segtest[:QUOTA], fmaptest, exectest and their helpers).
 */
#include "../lib/fmt.h"
#include "../lib/selftest.h"
#include "../libos-nest/child.h"
#include "../libos-nest/ckpt.h"
#include "../libos-nest/file.h"
#include "../libos-nest/fsnest.h"
#include "../libos-nest/memory.h"
#include "../libos-nest/nester.h"
#include "../libos-nest/pool.h"
#include "../libos-nest/state.h"
#include "nestmem.h"
#include "rt/rt.h"

#define ENVS ((const volatile struct xok_env *)XOK_UENVS)
#define ROOT_QUOTA 256 /* heap pages each child subtree of the root may hold */

/* ---- nesters ---- */

uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}


static int decided(void *until)
{
	return nester.sched.decisions >= *(uint64_t *)until;
}

/* Lends CPU for `n` more decisions. */
static void run_for(uint64_t n)
{
	uint64_t until = nester.sched.decisions + n;

	nester_run(decided, &until);
}

/* Runs `spec` to its end under this nester; its status. */
static int64_t run_child(const char *spec)
{
	int64_t id = nester_spawn(spec);

	if (id < 0)
		return id;
	nester_run(0, 0);
	return nester_wait((uint64_t)id);
}

static int run_nester(const char *spec, nest_serve_fn serve)
{
	return nester_start(serve, ROOT_QUOTA) < 0 ? 90 : (int)run_child(spec);
}

static int pm(const char *arg)
{
	return run_nester(arg, 0);
}

/* Logs each call of the subtree and its result, serving it as usual. */
static int64_t trace_serve(struct nester *n, struct nest_req *rq)
{
	int64_t r = nester_default(n, rq);

	printf("trace: %#lx %s(%#lx, %#lx) -> %ld\n", rq->caller,
	       nest_op_name(rq->op), rq->a[0], rq->a[1], r);
	return r;
}

static int tracer(const char *arg)
{
	return run_nester(arg, trace_serve);
}

/* "QUOTA:SPEC": a memory manager serving SPEC's page faults from a pool
 * of MM_POOL pages it gets from its parent, each child's subtree holding
 * at most QUOTA of them. */
#define MM_POOL 16
static int mm(const char *arg)
{
	const char *spec = strchr(arg, ':');
	int64_t r;

	if (!spec || nest_pool_start(MM_POOL, (uint32_t)parse_u64(arg)) < 0)
		return 90;
	r = run_child(spec + 1);
	printf("mm: %lu faults served from a pool of %u pages, %lu refused\n",
	       nest_pool_stats.served, MM_POOL, nest_pool_stats.refused);
	return (int)r;
}

/* "FOLDER[:SPEC]": the folder into `folder`; SPEC, or 0. */
static const char *split_folder(const char *arg, char folder[NEST_PATH_MAX])
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (n >= NEST_PATH_MAX)
		n = 0; /* an empty folder, which nest_fsnest_start refuses */
	memcpy(folder, arg, n);
	folder[n] = '\0';
	return colon ? colon + 1 : 0;
}

/* Makes this environment a nester serving files from `folder`, made if
 * missing. 0 or -1. */
static int start_files(const char *folder)
{
	int64_t r;

	if (nest_fsnest_start(folder, ROOT_QUOTA) < 0)
		return -1;
	r = nest_mkdir(folder, 0755);
	return r == 0 || r == NEST_FS_ERR(CFFS_EEXIST) ? 0 : -1;
}

static int fs_nester(const char *arg)
{
	char folder[NEST_PATH_MAX];
	const char *spec = split_folder(arg, folder);
	int64_t r;

	if (!spec || start_files(folder) < 0)
		return 90;
	r = run_child(spec);
	return nest_sync() < 0 ? 91 : (int)r;
}

/* The checkpointer's file: this header in its first page (the open
 * handles at its nester of each environment of the checkpoint, in
 * nest_tree_envs's order), then the child's checkpoint: a program's
 * (ckpt.h), or a nester's subtree as a tree checkpoint. */
#define CKPT_FILE_MAGIC 0x33454c4946504b43ull /* "CKPFILE3" */
#define CKPT_RECS 14
#define CKPT_ENVS 32 /* a tree saved holds fewer environments */
struct ckpt_file {
	uint64_t magic, len, nfiles;
	uint8_t nfiles_of[CKPT_ENVS]; /* records of each environment, in
				       * nest_tree_envs's order */
	struct nest_fs_rec files[CKPT_RECS];
};
_Static_assert(sizeof(struct ckpt_file) <= XOK_PAGE_SIZE, "one page");

#define CKPT_BUF RT_SCRATCH
#define CKPT_PAGES 320       /* the file's most: pm, pm and a program */
#define CKPT_AFTER 1000      /* file calls the child makes before its save */
#define CKPT_STOP_TRIES 1000 /* decisions to wait for a stoppable child */

static int64_t map_ckpt_buf(uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		int64_t r = xok_page_alloc(0, 0, CKPT_BUF + i * XOK_PAGE_SIZE,
					   XOK_PTE_W | XOK_PTE_NX, XOK_PFN_ANY);

		if (r < 0)
			return r;
	}
	return 0;
}

static void unmap_ckpt_buf(uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		xok_page_unmap(0, 0, CKPT_BUF + i * XOK_PAGE_SIZE);
}

/* Stops `id` (nest_stop) or its subtree (nest_stop_tree) outside any
 * call, lending it time until it can be. */
static int64_t stop_child(uint64_t id, int64_t (*stop)(uint64_t id))
{
	int64_t r = stop(id);

	for (int i = 0; r == E_STATE && i < CKPT_STOP_TRIES; i++) {
		run_for(1);
		r = stop(id);
	}
	return r;
}

/* Writes `len` bytes at CKPT_BUF to `path`, made or emptied, on disk. */
static int64_t write_file(const char *path, uint64_t len)
{
	int64_t fd = nest_open(path, NEST_O_WRITE | NEST_O_CREATE |
			       NEST_O_TRUNC), r;

	if (fd < 0)
		return fd;
	r = nest_write(fd, (const void *)CKPT_BUF, len);
	nest_close(fd);
	return r != (int64_t)len ? E_IO : nest_sync();
}

static int called_enough(void *unused)
{
	(void)unused;
	return nest_fsnest_calls >= CKPT_AFTER;
}

#define CKPT_BODY ((uint8_t *)CKPT_BUF + XOK_PAGE_SIZE)
#define CKPT_BODY_MAX ((CKPT_PAGES - 1) * XOK_PAGE_SIZE)

/* Stops child `id` outside any call and saves it at CKPT_BODY, as a
 * tree if it is a nester (`tree`); its environments' ids into ids[] and
 * their number into *n. The length, or an error. */
static int64_t save_body(uint64_t id, int tree, uint64_t ids[], uint64_t *n)
{
	const struct nest_tree_hdr *t = (const struct nest_tree_hdr *)CKPT_BODY;
	int64_t r = stop_child(id, tree ? nest_stop_tree : nest_stop);

	if (r < 0)
		return r;
	if (!tree) {
		ids[0] = id, *n = 1;
		return nest_ckpt_save(id, CKPT_BODY, CKPT_BODY_MAX);
	}
	if ((r = nest_ckpt_save_tree(id, CKPT_BODY, CKPT_BODY_MAX)) < 0)
		return r;
	*n = nest_tree_envs(t, (uint64_t)r, 0, ids, CKPT_ENVS);
	return *n < CKPT_ENVS ? r : E_NOMEM;
}

/* Runs `spec` for a while, stops it (a nester with its children), saves
 * it with their open files to `path`, and kills it. */
static int ckpt_save(const char *spec, const char *path)
{
	struct ckpt_file *h = (struct ckpt_file *)CKPT_BUF;
	const struct nest_prog *p = nest_prog_find(spec);
	uint64_t ids[CKPT_ENVS], n;
	int64_t id = nester_spawn(spec), len;

	if (id < 0)
		return 92;
	nester_run(called_enough, 0);
	if ((len = save_body((uint64_t)id, p->nester, ids, &n)) < 0)
		return 93;
	*h = (struct ckpt_file){ .magic = CKPT_FILE_MAGIC, .len = (uint64_t)len };
	for (uint64_t i = 0; i < n; i++) {
		int64_t k = nest_fsnest_save(ids[i], h->files + h->nfiles,
					     CKPT_RECS - (unsigned)h->nfiles);

		if (k < 0)
			return 94;
		h->nfiles_of[i] = (uint8_t)k;
		h->nfiles += (uint64_t)k;
	}
	if (write_file(path, XOK_PAGE_SIZE + (uint64_t)len) < 0)
		return 95;
	nester_kill((uint64_t)id);
	printf("ckpt: saved %s to %s (%ld bytes, %lu environments, %lu open "
	       "files%s%lu), killed it\n", spec, path, len, n, h->nfiles,
	       h->nfiles ? ", the first at " : "",
	       h->nfiles ? h->files[0].off : 0);
	return 0;
}

/* Makes again the child saved at CKPT_BODY (`len` bytes), a program or
 * a nester's subtree; its environments' ids now into ids[] and their
 * number into *n. The child's id, or an error. */
static int64_t restore_body(uint64_t len, uint64_t ids[], uint64_t *n)
{
	struct nest_tree_hdr *t = (struct nest_tree_hdr *)CKPT_BODY;
	int64_t id;

	if (len < sizeof(t->magic) || t->magic != NEST_TREE_MAGIC) {
		*n = 1;
		return ids[0] = (uint64_t)nester_restore(CKPT_BODY, len);
	}
	if ((id = nester_restore_tree(CKPT_BODY, len)) >= 0)
		*n = nest_tree_envs(t, len, 1, ids, CKPT_ENVS);
	return id;
}

/* Gives each part its open files back, before any of them runs. */
static int64_t adopt_files(const struct ckpt_file *h, const uint64_t ids[],
			   uint64_t n)
{
	uint64_t done = 0;

	for (uint64_t i = 0; i < n; i++) {
		int64_t r;

		if (h->nfiles_of[i] > h->nfiles - done)
			return E_INVAL;
		r = nest_fsnest_adopt(ids[i], h->files + done, h->nfiles_of[i]);
		if (r < 0)
			return r;
		done += h->nfiles_of[i];
	}
	return done == h->nfiles ? 0 : E_INVAL;
}

/* Makes the child saved in `path` again, gives it its open files back,
 * and runs it to its end: its status. */
static int ckpt_restore(const char *path)
{
	const struct ckpt_file *h = (const struct ckpt_file *)CKPT_BUF;
	uint64_t ids[CKPT_ENVS], n;
	struct nest_stat st;
	int64_t fd, id;

	if (nest_stat(path, &st) < 0 || st.size > CKPT_PAGES * XOK_PAGE_SIZE ||
	    (fd = nest_open(path, NEST_O_READ)) < 0)
		return 96;
	if (nest_read(fd, (void *)CKPT_BUF, st.size) != (int64_t)st.size ||
	    h->magic != CKPT_FILE_MAGIC || h->nfiles > CKPT_RECS ||
	    h->len != st.size - XOK_PAGE_SIZE)
		return 97;
	nest_close(fd);
	if ((id = restore_body(h->len, ids, &n)) < 0)
		return 98;
	if (adopt_files(h, ids, n) < 0) {
		nester_kill((uint64_t)id);
		return 99;
	}
	printf("ckpt: restored %s (%lu bytes, %lu environments, %lu open "
	       "files%s%lu)\n", path, h->len, n, h->nfiles,
	       h->nfiles ? ", the first at " : "",
	       h->nfiles ? h->files[0].off : 0);
	nester_run(0, 0);
	return (int)nester_wait((uint64_t)id);
}

/* Whether `spec` can be saved: a program, or a nester that keeps
 * nothing of its children but its table (pm, tracer) over what can be
 * saved. Not mm, fs or ckpt at any depth (their servers keep state about
 * their children that a checkpoint does not hold). An unknown program
 * is left to nester_spawn to refuse. */
static int savable(const char *spec)
{
	const struct nest_prog *p = nest_prog_find(spec);
	const char *arg = strchr(spec, ':');

	if (!p || !p->nester)
		return 1;
	return (p->main == pm || p->main == tracer) && arg &&
	       savable(arg + 1);
}

#define CKPT_REFUSED 89 /* the status of a tree that cannot be saved */

/* "FOLDER:SPEC" saves SPEC's run to FOLDER.ckpt; "FOLDER" restores it.
 * The child sees FOLDER; the checkpoint is beside it, out of its reach.
 * A SPEC that cannot be saved is refused before the disk is touched. */
static int checkpointer(const char *arg)
{
	char folder[NEST_PATH_MAX], path[NEST_PATH_MAX + 8];
	const char *spec = split_folder(arg, folder);
	int r;

	if (spec && !savable(spec)) {
		printf("ckpt: refused to save %s: only programs and pm or "
		       "tracer over them can be saved (not mm, fs or ckpt)\n",
		       spec);
		return CKPT_REFUSED;
	}
	if (start_files(folder) < 0 || map_ckpt_buf(CKPT_PAGES) < 0)
		return 90;
	fmt_snprintf(path, sizeof(path), "%s.ckpt", folder);
	r = spec ? ckpt_save(spec, path) : ckpt_restore(path);
	unmap_ckpt_buf(CKPT_PAGES);
	return nest_sync() < 0 ? 91 : r;
}

/* ---- nested programs ---- */

/* A deterministic amount of work: total Collatz steps of 1..n, mod 256. */
static int compute_value(uint64_t n)
{
	uint64_t steps = 0;

	for (uint64_t i = 1; i <= n; i++)
		for (uint64_t x = i; x != 1; steps++)
			x = x & 1 ? 3 * x + 1 : x / 2;
	return (int)(steps % 256);
}

static int compute(const char *arg)
{
	return compute_value(parse_u64(arg));
}

/* Heap from the parent's pool: zeroed, private, contiguous. */
static int memtest(const char *arg)
{
	uint8_t *p = nest_sbrk(8 * XOK_PAGE_SIZE), *q;

	(void)arg;
	if (!p)
		return 1;
	for (uint64_t i = 0; i < 8 * XOK_PAGE_SIZE; i++)
		if (p[i])
			return 2;
	for (uint64_t i = 0; i < 8 * XOK_PAGE_SIZE; i++)
		p[i] = (uint8_t)(i * 7);
	if (!(q = nest_sbrk(XOK_PAGE_SIZE)) || q != p + 8 * XOK_PAGE_SIZE)
		return 3;
	for (uint64_t i = 0; i < 8 * XOK_PAGE_SIZE; i++)
		if (p[i] != (uint8_t)(i * 7))
			return 4;
	return 0;
}

/* Two children of my parent's, waited for; a second wait is refused. */
static int forkwait(const char *arg)
{
	int64_t a = nest_spawn("compute:3000"), b = nest_spawn("compute:4000");

	(void)arg;
	if (a < 0 || b < 0)
		return 1;
	if (nest_wait((uint64_t)b) != compute_value(4000) ||
	    nest_wait((uint64_t)a) != compute_value(3000))
		return 2;
	return nest_wait((uint64_t)a) == E_BADENV ? 0 : 3;
}

static int suite(const char *arg)
{
	static const char *const progs[] = { "memtest", "forkwait",
					     "compute:20000" };
	const int want[] = { 0, 0, compute_value(20000) };
	int bad = 0;

	(void)arg;
	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int64_t id = nest_spawn(progs[i]);
		int64_t r = id < 0 ? id : nest_wait((uint64_t)id);

		printf("suite: %s -> %ld\n", progs[i], r);
		bad += r != want[i];
	}
	return bad;
}

/* Runs until killed. */
static int spin(const char *arg)
{
	static volatile uint64_t spins;

	(void)arg;
	while (spins != ~0ull)
		spins++;
	return 0;
}

/* Counts until `target` (which its nester sets while it is stopped);
 * a program started again rather than continued would add 1000. */
static volatile uint64_t counted, target = ~0ull, runs;

static int counter(const char *arg)
{
	(void)arg;
	runs++;
	while (counted != target)
		counted++;
	return (int)(counted % 1000 + (runs - 1) * 1000);
}

/* A call of ours: reports and counts one that did not fail as wanted. */
static int expect(const char *what, int64_t got, int64_t want)
{
	if (got == want)
		return 0;
	printf("nest: unexpected %s -> %ld, want %ld\n", what, got, want);
	return 1;
}

/* The same for a call on sibling `sib`, which may have ended meanwhile:
 * then "no such environment" is as good a refusal. */
static int expect_sibling(const char *what, int64_t got, uint64_t sib)
{
	if (got == E_BADENV && ENVS[xok_env_slot(sib)].id != sib)
		return 0;
	return expect(what, got, E_PERM);
}

#define EVIL_VA 0x0000400000000000ull

/* Tries to reach what its parent did not give it; `writer`: it holds a
 * capability with W (a nester's). Returns how many attempts succeeded. */
static int evil(int writer)
{
	uint64_t me = (uint64_t)xok_getenvid(), sib = 0, parent = nest_parent();
	uint64_t parent_main = ENVS[xok_env_slot(parent)].parent;
	struct xok_cap root = { .valid = 1, .rights = XOK_CAP_RIGHTS };
	uint64_t msg = (uint64_t)&nest_msg;
	int bad = 0;

	for (unsigned i = 0; i < XOK_NENV; i++)
		if (ENVS[i].id && ENVS[i].id != me &&
		    ENVS[i].parent == parent)
			sib = ENVS[i].id;
	if (!sib)
		return 100;
	bad += expect("map the parent's page",
		      xok_page_map(0, 0, EVIL_VA, 0,
				   (rt_pte_of(parent, msg) &
				    XOK_PTE_ADDR) >> XOK_PAGE_SHIFT, 0), E_PERM);
	bad += expect("map a sibling's page",
		      xok_page_map(0, 0, EVIL_VA, 0,
				   (rt_pte_of(sib, msg) & XOK_PTE_ADDR) >>
					   XOK_PAGE_SHIFT, 0), E_PERM);
	bad += expect_sibling("destroy a sibling", xok_env_destroy(0, sib), sib);
	bad += expect_sibling("stop a sibling",
			      xok_env_status(0, sib, XOK_ENV_STOPPED), sib);
	bad += expect("destroy the parent", xok_env_destroy(0, parent),
		      E_PERM);
	bad += expect("destroy the nester", xok_env_destroy(0, parent_main),
		      E_PERM);
	bad += expect("forge the root capability",
		      xok_cap_grant(0, 0, 0, 1, &root), E_PERM);
	bad += expect("create a child of the parent's",
		      xok_env_alloc(0, parent), E_PERM);
	bad += expect("allocate a page of its own",
		      xok_page_alloc(0, 0, EVIL_VA, XOK_PTE_W, XOK_PFN_ANY) < 0,
		      !writer);
	xok_page_unmap(0, 0, EVIL_VA);
	bad += expect("call the nester itself",
		      xok_ipc_call(parent_main, NEST_GET_MEMORY, 0, 0, 0), E_PERM);
	bad += expect("heap within quota", nest_sbrk(4 * XOK_PAGE_SIZE) != 0, 1);
	bad += expect("heap over quota", nest_sbrk(8 * XOK_PAGE_SIZE) != 0, 0);
	nest_msg.subject = sib;
	bad += expect("heap for a sibling",
		      xok_ipc_call(parent, NEST_MEM_GROW, NEST_HEAP_TOP -
				   XOK_PAGE_SIZE, 1, 0), E_PERM);
	return bad;
}

static int evil_reader(const char *arg)
{
	(void)arg;
	return evil(0);
}

static int evil_writer(const char *arg)
{
	(void)arg;
	return evil(1);
}

/* N protocol calls that reach the memory server (a grow by no pages):
 * returns the cycles each took. */
static int pingloop(const char *arg)
{
	uint64_t n = parse_u64(arg), t0 = rt_tsc();

	for (uint64_t i = 0; i < n; i++)
		if (nest_parent_call(NEST_MEM_GROW, NEST_HEAP_BASE, 0, 0) < 0)
			return -1;
	return (int)((rt_tsc() - t0) / (n ? n : 1));
}

/* Byte i of filetest's data: lines of letters, readable on the host. */
static uint8_t data_byte(uint64_t i)
{
	return i % 64 == 63 ? '\n' : (uint8_t)('a' + (i / 64 + i) % 26);
}

#define DATA_LEN 10000
static const char greeting[] = "hello from the box\n";
static const char note[] = "written by a nested program\n";
static uint8_t fbuf[DATA_LEN];

/* Does `path` hold exactly [want, want + len)? */
static int file_holds(const char *path, const void *want, uint64_t len)
{
	struct nest_stat st;
	int64_t fd = nest_open(path, NEST_O_READ), n;

	if (fd < 0)
		return 0;
	n = nest_read(fd, fbuf, sizeof(fbuf));
	nest_close(fd);
	return nest_stat(path, &st) == 0 && st.size == len &&
	       n == (int64_t)len && !memcmp(fbuf, want, len);
}

/* What filetest wrote in an earlier boot (under another nester). */
static int filetest_reread(void)
{
	static uint8_t data[DATA_LEN];

	for (uint64_t i = 0; i < DATA_LEN; i++)
		data[i] = data_byte(i);
	if (!file_holds("/out/note", note, sizeof(note) - 1) ||
	    !file_holds("out/data", data, DATA_LEN))
		return 1;
	printf("filetest: /out/note and /out/data read back after a reboot\n");
	return 0;
}

/* The protocol's refusals: bad handles, lengths, flags, paths, modes,
 * and a call for someone outside the caller's subtree. */
static int file_refusals(int64_t fd)
{
	int64_t ro = nest_open("/greeting", NEST_O_READ);
	int bad = 0;

	bad += expect("read a handle never given",
		      nest_read(fd + 7, fbuf, 1), E_INVAL);
	bad += expect("read more than the message page",
		      nest_parent_call(NEST_FD_READ, (uint64_t)fd,
				       sizeof(nest_msg.data) + 1, 0), E_INVAL);
	bad += expect("open with an unknown flag",
		      nest_open("/greeting", NEST_O_READ | 0x100), E_INVAL);
	bad += expect("open truncating read-only",
		      nest_open("/greeting", NEST_O_READ | NEST_O_TRUNC), E_INVAL);
	bad += expect("open a directory", nest_open("/out", NEST_O_READ),
		      NEST_FS_ERR(CFFS_EISDIR));
	bad += expect("write a read-only handle", nest_write(ro, "x", 1), E_PERM);
	bad += expect("close it", nest_close(ro), 0);
	bad += expect("close it again", nest_close(ro), E_INVAL);
	bad += expect("seek before the start",
		      nest_seek(fd, -1, NEST_SEEK_SET), E_INVAL);
	bad += expect("seek with no such whence", nest_seek(fd, 0, 3), E_INVAL);
	bad += expect("mkdir with a bad mode", nest_mkdir("/m", 010000), E_INVAL);
	memset(nest_msg.path, 'a', sizeof(nest_msg.path));
	bad += expect("a path without its end",
		      nest_parent_call(NEST_FS_STAT, 0, 0, 0), E_INVAL);
	nest_msg.subject = nest_parent();
	memcpy(nest_msg.path, "/", 2);
	bad += expect("a call for my parent",
		      xok_ipc_call(nest_parent(), NEST_FS_STAT, 0, 0, 0), E_PERM);
	return bad;
}

/* Files from the folder its nester gives it: reads what is there, cannot
 * get out by "..", makes a directory and files, reads them back, and is
 * refused what the protocol does not allow. ":reread" checks, in a later
 * boot, what it wrote. */
static int filetest(const char *arg)
{
	struct nest_stat st;
	int64_t fd;
	int bad = 0;

	if (!strcmp(arg, "reread"))
		return filetest_reread();
	bad += expect("the folder's greeting",
		      file_holds("/greeting", greeting, sizeof(greeting) - 1), 1);
	bad += expect("out through ..", nest_open("../secret", NEST_O_READ),
		      NEST_FS_ERR(CFFS_ENOENT));
	bad += expect("out through /greeting/../..",
		      nest_stat("/greeting/../../secret", &st),
		      NEST_FS_ERR(CFFS_ENOENT));
	bad += expect("the folder is my root", nest_stat("/..", &st), 0);
	bad += expect("a directory", st.mode & CFFS_S_IFMT, CFFS_S_IFDIR);
	bad += expect("mkdir", nest_mkdir("/out", 0755), 0);
	bad += expect("mkdir again", nest_mkdir("/out", 0755),
		      NEST_FS_ERR(CFFS_EEXIST));
	fd = nest_open("/out/data", NEST_O_READ | NEST_O_WRITE |
		       NEST_O_CREATE | NEST_O_TRUNC);
	bad += expect("open to create", fd >= 0, 1);
	for (uint64_t i = 0; i < DATA_LEN; i++)
		fbuf[i] = data_byte(i);
	bad += expect("write", nest_write(fd, fbuf, DATA_LEN), DATA_LEN);
	bad += expect("seek to the start", nest_seek(fd, 0, NEST_SEEK_SET), 0);
	memset(fbuf, 0, DATA_LEN);
	bad += expect("read", nest_read(fd, fbuf, DATA_LEN), DATA_LEN);
	for (uint64_t i = 0; i < DATA_LEN; i++)
		bad += fbuf[i] != data_byte(i);
	bad += expect("seek from the end",
		      nest_seek(fd, -100, NEST_SEEK_END), DATA_LEN - 100);
	bad += expect("read to the end", nest_read(fd, fbuf, 1000), 100);
	bad += expect("stat", nest_stat("/out/data", &st), 0);
	bad += expect("its size", (int64_t)st.size, DATA_LEN);
	bad += file_refusals(fd);
	bad += expect("close", nest_close(fd), 0);
	fd = nest_open("/out/note", NEST_O_WRITE | NEST_O_CREATE);
	bad += expect("write a note", nest_write(fd, note, sizeof(note) - 1),
		      sizeof(note) - 1);
	bad += expect("close it", nest_close(fd), 0);
	bad += expect("sync", nest_sync(), 0);
	if (!bad)
		printf("filetest: read, wrote, refused as expected\n");
	return bad;
}

/* Counts to N, appending each count to /count.log as a 9-byte record;
 * at the end, checks the log holds 1..N in order once and its memory
 * summed them all. A run checkpointed and restored continues its count,
 * its sum and its handle's offset; one started again would append 1..
 * after what is there. */
#define REC 9
static volatile uint64_t fc_count, fc_sum;

static int filecounter_check(uint64_t n)
{
	char rec[REC + 1];
	int64_t fd = nest_open("/count.log", NEST_O_READ);
	struct nest_stat st;
	int bad = fd < 0 || nest_stat("/count.log", &st) < 0 ||
		  st.size != n * REC;

	for (uint64_t i = 1; i <= n && !bad; i++) {
		fmt_snprintf(rec, sizeof(rec), "%08lu\n", i);
		bad = nest_read(fd, fbuf, REC) != REC || memcmp(fbuf, rec, REC);
	}
	nest_close(fd);
	return bad;
}

static int filecounter(const char *arg)
{
	uint64_t n = parse_u64(arg);
	int64_t fd = nest_open("/count.log", NEST_O_WRITE | NEST_O_CREATE);
	char rec[REC + 1];

	printf("filecounter: started\n");
	if (fd < 0 || nest_seek(fd, 0, NEST_SEEK_END) < 0)
		return 1;
	while (fc_count < n) {
		fc_count++;
		fc_sum += fc_count;
		fmt_snprintf(rec, sizeof(rec), "%08lu\n", fc_count);
		if (nest_write(fd, rec, REC) != REC)
			return 2;
		compute_value(50);
	}
	nest_close(fd);
	if (fc_sum != n * (n + 1) / 2 || filecounter_check(n))
		return 3;
	printf("filecounter: counted to %lu; /count.log holds 1..%lu in "
	       "order\n", n, n);
	return nest_sync() < 0 ? 4 : 0;
}

/* Touches N heap pages it never asked for (each fault is served by
 * Memory FAULT): each reads zero, then keeps what is written. */
#define PAGER_VA (NEST_HEAP_BASE + 0x10000000)
static int pager(const char *arg)
{
	uint64_t n = parse_u64(arg);
	volatile uint64_t *p = (volatile uint64_t *)PAGER_VA;

	for (uint64_t i = 0; i < n; i++) {
		if (p[i * XOK_PAGE_SIZE / 8])
			return 1;
		p[i * XOK_PAGE_SIZE / 8] = i + 1;
	}
	for (uint64_t i = 0; i < n; i++)
		if (p[i * XOK_PAGE_SIZE / 8] != i + 1)
			return 2;
	return 0;
}

/* Runs `spec` as another child of my parent's; its status. */
static int64_t spawn_wait(const char *spec)
{
	int64_t id = nest_spawn(spec);

	return id < 0 ? id : nest_wait((uint64_t)id);
}

/* Under a memory manager of quota 8 and a pool of 16: a pager over the
 * quota ends with E_NOMEM; two within it then run one after the other,
 * the second on pages the others held, zeroed again. */
static int pagers(const char *arg)
{
	int64_t over = spawn_wait("pager:12"), a = spawn_wait("pager:8");
	int64_t b = spawn_wait("pager:8");

	(void)arg;
	printf("pagers: pager:12 -> %ld, pager:8 -> %ld, pager:8 -> %ld\n",
	       over, a, b);
	return over == E_NOMEM && a == 0 && b == 0 ? 0 : 1;
}

const struct nest_prog nest_progs[] = {
	{ "pm", pm, 1 },
	{ "tracer", tracer, 1 },
	{ "suite", suite, 0 },
	{ "memtest", memtest, 0 },
	{ "forkwait", forkwait, 0 },
	{ "compute", compute, 0 },
	{ "spin", spin, 0 },
	{ "counter", counter, 0 },
	{ "evil", evil_reader, 0 },
	{ "evilnester", evil_writer, 1 },
	{ "pingloop", pingloop, 0 },
	{ "mm", mm, 1 },
	{ "pager", pager, 0 },
	{ "pagers", pagers, 0 },
	{ "fs", fs_nester, 1 },
	{ "ckpt", checkpointer, 1 },
	{ "filetest", filetest, 0 },
	{ "filecounter", filecounter, 0 },
	{ "segtest", segtest, 0 },
	{ "segpeer", segpeer, 0 },
	{ "segpeek", segpeek, 0 },
	{ "fmaptest", fmaptest, 0 },
	{ "exectest", exectest, 0 },
	{ "execer", execer, 0 },
	{ "execed", execed, 0 },
	{ "execnester", execnester, 1 },
};
const unsigned nest_nprogs = sizeof(nest_progs) / sizeof(nest_progs[0]);

/* ---- self-tests: this environment is the root nester ---- */

/* Runs `id` (a counter) until it has counted past `at`, then stops it. */
static int count_then_stop(uint64_t id, uint64_t at, uint64_t *count)
{
	do {
		run_for(1);
		if (nest_peek(id, (uint64_t)&counted, count, 8) < 0)
			return -1;
	} while (*count < at);
	return nest_stop(id) < 0 ||
	       nest_peek(id, (uint64_t)&counted, count, 8) < 0 ? -1 : 0;
}

/* Environments in `root`'s subtree, `root` included. */
static int subtree_size(uint64_t root)
{
	int n = 0;

	for (unsigned i = 0; i < XOK_NENV; i++)
		n += ENVS[i].id && nest_in_subtree(ENVS[i].id, root);
	return n;
}

static int subtree_built(void *root)
{
	/* pm, its server, pm, its server, spin */
	return subtree_size(*(uint64_t *)root) >= 5;
}

/* Are all of the 0-terminated ids gone? */
static int gone(void *ids)
{
	for (const uint64_t *id = ids; *id; id++)
		if (ENVS[xok_env_slot(*id)].id == *id)
			return 0;
	return 1;
}

/* Two children (one holding W, as a nester does) try everything their
 * parent did not give them, beside a sibling that spins. */
SELFTEST(isolation)
{
	uint64_t s, ids[3] = { 0 };

	CHECK_EQ(nester_start(0, 8), 0);
	CHECK((s = (uint64_t)nester_spawn("spin")) > 0);
	CHECK((ids[0] = (uint64_t)nester_spawn("evil")) > 0);
	CHECK((ids[1] = (uint64_t)nester_spawn("evilnester")) > 0);
	nester_run(gone, ids);
	CHECK_EQ(nester_wait(ids[0]), 0);
	CHECK_EQ(nester_wait(ids[1]), 0);
	CHECK_EQ(nester_kill(s), 0);
	nester_stop();
	return 0;
}

SELFTEST(kill_frees_subtree)
{
	uint64_t id;
	long before;
	int envs;

	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	/* A first child makes the page tables of the server's windows. */
	CHECK((id = (uint64_t)nester_spawn("spin")) > 0);
	run_for(1);
	CHECK_EQ(nester_kill(id), 0);
	before = rt_free_pages();
	envs = subtree_size(nester.server);
	CHECK((id = (uint64_t)nester_spawn("pm:pm:spin")) > 0);
	nester_run(subtree_built, &id);
	CHECK_EQ(subtree_size(id), 5);
	CHECK(rt_free_pages() < before);
	CHECK_EQ(nester_kill(id), 0);
	CHECK_EQ(subtree_size(nester.server), envs);
	CHECK_EQ(rt_free_pages(), before);
	printf("kill: 5 environments destroyed, free pages %ld before and after\n",
	       before);
	nester_stop();
	return 0;
}

/* Memory segments under a quota of 8: segtest twice (the first run
 * makes the server's page tables for segments' frames); the second
 * leaves every page free again. */
SELFTEST(segments)
{
	long before;

	CHECK_EQ(nester_start(0, 8), 0);
	CHECK_EQ(run_child("segtest:8"), 0);
	before = rt_free_pages();
	CHECK_EQ(run_child("segtest:8"), 0);
	CHECK_EQ(rt_free_pages(), before);
	printf("segments: free pages %ld before and after\n", before);
	nester_stop();
	return 0;
}

SELFTEST(three_levels)
{
	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	CHECK_EQ(run_child("pm:pm:suite"), 0);
	nester_stop();
	return 0;
}

SELFTEST(tracer_interposes)
{
	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	CHECK_EQ(run_child("tracer:suite"), 0);
	nester_stop();
	return 0;
}

SELFTEST(stop_restart)
{
	struct xok_env_state st;
	uint64_t id, c1, c2, v, other[2] = { 0 };

	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	CHECK((id = (uint64_t)nester_spawn("counter")) > 0);
	CHECK_EQ(count_then_stop(id, 1000, &c1), 0);
	CHECK_EQ(nest_get_regs(id, &st), 0);
	CHECK(st.tf.rip >= (uint64_t)counter &&
	      st.tf.rip < (uint64_t)counter + 64);
	CHECK((other[0] = (uint64_t)nester_spawn("compute:100")) > 0);
	nester_run(gone, other); /* compute runs; the stopped counter does not */
	CHECK_EQ(nester_wait(other[0]), compute_value(100));
	CHECK_EQ(nest_peek(id, (uint64_t)&counted, &c2, 8), 0);
	CHECK_EQ(c2, c1);
	v = 1000000;
	CHECK_EQ(nest_poke(id, (uint64_t)&counted, &v, 8), 0);
	v = 1000500;
	CHECK_EQ(nest_poke(id, (uint64_t)&target, &v, 8), 0);
	CHECK_EQ(nest_poke(id, (uint64_t)counter, &v, 8), E_FAULT); /* text */
	CHECK_EQ(nest_set_regs(id, &st), 0);
	CHECK_EQ(nest_restart(id), 0);
	nester_run(0, 0);
	CHECK_EQ(nester_wait(id), 500);
	printf("stop_restart: stopped at count %lu (rip in the loop), set to "
	       "1000000, restarted, ended at 1000500\n", c1);
	nester_stop();
	return 0;
}

/* RUNS runs of `spec` (prefixed by `layers`) under this root, in
 * cycles, least first in t[]: what the program reports (`reported`: its
 * status), or the run's own time. 0, or -1 if a run fails. */
#define RUNS 3
static int runs_of(const char *layers, const char *spec, int reported,
		   uint64_t t[RUNS])
{
	for (int i = 0; i < RUNS; i++) {
		char full[64];
		uint64_t t0 = rt_tsc();
		int64_t r;

		fmt_snprintf(full, sizeof(full), "%s%s", layers, spec);
		r = run_child(full);
		if (r < 0 || (!reported && r != 0))
			return -1;
		t[i] = reported ? (uint64_t)r : rt_tsc() - t0;
	}
	rt_sort_u64(t, RUNS);
	return 0;
}

/* Checkpointer, in memory: a counter stopped mid-loop is saved, killed
 * and made again from the checkpoint (a new environment, new pages, a
 * new capability); it continues from the saved count to its bound. */
SELFTEST(checkpoint_restore)
{
	uint64_t id, c, again, v;
	int64_t len;

	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	CHECK_EQ(map_ckpt_buf(CKPT_PAGES), 0);
	CHECK((id = (uint64_t)nester_spawn("counter")) > 0);
	CHECK_EQ(count_then_stop(id, 1000, &c), 0);
	v = c + 700;
	CHECK_EQ(nest_poke(id, (uint64_t)&target, &v, 8), 0);
	len = nest_ckpt_save(id, (void *)CKPT_BUF, CKPT_PAGES * XOK_PAGE_SIZE);
	CHECK(len > 0);
	CHECK_EQ(nester_kill(id), 0);
	CHECK((id = (uint64_t)nester_restore((void *)CKPT_BUF,
					      (uint64_t)len)) > 0);
	CHECK_EQ(nest_peek(id, (uint64_t)&counted, &again, 8), 0);
	CHECK_EQ(again, c);
	nester_run(0, 0);
	CHECK_EQ(nester_wait(id), (int64_t)((c + 700) % 1000));
	printf("checkpoint: %ld bytes; saved at count %lu, killed, restored, "
	       "continued to %lu\n", len, c, c + 700);
	unmap_ckpt_buf(CKPT_PAGES);
	nester_stop();
	return 0;
}

/* The counter in nester `id`'s subtree (its child's child), or 0. */
static uint64_t grandchild(uint64_t id)
{
	for (unsigned i = 0; i < XOK_NENV; i++) {
		uint64_t p = ENVS[i].parent;

		if (ENVS[i].id && p && ENVS[xok_env_slot(p)].parent == id)
			return ENVS[i].id;
	}
	return 0;
}

/* Checkpointer, a nester's subtree, in memory: pm over a counter is
 * stopped whole, saved (pm's main environment, the counter), killed and
 * made again; pm starts a new server, makes its counter again and waits
 * for it by the id it had; the counter goes on from the saved count. */
SELFTEST(checkpoint_nester)
{
	uint64_t id, g, c, again, v;
	int64_t len;

	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	CHECK_EQ(map_ckpt_buf(CKPT_PAGES), 0);
	CHECK_EQ(nester_restore_tree((void *)CKPT_BUF, XOK_PAGE_SIZE), E_INVAL);
	CHECK((id = (uint64_t)nester_spawn("counter")) > 0);
	CHECK_EQ(nest_stop_tree(id), E_INVAL); /* a program: no subtree */
	CHECK_EQ(nest_ckpt_save_tree(id, (void *)CKPT_BUF, XOK_PAGE_SIZE),
		 E_INVAL);
	CHECK_EQ(nester_kill(id), 0);
	CHECK((id = (uint64_t)nester_spawn("pm:counter")) > 0);
	do {
		run_for(1);
	} while (!(g = grandchild(id)) ||
		 nest_peek(g, (uint64_t)&counted, &c, 8) < 0 || c < 1000);
	CHECK_EQ(stop_child(id, nest_stop_tree), 0);
	CHECK_EQ(nest_peek(g, (uint64_t)&counted, &c, 8), 0);
	v = c + 700;
	CHECK_EQ(nest_poke(g, (uint64_t)&target, &v, 8), 0);
	len = nest_ckpt_save_tree(id, (void *)CKPT_BUF,
				  CKPT_PAGES * XOK_PAGE_SIZE);
	CHECK(len > 0);
	CHECK_EQ(nester_kill(id), 0);
	CHECK((id = (uint64_t)nester_restore_tree((void *)CKPT_BUF,
						   (uint64_t)len)) > 0);
	CHECK((g = grandchild(id)) > 0);
	CHECK_EQ(nest_peek(g, (uint64_t)&counted, &again, 8), 0);
	CHECK_EQ(again, c);
	nester_run(0, 0);
	CHECK_EQ(nester_wait(id), (int64_t)((c + 700) % 1000));
	printf("checkpoint of a nester: %ld bytes (pm and its counter); "
	       "saved at count %lu, killed, restored, continued to %lu\n",
	       len, c, c + 700);
	unmap_ckpt_buf(CKPT_PAGES);
	nester_stop();
	return 0;
}

/* Per-layer slowdown (Fluke's experiment): the same programs directly
 * under this root and under 1..3 process managers between. Printed,
 * never judged: besides a line for people, one BENCH line per figure
 * (median, least and most of RUNS runs), which `make bench` boots under
 * -icount, where the figures repeat, and tabulates (tests/bench). */
/* The checkpointer refuses what it cannot save, before it runs any of
 * it or touches the disk. */
SELFTEST(ckpt_refuses)
{
	static const char *const refused[] = {
		"/job:pm:mm:4:filecounter:3000",
		"/job:tracer:pm:fs:/d:filecounter:3000",
		"/job:mm:4:filecounter:3000",
		"/job:fs:/d:filecounter:3000",
	};

	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_EQ(checkpointer(refused[i]), CKPT_REFUSED);
	return 0;
}

SELFTEST(layer_slowdown)
{
	static const char *const layers[] = { "", "pm:", "pm:pm:",
					      "pm:pm:pm:" };
	uint64_t call0 = 0, suite0 = 0, call[RUNS], suite[RUNS];

	CHECK_EQ(nester_start(0, ROOT_QUOTA), 0);
	for (int l = 0; l < 4; l++) {
		CHECK_EQ(runs_of(layers[l], "pingloop:1000", 1, call), 0);
		CHECK_EQ(runs_of(layers[l], "suite", 0, suite), 0);
		CHECK(call[0] > 0 && suite[0] > 0);
		if (!l)
			call0 = call[1], suite0 = suite[1];
		printf("nest layers %d: protocol call %lu cycles (%ld%% over "
		       "direct), suite %lu kcycles (%ld%% over direct)\n", l,
		       call[1], ((int64_t)call[1] - (int64_t)call0) * 100 /
		       (int64_t)call0, suite[1] / 1000,
		       ((int64_t)suite[1] - (int64_t)suite0) * 100 /
		       (int64_t)suite0);
		printf("BENCH nest_layers_call_%d cycles %lu %lu %lu %d\n", l,
		       call[1], call[0], call[RUNS - 1], RUNS);
		printf("BENCH nest_layers_suite_%d cycles %lu %lu %lu %d\n", l,
		       suite[1], suite[0], suite[RUNS - 1], RUNS);
	}
	nester_stop();
	return 0;
}

int main(const char *arg)
{
	const struct nest_prog *p = nest_prog_find(arg);

	/* Only the root's capability opens XN's disk. */
	if (p && (p->main == fs_nester || p->main == checkpointer))
		return p->main(strchr(arg, ':') ? strchr(arg, ':') + 1 : "");
	if (p) {
		int64_t r;

		if (nester_start(0, ROOT_QUOTA) < 0)
			return 90;
		r = run_child(arg);
		printf("nest: %s exited with status %ld\n", arg, r);
		return (int)r;
	}
	return rt_run_selftests(arg);
}
