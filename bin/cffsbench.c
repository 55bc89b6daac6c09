/*
 * cffsbench: the file rows of tests/bench (files_1000_small, file_64mib)
 * on C-FFS over XN's calls (libfs-cffs/xnblk.c), on a fresh XN disk
 * attached as the same virtio-blk device Linux's ext2 disk is. The
 * workloads are exactly linux/prim.c's, call for call:
 *
 *   files_1000_small  mkdir small; 1,000 x (create small/fNNNN, which
 *                     must not exist; write 1 KiB); sync; drop the
 *                     caches; 1,000 x (lookup, read 2 KiB, which must
 *                     return 1 KiB); 1,000 unlinks; rmdir small; sync
 *   file_64mib        create big; 1,024 writes of 64 KiB; fsync; sync;
 *                     drop the caches; lookup; 64 KiB reads to EOF (must
 *                     total 64 MiB). Untimed after each run: unlink, sync
 *
 * "sync" is xnblk_flush (every dirty block, in XN's write order) and
 * xn_sync (the free map). "Drop the caches": the name index is emptied
 * (Linux drops its dentries); XN has no call that empties its registry,
 * so the program unmaps its blocks and reads a scratch file a quarter
 * larger than the registry, which makes XN reclaim every clean entry (it
 * reclaims round the registry in turn); that reading is not timed (Linux's drop_caches is: a few ms).
 * Milliseconds of guest wall-clock time (run without -icount), median
 * of 5 runs after one warm-up, printed as tests/bench's BENCH lines.
 * Each run also prints where its time went (a line "cffsbench: phases
 * ..."). "quick": 1 run of 100 files and 4 MiB, for
 * the test suite's smoke scenario. Needs disk 0 formatted by xn-mkfs (at least 96 MiB in full).
 */
#include <xok/disk.h>
#include <xok/xn.h>

#include "../lib/fmt.h"
#include "../libfs-cffs/cffs.h"
#include "../libfs-cffs/xnmount.h"
#include "rt/rt.h"

#define WINDOW 0x0000200000000000ull
#define MAX_RUNS 5
#define SMALL_BYTES 1024
#define CHUNK (64u << 10)
#define SCRATCH_BLOCKS (XOK_XN_REGISTRY + XOK_XN_REGISTRY / 4)

static struct xnblk fs;
static struct cffs_dindex fs_index;
static struct cffs_blk *b = &fs.blk;
static unsigned runs = MAX_RUNS, small_files = 1000;
static uint64_t big_bytes = 64ull << 20;
static uint8_t chunk[CHUNK], in[CHUNK];
/* Not to be counted: since the last phase, and in the whole run. */
static uint64_t untimed_ns, untimed_total_ns;

static void die(const char *what, long r)
{
	printf("cffsbench: %s failed (%ld)\n", what, r);
	rt_exit(1);
}

static void sync_all(void)
{
	int r = xnblk_flush();

	if (r || (r = (int)xok_xn_sync(0)))
		die("sync", r);
}

/* Syncs, then makes sure nothing of the file system is cached: what is
 * read next comes from the disk. Not counted in the run's time. */
static void drop_caches(void)
{
	uint64_t t0, off;
	struct cffs_loc f;
	long r;

	sync_all();
	t0 = xok_clock_ns();
	dindex_reset(&fs_index);
	xnblk_trim(&fs, 0);
	if ((r = cffs_lookup(b, "/scratch", &f)))
		die("lookup /scratch", r);
	for (off = 0; off < SCRATCH_BLOCKS * (uint64_t)CFFS_BLOCK; off += CHUNK)
		if ((r = cffs_read(b, &f, off, in, CHUNK)) != CHUNK)
			die("read /scratch", r);
	xnblk_trim(&fs, 0);
	t0 = xok_clock_ns() - t0;
	untimed_ns += t0;
	untimed_total_ns += t0;
}

static void small_name(char *name, size_t size, unsigned i)
{
	fmt_snprintf(name, size, "/small/f%04u", i);
}

/* The phases of a run, for its "phases" line: files_1000_small's, then
 * file_64mib's. */
enum { CREATE, SYNC, READ, UNLINK, BIG_WRITE, BIG_SYNC, BIG_READ, NPHASES };
static uint64_t phase_ns[NPHASES], phase_start;

static void phase_done(int phase)
{
	uint64_t now = xok_clock_ns();

	phase_ns[phase] = now - phase_start - untimed_ns;
	untimed_ns = 0;
	phase_start = now;
}

static void small_files_run(void)
{
	char name[32];
	struct cffs_loc f;
	long r;

	phase_start = xok_clock_ns();
	if ((r = cffs_mkdir(b, "/small", 0755)))
		die("mkdir /small", r);
	for (unsigned i = 0; i < small_files; i++) {
		small_name(name, sizeof(name), i);
		if ((r = cffs_create(b, name, CFFS_S_IFREG | 0644, &f)) ||
		    (r = cffs_write(b, &f, 0, chunk, SMALL_BYTES)) != SMALL_BYTES)
			die("files_1000_small create", r);
	}
	phase_done(CREATE);
	drop_caches();
	phase_done(SYNC);
	for (unsigned i = 0; i < small_files; i++) {
		small_name(name, sizeof(name), i);
		/* Twice the size asked: a longer file would show. */
		if ((r = cffs_lookup(b, name, &f)) ||
		    (r = cffs_read(b, &f, 0, in, 2 * SMALL_BYTES)) != SMALL_BYTES)
			die("files_1000_small read", r);
	}
	phase_done(READ);
	for (unsigned i = 0; i < small_files; i++) {
		small_name(name, sizeof(name), i);
		if ((r = cffs_unlink(b, name)))
			die("files_1000_small unlink", r);
	}
	if ((r = cffs_rmdir(b, "/small")))
		die("rmdir /small", r);
	sync_all();
	phase_done(UNLINK);
	printf("cffsbench: phases (ms): create %lu, sync %lu, read %lu, "
	       "unlink and sync %lu\n", phase_ns[CREATE] / 1000000,
	       phase_ns[SYNC] / 1000000, phase_ns[READ] / 1000000,
	       phase_ns[UNLINK] / 1000000);
}

static void big_file_run(void)
{
	uint64_t off, got = 0;
	struct cffs_loc f;
	long r;

	phase_start = xok_clock_ns();
	if ((r = cffs_create(b, "/big", CFFS_S_IFREG | 0644, &f)))
		die("file_64mib create", r);
	for (off = 0; off < big_bytes; off += CHUNK)
		if ((r = cffs_write(b, &f, off, chunk, CHUNK)) != CHUNK)
			die("file_64mib write", r);
	phase_done(BIG_WRITE);
	if ((r = cffs_fsync(b, &f)))
		die("file_64mib fsync", r);
	drop_caches();
	phase_done(BIG_SYNC);
	if ((r = cffs_lookup(b, "/big", &f)))
		die("file_64mib open", r);
	while ((r = cffs_read(b, &f, got, in, CHUNK)) > 0)
		got += (uint64_t)r;
	if (r < 0 || got != big_bytes)
		die("file_64mib read", r < 0 ? r : (long)got);
	phase_done(BIG_READ);
	printf("cffsbench: phases (ms): write %lu, fsync and sync %lu, "
	       "read %lu\n", phase_ns[BIG_WRITE] / 1000000,
	       phase_ns[BIG_SYNC] / 1000000, phase_ns[BIG_READ] / 1000000);
}

static void big_file_tidy(void)
{
	long r = cffs_unlink(b, "/big");

	if (r)
		die("file_64mib unlink", r);
	sync_all();
}

/* One warm-up run, then `runs` timed ones; prints the BENCH line. */
static void measure(const char *name, void (*run)(void), void (*tidy)(void))
{
	uint64_t ms[MAX_RUNS];

	for (int k = -1; k < (int)runs; k++) {
		uint64_t t0 = xok_clock_ns();

		untimed_ns = 0;
		untimed_total_ns = 0;
		run();
		if (k >= 0)
			ms[k] = (xok_clock_ns() - t0 - untimed_total_ns +
				 500000) / 1000000;
		if (tidy)
			tidy();
	}
	rt_sort_u64(ms, (int)runs);
	printf("BENCH %s ms %lu %lu %lu %u\n", name, ms[runs / 2], ms[0],
	       ms[runs - 1], runs);
}

/* The scratch file drop_caches reads, written once. */
static void make_scratch(void)
{
	struct cffs_loc f;
	long r;

	if ((r = cffs_create(b, "/scratch", CFFS_S_IFREG | 0644, &f)))
		die("create /scratch", r);
	for (uint64_t off = 0; off < SCRATCH_BLOCKS * (uint64_t)CFFS_BLOCK;
	     off += CHUNK)
		if ((r = cffs_write(b, &f, off, chunk, CHUNK)) != CHUNK)
			die("write /scratch", r);
	sync_all();
}

int main(const char *arg)
{
	int r;

	if (!strcmp(arg, "quick")) {
		runs = 1;
		small_files = 100;
		big_bytes = 4u << 20;
	}
	for (unsigned i = 0; i < CHUNK; i++)
		chunk[i] = (uint8_t)(i * 7 + 1);
	if ((r = xnmount_cffs(&fs, &fs_index, "files", WINDOW, 1)))
		die("mounting a fresh C-FFS", r);
	make_scratch();
	measure("files_1000_small", small_files_run, NULL);
	measure("file_64mib", big_file_run, big_file_tidy);
	r = cffs_unlink(b, "/scratch");
	sync_all();
	return r || xok_xn_sync(1) ? 2 : 0;
}
