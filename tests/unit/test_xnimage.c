/*
 * mkimage/xnimage: xn-mkfs and xn-fsck on image files: a fresh disk is
 * consistent; a populated one is; each kind of damage is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../mkimage/xnimage.h"
#include "../../xn/freemap.h"
#include "../../xn/sample_types.h"
#include "unit.h"

#define NBLOCKS 512

static char path[64];
static FILE *null_out;
static struct xok_xn_super super;

static FILE *open_image(void)
{
	return fopen(path, "r+b");
}

static void put(FILE *img, uint64_t b, const void *bytes, size_t len)
{
	static uint8_t block[XOK_XN_BLOCK];

	memset(block, 0, sizeof(block));
	memcpy(block, bytes, len);
	CU_ASSERT_EQUAL(xnimage_write(img, b, block), 0);
}

static void set_map_bit(FILE *img, uint64_t b, int on)
{
	static uint8_t map[XOK_XN_BLOCK];

	CU_ASSERT_EQUAL(xnimage_read(img, super.freemap_start, map), 0);
	if (on)
		xn_bit_set(map, b);
	else
		xn_bit_clear(map, b);
	CU_ASSERT_EQUAL(xnimage_write(img, super.freemap_start, map), 0);
}

/* A fresh image holding root "fs" (dir at 200) -> ptrs 201 -> data 202,
 * with the free map to match. */
static FILE *populated(void)
{
	static uint8_t block[XOK_XN_BLOCK];
	struct xok_xn_template t;
	struct xok_xn_root roots[XOK_XN_MAXROOTS] = { 0 };
	FILE *img;

	strcpy(path, "/tmp/xnimage-XXXXXX");
	close(mkstemp(path));
	CU_ASSERT_FATAL(xnimage_format(path, NBLOCKS, null_out) == 0);
	xn_layout(NBLOCKS, &super);
	img = open_image();
	make_ptrs_type(&t);
	put(img, super.types_start + T_PTRS, &t, sizeof(t));
	make_dir_type(&t);
	put(img, super.types_start + T_DIR, &t, sizeof(t));
	roots[0] = (struct xok_xn_root){ .block = 200, .type = T_DIR, .in_use = 1 };
	strcpy(roots[0].name, "fs");
	put(img, super.roots_block, roots, sizeof(roots));
	memset(block, 0, sizeof(block));
	dir_set(block, 0, 201, T_PTRS);
	put(img, 200, block, sizeof(block));
	memset(block, 0, sizeof(block));
	ptr_set(block, 0, 202);
	put(img, 201, block, sizeof(block));
	for (uint64_t b = 200; b <= 202; b++)
		set_map_bit(img, b, 1);
	fflush(img);
	return img;
}

static int check(FILE *img)
{
	fflush(img);
	return xnimage_check(path, null_out);
}

static void done(FILE *img)
{
	fclose(img);
	unlink(path);
}

static void fresh_disk_is_consistent(void)
{
	strcpy(path, "/tmp/xnimage-XXXXXX");
	close(mkstemp(path));
	CU_ASSERT_EQUAL(xnimage_format(path, NBLOCKS, null_out), 0);
	CU_ASSERT_EQUAL(xnimage_check(path, null_out), 0);
	CU_ASSERT_EQUAL(xnimage_format(path, 3, null_out), -1); /* too small */
	unlink(path);
}

static void populated_disk_is_consistent(void)
{
	FILE *img = populated();

	CU_ASSERT_EQUAL(check(img), 0);
	done(img);
}

static void leaked_and_unmarked_blocks(void)
{
	FILE *img = populated();

	set_map_bit(img, 300, 1); /* in use, reachable from nothing */
	CU_ASSERT_EQUAL(check(img), 1);
	set_map_bit(img, 202, 0); /* reachable, marked free */
	CU_ASSERT_EQUAL(check(img), 2);
	done(img);
}

static void doubly_owned_block(void)
{
	static uint8_t block[XOK_XN_BLOCK];
	FILE *img = populated();

	memset(block, 0, sizeof(block));
	dir_set(block, 0, 201, T_PTRS);
	dir_set(block, 1, 202, XOK_XN_DATA); /* 201 owns 202 too */
	put(img, 200, block, sizeof(block));
	CU_ASSERT_EQUAL(check(img), 1);
	done(img);
}

static void damaged_superblock_and_template(void)
{
	static uint8_t block[XOK_XN_BLOCK];
	struct xok_xn_template t;
	FILE *img = populated();

	make_ptrs_type(&t);
	t.insns[5].off = 2; /* the loop now jumps forward */
	put(img, super.types_start + T_PTRS, &t, sizeof(t));
	CU_ASSERT(check(img) >= 1); /* bad template, and 201 of no type */
	done(img);

	img = populated();
	CU_ASSERT_EQUAL(xnimage_read(img, 0, block), 0);
	block[0] ^= 0xff; /* magic */
	CU_ASSERT_EQUAL(xnimage_write(img, 0, block), 0);
	CU_ASSERT_EQUAL(check(img), 1);
	done(img);

	CU_ASSERT_EQUAL(xnimage_check("/nonexistent/xn.img", null_out), -1);
}

static void truncated_image(void)
{
	FILE *img = populated();

	CU_ASSERT_EQUAL(ftruncate(fileno(img), 100 * XOK_XN_BLOCK), 0);
	CU_ASSERT_EQUAL(check(img), 1); /* the superblock claims more */
	done(img);
}

void add_xnimage_tests(void)
{
	static const struct unit_test tests[] = {
		{ "fresh_disk_is_consistent", fresh_disk_is_consistent },
		{ "populated_disk_is_consistent", populated_disk_is_consistent },
		{ "leaked_and_unmarked_blocks", leaked_and_unmarked_blocks },
		{ "doubly_owned_block", doubly_owned_block },
		{ "damaged_superblock_and_template", damaged_superblock_and_template },
		{ "truncated_image", truncated_image },
		{ 0, 0 },
	};
	null_out = fopen("/dev/null", "w");
	add_suite("xnimage", tests);
}
