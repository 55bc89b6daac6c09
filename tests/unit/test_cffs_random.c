/*
 * libfs-cffs: random operations against a model. Seeded sequences of
 * mkdir, rmdir, create, write, read, truncate, unlink, rename and link on
 * two directories of four names each; every result must match what the model
 * predicts, every read the model's bytes, and the disk must stay
 * consistent (memblk_check) throughout and give every block back at the
 * end. Seeds 3 and 4 run with a name index (dindex.h), and one step in
 * five without it, as another process would change the directories.
 */
#include <stdio.h>
#include <string.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/dindex.h"
#include "../../libfs-cffs/memblk.h"
#include "unit.h"

#define DIRS 2
#define FILES 4
#define MAXSIZE (100 * 1024) /* past the direct blocks */

static struct memblk m;
static struct cffs_blk *b = &m.blk;
static uint64_t seed;
static struct cffs_dindex ix;
static int reads; /* reads that returned data, so the test means something */
static int moves; /* renames and links that changed something, likewise */

#define INODES (DIRS * FILES) /* every name a file of its own, at most */

static struct model {
	int dir[DIRS];
	int ino[DIRS][FILES]; /* the file a name names, or -1 */
	uint32_t links[INODES]; /* 0: the inode is unused */
	uint64_t size[INODES];
	uint8_t bytes[INODES][MAXSIZE];
} model;

static uint64_t next(uint64_t n)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (seed >> 33) % n;
}

static void path_of(char *p, int d, int f)
{
	if (f < 0)
		sprintf(p, "/d%d", d);
	else
		sprintf(p, "/d%d/f%d", d, f);
}

static int files_in(int d)
{
	int n = 0;

	for (int f = 0; f < FILES; f++)
		n += model.ino[d][f] >= 0;
	return n;
}

static int unused_inode(void)
{
	int i = 0;

	while (model.links[i])
		i++;
	return i;
}

/* rename (`link` 0) or link of name (d, f) to name (d2, f2) in the
 * model; 1 if cffs's result `r` is the one expected. */
static int rename_or_link(int link, int d, int f, int d2, int f2, long r)
{
	int src = model.dir[d] ? model.ino[d][f] : -1, *dst = &model.ino[d2][f2];

	if (src < 0 || !model.dir[d2])
		return r == CFFS_ENOENT;
	if (link) {
		if (*dst >= 0)
			return r == CFFS_EEXIST;
		model.links[src]++;
	} else if (*dst == src) {
		return r == 0; /* the same file: nothing happens */
	} else {
		if (*dst >= 0)
			model.links[*dst]--;
		model.ino[d][f] = -1;
	}
	*dst = src;
	moves++;
	return r == 0;
}

/* One random operation; 1 if its result matched the model. */
static int step(void)
{
	/* Weights: mostly writes and reads, so files live long enough. */
	static const int ops[] = { 0, 1, 2, 2, 3, 4, 4, 4, 5, 5, 5, 6, 7, 8 };
	static uint8_t buf[16384];
	int d = (int)next(DIRS), f = (int)next(FILES);
	int op = ops[next(sizeof(ops) / sizeof(ops[0]))];
	uint64_t off = next(MAXSIZE - sizeof(buf)), len = next(sizeof(buf));
	struct cffs_loc at;
	char p[32];
	long r;

	path_of(p, d, op <= 1 ? -1 : f);
	switch (op) {
	case 0: { /* mkdir */
		int existed = model.dir[d];

		r = cffs_create(b, p, CFFS_S_IFDIR | 0755, NULL);
		model.dir[d] = 1;
		return r == (existed ? CFFS_EEXIST : 0);
	}
	case 1: /* rmdir */
		r = cffs_unlink(b, p);
		if (!model.dir[d])
			return r == CFFS_ENOENT;
		if (files_in(d))
			return r == CFFS_ENOTEMPTY;
		model.dir[d] = 0;
		return r == 0;
	case 2: { /* create */
		int i;

		r = cffs_create(b, p, CFFS_S_IFREG | 0644, NULL);
		if (!model.dir[d])
			return r == CFFS_ENOENT;
		if (model.ino[d][f] >= 0)
			return r == CFFS_EEXIST;
		/* A free name: a free inode too (a name each, at most). */
		i = unused_inode();
		model.ino[d][f] = i;
		model.links[i] = 1;
		model.size[i] = 0;
		return r == 0;
	}
	case 3: /* unlink */
		r = cffs_unlink(b, p);
		if (!model.dir[d] || model.ino[d][f] < 0)
			return r == CFFS_ENOENT;
		model.links[model.ino[d][f]]--;
		model.ino[d][f] = -1;
		return r == 0;
	case 7: /* rename */
	case 8: { /* link */
		int d2 = (int)next(DIRS), f2 = (int)next(FILES);
		char p2[32];

		path_of(p2, d2, f2);
		r = op == 7 ? cffs_rename(b, p, p2) : cffs_link(b, p, p2);
		return rename_or_link(op == 8, d, f, d2, f2, r);
	}
	}
	r = cffs_lookup(b, p, &at);
	if (!model.dir[d] || model.ino[d][f] < 0)
		return r == CFFS_ENOENT;
	if (r)
		return 0;
	int i = model.ino[d][f];
	struct cffs_inode ino;
	if (cffs_stat(b, &at, &ino) || ino.nlink != model.links[i])
		return 0;
	switch (op) {
	case 4: /* write */
		for (uint64_t i = 0; i < len; i++)
			buf[i] = (uint8_t)next(256);
		if (cffs_write(b, &at, off, buf, len) != (long)len)
			return 0;
		if (off > model.size[i])
			memset(model.bytes[i] + model.size[i], 0,
			       off - model.size[i]);
		memcpy(model.bytes[i] + off, buf, len);
		if (off + len > model.size[i])
			model.size[i] = off + len;
		return 1;
	case 5: /* read */
		r = cffs_read(b, &at, off, buf, len);
		if (off >= model.size[i])
			return r == 0;
		if (off + len > model.size[i])
			len = model.size[i] - off;
		reads += len > 0;
		return r == (long)len && !memcmp(buf, model.bytes[i] + off, len);
	default: /* truncate: half the time to 0, else to any length */
		off = next(2) ? 0 : next(MAXSIZE);
		if (off > model.size[i])
			memset(model.bytes[i] + model.size[i], 0,
			       off - model.size[i]);
		model.size[i] = off;
		return (off ? cffs_set_size(b, &at, off)
			    : cffs_truncate(b, &at)) == 0;
	}
}

static void run(uint64_t s, int steps, int indexed)
{
	uint64_t empty;
	int ok = 1, consistent = 1;

	memset(&model, 0, sizeof(model));
	memset(model.ino, 0xff, sizeof(model.ino)); /* -1: no file */
	seed = s;
	reads = 0;
	moves = 0;
	CU_ASSERT_FATAL(memblk_init(&m, 4096) == 0);
	CU_ASSERT_FATAL(cffs_mkfs(b) == 0);
	empty = memblk_free_count(&m);
	dindex_reset(&ix);
	for (int i = 0; i < steps && ok; i++) {
		b->index = indexed && next(5) ? &ix : NULL;
		ok &= step();
		if (i % 200 == 0)
			consistent &= memblk_check(&m) == 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT(consistent);
	CU_ASSERT(reads > 150); /* about 200 with these weights */
	CU_ASSERT(moves > 100); /* about 165 */
	/* Remove everything: every block comes back but the DIR block the
	 * root directory grew, and the inode table's two if a link made it. */
	for (int d = 0; d < DIRS; d++) {
		char p[32];

		for (int f = 0; f < FILES; f++) {
			path_of(p, d, f);
			cffs_unlink(b, p);
		}
		path_of(p, d, -1);
		cffs_unlink(b, p);
	}
	CU_ASSERT(memblk_free_count(&m) == empty - 1 ||
		  memblk_free_count(&m) == empty - 3);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	memblk_free(&m);
}

static void random_ops_seed_1(void)
{
	run(1, 3000, 0);
}

static void random_ops_seed_2(void)
{
	run(2, 3000, 0);
}

static void random_ops_indexed_seed_3(void)
{
	run(3, 3000, 1);
}

static void random_ops_indexed_seed_4(void)
{
	run(4, 3000, 1);
}

void add_cffs_random_tests(void)
{
	static const struct unit_test tests[] = {
		{ "random_ops_seed_1", random_ops_seed_1 },
		{ "random_ops_seed_2", random_ops_seed_2 },
		{ "random_ops_indexed_seed_3", random_ops_indexed_seed_3 },
		{ "random_ops_indexed_seed_4", random_ops_indexed_seed_4 },
		{ 0, 0 },
	};
	add_suite("cffs_random", tests);
}
