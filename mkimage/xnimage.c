/*
 * xnimage: formatting and checking XN disk images.
 */
#include "xnimage.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../xn/freemap.h"
#include "../xn/owns.h"
#include "../xn/udf.h"

int xnimage_read(FILE *img, uint64_t b, void *buf)
{
	if (fseeko(img, (off_t)(b * XOK_XN_BLOCK), SEEK_SET))
		return -1;
	return fread(buf, XOK_XN_BLOCK, 1, img) == 1 ? 0 : -1;
}

int xnimage_write(FILE *img, uint64_t b, const void *buf)
{
	if (fseeko(img, (off_t)(b * XOK_XN_BLOCK), SEEK_SET))
		return -1;
	return fwrite(buf, XOK_XN_BLOCK, 1, img) == 1 ? 0 : -1;
}

int xnimage_format(const char *path, uint64_t nblocks, FILE *err)
{
	static uint8_t block[XOK_XN_BLOCK];
	struct xok_xn_super s;
	FILE *img;
	int bad = 0;

	if (xn_layout(nblocks, &s)) {
		fprintf(err, "%s: %lu blocks is too small for XN\n", path,
			(unsigned long)nblocks);
		return -1;
	}
	if (!(img = fopen(path, "w+b")) ||
	    ftruncate(fileno(img), (off_t)(nblocks * XOK_XN_BLOCK))) {
		fprintf(err, "%s: cannot create\n", path);
		if (img)
			fclose(img);
		return -1;
	}
	memset(block, 0, sizeof(block));
	memcpy(block, &s, sizeof(s));
	bad |= xnimage_write(img, 0, block);
	/* The free map: the fixed blocks are in use, the rest free. The
	 * catalogues start empty (zeroed by ftruncate). */
	for (uint64_t m = 0; m < s.freemap_blocks; m++) {
		memset(block, 0, sizeof(block));
		for (uint64_t b = m * XOK_XN_BLOCK * 8;
		     b < xn_first_owned(&s) && b < (m + 1) * XOK_XN_BLOCK * 8; b++)
			xn_bit_set(block, b - m * XOK_XN_BLOCK * 8);
		bad |= xnimage_write(img, s.freemap_start + m, block);
	}
	if (fclose(img) || bad) {
		fprintf(err, "%s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* An image as XN will see it once mounted: read through a committed
 * pair log (mounting copies its images in place). */
struct logged {
	FILE *img;
	const struct xok_xn_super *s;
	struct xok_xn_log log;
};

static int read_cb(uint64_t block, uint8_t *buf, void *ctx)
{
	struct logged *l = ctx;

	return xnimage_read(l->img, xn_log_redirect(l->s, &l->log, block), buf);
}

/* Loads the pair log's header; reports a committed or damaged one. */
static int load_log(struct logged *l, uint8_t *buf, FILE *report)
{
	int r;

	if (xnimage_read(l->img, xn_log_start(l->s), buf))
		return -1;
	memcpy(&l->log, buf, sizeof(l->log));
	if ((r = xn_log_check(l->s, &l->log)) == 1)
		fprintf(report, "note: a pair write was interrupted (XN "
				"finishes it from the log when it mounts)\n");
	if (r < 0)
		fprintf(report, "pair log: damaged header\n");
	return r < 0;
}

/* Loads the templates and roots (each smaller than the block holding
 * it, so read through `buf`); counts and reports what is malformed. */
static int load_catalogues(FILE *img, struct xnimage_head *h, uint8_t *buf,
			   FILE *report)
{
	const struct xok_xn_super *s = &h->super;
	struct xok_xn_template *types = h->types;
	int problems = 0, r;

	for (unsigned t = 0; t < XOK_XN_MAXTYPES; t++) {
		if (xnimage_read(img, s->types_start + t, buf))
			return XNIMAGE_UNREADABLE;
		memcpy(&types[t], buf, sizeof(types[t]));
		if (!types[t].in_use)
			continue;
		if (t == XOK_XN_DATA || (r = xn_template_check(&types[t]))) {
			fprintf(report, "type %u ('%.32s'): bad template (%s)\n",
				t, types[t].name,
				t == XOK_XN_DATA ? "type 0 is data" : udf_strerror(r));
			types[t].in_use = 0;
			problems++;
		}
	}
	if (xnimage_read(img, s->roots_block, buf))
		return XNIMAGE_UNREADABLE;
	memcpy(h->roots, buf, sizeof(h->roots));
	return problems;
}

int xnimage_load(FILE *img, const char *path, struct xnimage_head *h,
		 FILE *report)
{
	static uint8_t buf[XOK_XN_BLOCK];
	struct stat st;
	int r;

	if (fstat(fileno(img), &st) || xnimage_read(img, 0, buf)) {
		fprintf(report, "%s: cannot read\n", path);
		return XNIMAGE_UNREADABLE;
	}
	memcpy(&h->super, buf, sizeof(h->super));
	if (xn_super_check(&h->super, (uint64_t)st.st_size / XOK_XN_BLOCK)) {
		fprintf(report, "%s: not an XN disk, or its superblock is damaged"
				" (or the file is shorter than it says)\n", path);
		return XNIMAGE_BAD_SUPER;
	}
	if ((r = load_catalogues(img, h, buf, report)) == XNIMAGE_UNREADABLE)
		fprintf(report, "%s: cannot read\n", path);
	return r;
}

/* Compares the rebuilt map with the one on disk, block by block. */
static int compare_maps(FILE *img, const struct xok_xn_super *s,
			const uint8_t *rebuilt, FILE *report)
{
	uint8_t *disk = calloc(s->freemap_blocks, XOK_XN_BLOCK);
	int problems = 0;

	if (!disk)
		return -1;
	for (uint64_t m = 0; m < s->freemap_blocks; m++)
		if (xnimage_read(img, s->freemap_start + m,
				 disk + m * XOK_XN_BLOCK)) {
			free(disk);
			return -1;
		}
	for (uint64_t b = 0; b < s->nblocks; b++) {
		if (xn_bit(disk, b) == xn_bit(rebuilt, b))
			continue;
		if (problems++ < 20)
			fprintf(report, "block %lu: %s\n", (unsigned long)b,
				xn_bit(disk, b) ? "marked in use but reachable from no root (leaked)"
						: "reachable but marked free");
	}
	if (problems > 20)
		fprintf(report, "... %d blocks disagree in all\n", problems);
	free(disk);
	return problems;
}

int xnimage_check(const char *path, FILE *report)
{
	static struct xnimage_head h;
	static uint8_t buf[XOK_XN_BLOCK];
	const struct xok_xn_super *s = &h.super;
	uint8_t *map = 0;
	struct xok_xn_pair *stack = 0;
	uint64_t bad = 0;
	int problems, r;
	FILE *img = fopen(path, "rb");

	if (!img) {
		fprintf(report, "%s: cannot read\n", path);
		return -1;
	}
	problems = xnimage_load(img, path, &h, report);
	if (problems == XNIMAGE_BAD_SUPER || problems == XNIMAGE_UNREADABLE) {
		fclose(img);
		return problems == XNIMAGE_BAD_SUPER ? 1 : -1;
	}
	if (!s->clean)
		fprintf(report, "note: not cleanly shut down (XN rebuilds the "
				"free map when it mounts it)\n");
	struct logged logged = { img, s, { 0 } };
	int log_problems = load_log(&logged, buf, report);

	map = calloc(s->freemap_blocks, XOK_XN_BLOCK);
	stack = calloc(s->nblocks, sizeof(*stack));
	if (log_problems < 0 || !map || !stack) {
		problems = -1;
		goto out;
	}
	problems += log_problems;
	r = xn_rebuild(s, h.types, h.roots, read_cb, &logged, map, stack, buf,
		       &bad);
	if (r) {
		fprintf(report, "block %lu: %s\n", (unsigned long)bad,
			xnimage_strerror(r));
		problems++;
		goto out;
	}
	r = compare_maps(img, s, map, report);
	problems = r < 0 ? -1 : problems + r;
out:
	free(map);
	free(stack);
	fclose(img);
	return problems;
}

const char *xnimage_strerror(int r)
{
	return r == XN_E_TWICE_REACHED ? "reachable along two paths" :
	       r == XN_E_ROOT ? "root or pointer outside the disk, or root of no type" :
	       r == XN_E_READ ? "cannot be read" :
	       "its owns-UDF refuses its contents";
}

int xnimage_verdict(const char *path, int problems, FILE *out)
{
	if (problems < 0)
		return 2;
	fprintf(out, "%s: %s (%d problem%s)\n", path,
		problems ? "INCONSISTENT" : "consistent", problems,
		problems == 1 ? "" : "s");
	return problems ? 1 : 0;
}
