/*
 * libfs-cffs/templates: C-FFS's owns-UDFs pass XN's checker, and XN
 * running them names exactly the blocks each kind of metadata block
 * points to.
 */
#include <string.h>

#include "../../libfs-cffs/format.h"
#include "../../libfs-cffs/templates.h"
#include "../../xn/owns.h"
#include "../../xn/udf.h"
#include "unit.h"

static struct xok_xn_template types[XOK_XN_MAXTYPES];
static struct xn_context cx = { types, 1 << 20, NULL };
static uint8_t block[CFFS_BLOCK];
static struct xok_xn_pair out[XN_MAXPAIRS];
static size_t n;

static void install(void)
{
	memset(types, 0, sizeof(types));
	for (unsigned t = 1; t < CFFS_NTYPES; t++)
		cffs_template(t, &types[t]);
	memset(block, 0, sizeof(block));
}

/* Is (b, type) among the owned pairs? */
static int owns(uint64_t b, uint64_t type)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].block == b && out[i].type == type)
			return 1;
	return 0;
}

static struct cffs_dirent *dirent(unsigned i)
{
	return (struct cffs_dirent *)(block + i * CFFS_DIRENT_SIZE);
}

static void every_template_passes_xn(void)
{
	struct xok_xn_template t;
	uint64_t worst;

	for (unsigned type = 1; type < CFFS_NTYPES; type++) {
		CU_ASSERT_EQUAL_FATAL(cffs_template(type, &t), 0);
		CU_ASSERT_EQUAL(xn_template_check(&t), 0);
		CU_ASSERT_EQUAL(udf_check(t.insns, t.owns_len, XOK_UDF_OWNS, 0,
					  &worst), 0);
		CU_ASSERT(worst <= XOK_UDF_MAXSTEPS);
		CU_ASSERT(t.name[0] == 'c');
	}
	CU_ASSERT_EQUAL(cffs_template(0, &t), -1);
	CU_ASSERT_EQUAL(cffs_template(CFFS_NTYPES, &t), -1);
}

static void directory_block_owns_embedded_inodes(void)
{
	install();
	dirent(0)->ino = (struct cffs_inode){ .mode = CFFS_S_IFREG | 0644,
					      .nlink = 1 };
	dirent(0)->ino.direct[0] = 100;
	dirent(0)->ino.direct[5] = 101;
	dirent(0)->ino.ind[0] = 102;
	dirent(1)->ino = (struct cffs_inode){ .mode = CFFS_S_IFDIR | 0755 };
	dirent(1)->ino.direct[0] = 200;
	dirent(1)->ino.ind[1] = 201;
	/* A reference to an external inode owns nothing here. */
	dirent(2)->ino = (struct cffs_inode){ .mode = CFFS_S_IFREG,
					      .flags = CFFS_I_EXTERNAL };
	dirent(2)->ino.direct[0] = 300;
	/* An unused entry's leftovers are not pointers. */
	dirent(3)->ino.direct[0] = 400;
	dirent(7)->ino = (struct cffs_inode){ .mode = CFFS_S_IFLNK | 0777 };
	dirent(7)->ino.direct[0] = 500;
	dirent(7)->ino.ind[2] = 501;
	CU_ASSERT_EQUAL_FATAL(xn_owned(&cx, CFFS_T_DIR, block, out, &n), 0);
	CU_ASSERT_EQUAL(n, 7);
	CU_ASSERT(owns(100, XOK_XN_DATA) && owns(101, XOK_XN_DATA));
	CU_ASSERT(owns(102, CFFS_T_IND1));
	CU_ASSERT(owns(200, CFFS_T_DIR));
	CU_ASSERT(owns(201, CFFS_T_DIND2));
	CU_ASSERT(owns(500, XOK_XN_DATA) && owns(501, CFFS_T_IND3));
	CU_ASSERT(!owns(300, XOK_XN_DATA) && !owns(400, XOK_XN_DATA));
}

static void super_owns_root_and_inode_table(void)
{
	struct cffs_super *s = (struct cffs_super *)block;

	install();
	s->magic = CFFS_MAGIC;
	s->inomap = 11;
	s->root = (struct cffs_inode){ .mode = CFFS_S_IFDIR | 0755 };
	s->root.direct[0] = 10;
	s->root.ind[0] = 12;
	CU_ASSERT_EQUAL_FATAL(xn_owned(&cx, CFFS_T_SUPER, block, out, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(owns(10, CFFS_T_DIR) && owns(12, CFFS_T_DIND1));
	CU_ASSERT(owns(11, CFFS_T_INOMAP));
}

static void inode_blocks_and_pointer_blocks(void)
{
	struct cffs_inode *slot3 = (struct cffs_inode *)(block + 3 * CFFS_INODE_SLOT);
	struct cffs_inode *slot15 = (struct cffs_inode *)(block + 15 * CFFS_INODE_SLOT);
	uint64_t *ptr = (uint64_t *)block;

	install();
	*slot3 = (struct cffs_inode){ .mode = CFFS_S_IFREG, .nlink = 2 };
	slot3->direct[11] = 20;
	*slot15 = (struct cffs_inode){ .mode = CFFS_S_IFDIR };
	slot15->ind[2] = 21;
	CU_ASSERT_EQUAL(xn_owned(&cx, CFFS_T_INODES, block, out, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT(owns(20, XOK_XN_DATA) && owns(21, CFFS_T_DIND3));

	memset(block, 0, sizeof(block));
	ptr[0] = 30;
	ptr[511] = 31;
	static const unsigned kinds[][2] = {
		{ CFFS_T_IND1, XOK_XN_DATA }, { CFFS_T_IND2, CFFS_T_IND1 },
		{ CFFS_T_IND3, CFFS_T_IND2 }, { CFFS_T_DIND1, CFFS_T_DIR },
		{ CFFS_T_DIND2, CFFS_T_DIND1 }, { CFFS_T_DIND3, CFFS_T_DIND2 },
		{ CFFS_T_INOMAP, CFFS_T_INODES },
	};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		CU_ASSERT_EQUAL(xn_owned(&cx, kinds[k][0], block, out, &n), 0);
		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT(owns(30, kinds[k][1]) && owns(31, kinds[k][1]));
	}
}

/* XN's change check with C-FFS's types: creating a file in a directory
 * declares its first block; anything else is refused. */
static void creating_a_file_is_checked(void)
{
	static uint8_t before[CFFS_BLOCK];
	struct xok_xn_pair first = { 40, XOK_XN_DATA },
			   wrong = { 41, XOK_XN_DATA };

	install();
	memcpy(before, block, sizeof(block));
	dirent(4)->ino = (struct cffs_inode){ .mode = CFFS_S_IFREG, .nlink = 1,
					      .size = 5 };
	dirent(4)->ino.direct[0] = 40;
	dirent(4)->namelen = 5;
	memcpy(dirent(4)->name, "hello", 5);
	CU_ASSERT_EQUAL(xn_check_change(&cx, CFFS_T_DIR, before, block,
					&first, 1, 0, 0), 0);
	CU_ASSERT_EQUAL(xn_check_change(&cx, CFFS_T_DIR, before, block,
					&wrong, 1, 0, 0), XN_E_MISMATCH);
	CU_ASSERT_EQUAL(xn_check_change(&cx, CFFS_T_DIR, before, block,
					0, 0, 0, 0), XN_E_MISMATCH);
	/* Renaming in place changes no pointer: a plain modify. */
	memcpy(before, block, sizeof(block));
	memcpy(dirent(4)->name, "world", 5);
	CU_ASSERT_EQUAL(xn_check_change(&cx, CFFS_T_DIR, before, block,
					0, 0, 0, 0), 0);
}

void add_cffs_template_tests(void)
{
	static const struct unit_test tests[] = {
		{ "every_template_passes_xn", every_template_passes_xn },
		{ "directory_block_owns_embedded_inodes",
		  directory_block_owns_embedded_inodes },
		{ "super_owns_root_and_inode_table",
		  super_owns_root_and_inode_table },
		{ "inode_blocks_and_pointer_blocks",
		  inode_blocks_and_pointer_blocks },
		{ "creating_a_file_is_checked", creating_a_file_is_checked },
		{ 0, 0 },
	};
	add_suite("cffs_templates", tests);
}
