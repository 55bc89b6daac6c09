/*
 * fuzz_cffsimage: libFuzzer target for what reads C-FFS images: XN's
 * image checks, the imgblk backend, cffs-fsck's walk, cffs-ls's listing
 * and the libFS's own reads, on a small image made here once and damaged
 * by each input. An input is a list of patches to that image:
 *   byte 0        bit 0: truncate the image to byte 1's count of blocks
 *   then each     block (1 byte), offset (2), length (1, at most 32),
 *                 the bytes
 * Nothing may crash or hang. And the property the tools rest on: if
 * cffs-fsck accepts the damaged image, C-FFS's operations on it leave
 * an image cffs-fsck still accepts (else the target aborts).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/imgblk.h"
#include "../../mkimage/cffscheck.h"
#include "../../mkimage/cffsget.h"
#include "../../xn/freemap.h"

#define NBLOCKS 96
#define READ_MAX (4 * CFFS_BLOCK) /* of each file: sizes may be huge */

static uint8_t base[NBLOCKS][CFFS_BLOCK], work[NBLOCKS][CFFS_BLOCK];
static char path[64];
static FILE *nowhere;
static uint64_t meta[NBLOCKS]; /* the base image's metadata blocks */
static size_t nmeta;

/* xn_rebuild reads exactly the metadata blocks: note each. */
static int note_meta(uint64_t block, uint8_t *buf, void *ctx)
{
	(void)ctx;
	memcpy(buf, base[block], CFFS_BLOCK);
	meta[nmeta++] = block;
	return 0;
}

/* Finds the base image's metadata blocks: XN's superblock, free map
 * and root catalogue (not its templates, whose damage only makes the
 * image refused at once), then those reached from the roots. */
static void find_meta(void)
{
	static struct xnimage_head h;
	static struct xok_xn_pair stack[NBLOCKS];
	static uint8_t map[CFFS_BLOCK], buf[CFFS_BLOCK];
	FILE *img = fopen(path, "rb");
	uint64_t bad;

	if (!img || xnimage_load(img, path, &h, stderr) < 0)
		abort();
	fclose(img);
	meta[nmeta++] = 0;
	for (uint64_t b = 0; b < h.super.freemap_blocks; b++)
		meta[nmeta++] = h.super.freemap_start + b;
	meta[nmeta++] = h.super.roots_block;
	if (xn_rebuild(&h.super, h.types, h.roots, note_meta, NULL, map, stack,
		       buf, &bad))
		abort();
}

/* The undamaged image: directories, small files, one through an
 * indirect block, a link. */
static void make_base(void)
{
	static struct imgblk x;
	static uint8_t big[14 * CFFS_BLOCK];
	struct cffs_blk *b = &x.mem.blk;
	struct cffs_loc f;
	FILE *img;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31);
	if (imgblk_format(path, NBLOCKS, IMGBLK_ROOT, stderr) ||
	    imgblk_open(&x, path, IMGBLK_ROOT, 1, stderr) || cffs_mkfs(b) ||
	    cffs_create(b, "/etc", CFFS_S_IFDIR | 0755, NULL) ||
	    cffs_create(b, "/etc/motd", CFFS_S_IFREG | 0644, &f) ||
	    cffs_write(b, &f, 0, "hello\n", 6) != 6 ||
	    cffs_create(b, "/etc/sub", CFFS_S_IFDIR | 0700, NULL) ||
	    cffs_create(b, "/big", CFFS_S_IFREG | 0600, &f) ||
	    cffs_write(b, &f, 0, big, sizeof(big)) != sizeof(big) ||
	    cffs_symlink(b, "/etc/link", "motd") || imgblk_close(&x) ||
	    !(img = fopen(path, "rb")) ||
	    fread(base, CFFS_BLOCK, NBLOCKS, img) != NBLOCKS || fclose(img)) {
		fprintf(stderr, "fuzz_cffsimage: cannot make the base image\n");
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/tmp/fuzz-cffs-%d.img", (int)getpid());
	nowhere = fopen("/dev/null", "w");
	make_base();
	find_meta();
	return 0;
}

/* Applies the input's patches to `work`; returns the image's length in
 * blocks. */
static size_t damage(const uint8_t *in, size_t n)
{
	size_t blocks = NBLOCKS, i = 1;

	memcpy(work, base, sizeof(work));
	if (n >= 2 && (in[0] & 1)) {
		blocks = in[1] % (NBLOCKS + 1);
		i = 2;
	}
	while (i + 4 <= n) {
		size_t blk = in[i] & 0x80 ? meta[in[i] % nmeta] : in[i] % NBLOCKS,
		       off = (in[i + 1] | in[i + 2] << 8) % CFFS_BLOCK,
		       len = in[i + 3] % 33;

		i += 4;
		if (len > n - i)
			len = n - i;
		if (len > CFFS_BLOCK - off)
			len = CFFS_BLOCK - off;
		memcpy(&work[blk][off], in + i, len);
		i += len;
	}
	return blocks;
}

/* Reads every file (a bounded prefix: sizes may be huge), link and
 * directory below directory `dir`, named `path` (PATH_LEN bytes). */
#define PATH_LEN 512
static void read_tree(struct cffs_blk *b, char *dir, unsigned depth)
{
	static uint8_t buf[READ_MAX];
	char name[CFFS_NAME_MAX + 1];
	struct cffs_inode ino;
	struct cffs_loc at;
	uint64_t cursor = 0;
	size_t len = strlen(dir);

	if (cffs_lookup(b, dir, &at))
		return;
	while (cffs_readdir(b, &at, &cursor, name, &ino) == 1) {
		struct cffs_loc f;

		if (len + strlen(name) + 2 > PATH_LEN)
			continue;
		snprintf(dir + len, PATH_LEN - len, "/%s", name);
		if ((ino.mode & CFFS_S_IFMT) == CFFS_S_IFDIR && depth < 8)
			read_tree(b, dir, depth + 1);
		else if (!cffs_lookup(b, dir, &f))
			cffs_read(b, &f, 0, buf, sizeof(buf));
		if (!cffs_lookup(b, dir, &f))
			cffs_readlink(b, &f, (char *)buf, sizeof(buf));
		dir[len] = 0;
	}
}

/* C-FFS's operations, which must keep an accepted image acceptable. */
static void operate(struct cffs_blk *b)
{
	static uint8_t data[20000];
	struct cffs_loc f;

	memset(data, 'z', sizeof(data));
	cffs_create(b, "/new", CFFS_S_IFDIR | 0755, NULL);
	if (!cffs_create(b, "/new/file", CFFS_S_IFREG | 0644, &f))
		cffs_write(b, &f, 0, data, sizeof(data));
	cffs_symlink(b, "/new/link", "file");
	cffs_unlink(b, "/etc/motd");
	if (!cffs_lookup(b, "/new/file", &f))
		cffs_set_size(b, &f, 5000); /* cut inside a block */
	if (!cffs_lookup(b, "/big", &f))
		cffs_truncate(b, &f);
	cffs_unlink(b, "/etc/sub");
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static struct imgblk x;
	size_t blocks = damage(in, n);
	FILE *img = fopen(path, "wb");
	int accepted;

	if (!img || fwrite(work, CFFS_BLOCK, blocks, img) != blocks ||
	    fclose(img))
		abort();
	accepted = cffscheck(path, IMGBLK_ROOT, 0, nowhere) == 0;
	if (!imgblk_open(&x, path, IMGBLK_ROOT, 0, nowhere)) {
		char dir[PATH_LEN] = "";

		cffsget_list(&x.mem.blk, "/", 1, nowhere, nowhere);
		read_tree(&x.mem.blk, dir, 0);
		imgblk_close(&x);
	}
	if (accepted && !imgblk_open(&x, path, IMGBLK_ROOT, 1, nowhere)) {
		operate(&x.mem.blk);
		if (imgblk_close(&x) ||
		    cffscheck(path, IMGBLK_ROOT, 0, stderr) != 0) {
			fprintf(stderr, "fuzz_cffsimage: C-FFS's operations "
					"broke an image fsck accepted\n");
			abort();
		}
	}
	return 0;
}
