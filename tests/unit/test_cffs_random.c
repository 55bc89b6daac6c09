/*
 * libfs-cffs: random operations against a model. Seeded sequences of
 * mkdir, rmdir, create, write, read, truncate and unlink on two
 * directories of four files each; every result must match what the model
 * predicts, every read the model's bytes, and the disk must stay
 * consistent (memblk_check) throughout and give every block back at the
 * end.
 */
#include <stdio.h>
#include <string.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/memblk.h"
#include "unit.h"

#define DIRS 2
#define FILES 4
#define MAXSIZE (100 * 1024) /* past the direct blocks */

static struct memblk m;
static struct cffs_blk *b = &m.blk;
static uint64_t seed;
static int reads; /* reads that returned data, so the test means something */

static struct model {
	int dir[DIRS];
	int file[DIRS][FILES];
	uint64_t size[DIRS][FILES];
	uint8_t bytes[DIRS][FILES][MAXSIZE];
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
		n += model.file[d][f];
	return n;
}

/* One random operation; 1 if its result matched the model. */
static int step(void)
{
	/* Weights: mostly writes and reads, so files live long enough. */
	static const int ops[] = { 0, 1, 2, 2, 3, 4, 4, 4, 5, 5, 5, 6 };
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
	case 2: /* create */
		r = cffs_create(b, p, CFFS_S_IFREG | 0644, NULL);
		if (!model.dir[d])
			return r == CFFS_ENOENT;
		if (model.file[d][f])
			return r == CFFS_EEXIST;
		model.file[d][f] = 1;
		model.size[d][f] = 0;
		return r == 0;
	case 3: /* unlink */
		r = cffs_unlink(b, p);
		if (!model.dir[d] || !model.file[d][f])
			return r == CFFS_ENOENT;
		model.file[d][f] = 0;
		return r == 0;
	}
	r = cffs_lookup(b, p, &at);
	if (!model.dir[d] || !model.file[d][f])
		return r == CFFS_ENOENT;
	if (r)
		return 0;
	switch (op) {
	case 4: /* write */
		for (uint64_t i = 0; i < len; i++)
			buf[i] = (uint8_t)next(256);
		if (cffs_write(b, &at, off, buf, len) != (long)len)
			return 0;
		if (off > model.size[d][f])
			memset(model.bytes[d][f] + model.size[d][f], 0,
			       off - model.size[d][f]);
		memcpy(model.bytes[d][f] + off, buf, len);
		if (off + len > model.size[d][f])
			model.size[d][f] = off + len;
		return 1;
	case 5: /* read */
		r = cffs_read(b, &at, off, buf, len);
		if (off >= model.size[d][f])
			return r == 0;
		if (off + len > model.size[d][f])
			len = model.size[d][f] - off;
		reads += len > 0;
		return r == (long)len &&
		       !memcmp(buf, model.bytes[d][f] + off, len);
	default: /* truncate */
		model.size[d][f] = 0;
		return cffs_truncate(b, &at) == 0;
	}
}

static void run(uint64_t s, int steps)
{
	uint64_t empty;
	int ok = 1, consistent = 1;

	memset(&model, 0, sizeof(model));
	seed = s;
	reads = 0;
	CU_ASSERT_FATAL(memblk_init(&m, 4096) == 0);
	CU_ASSERT_FATAL(cffs_mkfs(b) == 0);
	empty = memblk_free_count(&m);
	for (int i = 0; i < steps && ok; i++) {
		ok &= step();
		if (i % 200 == 0)
			consistent &= memblk_check(&m) == 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT(consistent);
	CU_ASSERT(reads > 150); /* about 200 with these weights */
	/* Remove everything: every block comes back but the DIR block the
	 * root directory grew. */
	for (int d = 0; d < DIRS; d++) {
		char p[32];

		for (int f = 0; f < FILES; f++) {
			path_of(p, d, f);
			cffs_unlink(b, p);
		}
		path_of(p, d, -1);
		cffs_unlink(b, p);
	}
	CU_ASSERT_EQUAL(memblk_free_count(&m), empty - 1);
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	memblk_free(&m);
}

static void random_ops_seed_1(void)
{
	run(1, 3000);
}

static void random_ops_seed_2(void)
{
	run(2, 3000);
}

void add_cffs_random_tests(void)
{
	static const struct unit_test tests[] = {
		{ "random_ops_seed_1", random_ops_seed_1 },
		{ "random_ops_seed_2", random_ops_seed_2 },
		{ 0, 0 },
	};
	add_suite("cffs_random", tests);
}
