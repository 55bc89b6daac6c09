/*
 * cffstest: C-FFS's metadata types in the kernel's XN: installs the ten
 * templates (XN checks their UDFs), creates a C-FFS root, gives it a root
 * directory through checked modifications in the right write order, and
 * shuts the disk down cleanly for xn-fsck. The libFS itself comes next.
 */
#include <stddef.h>
#include <xok/xn.h>

#include "../lib/selftest.h"
#include "../libfs-cffs/format.h"
#include "../libfs-cffs/templates.h"
#include "rt/rt.h"

SELFTEST(cffs_types_and_root_directory)
{
	struct xok_xn_template t;
	struct cffs_super s = { .magic = CFFS_MAGIC, .version = CFFS_VERSION };
	int64_t root, si, di;
	uint64_t dir = rt_xn_free_block(64, 4096);

	CHECK_EQ(xok_xn_mount(0, 0), 0);
	for (unsigned type = 1; type < CFFS_NTYPES; type++) {
		CHECK_EQ(cffs_template(type, &t), 0);
		CHECK_EQ(xok_xn_type_install(0, type, &t), 0);
	}
	root = xok_xn_root_create(0, "cffs", CFFS_T_SUPER);
	CHECK(root >= 0);
	si = xok_xn_bind_root(0, (uint64_t)root);
	CHECK_EQ(rt_xn_settle(si), XOK_XN_VALID);

	/* The root directory: its inode in the superblock, one DIR block. */
	s.root.mode = CFFS_S_IFDIR | 0755;
	s.root.nlink = 2;
	s.root.size = CFFS_BLOCK;
	s.root.direct[0] = dir;
	struct xok_xn_mod mod = { 0, sizeof(s), (uint64_t)&s };
	struct xok_xn_delta undeclared = { 0 };
	struct xok_xn_delta d = { .nadd = 1, .add = { { dir, CFFS_T_DIR } } };
	CHECK_EQ(xok_xn_modify(0, (uint64_t)si, &mod, 1, &undeclared), E_INVAL);
	CHECK_EQ(xok_xn_modify(0, (uint64_t)si, &mod, 1, &d), 0);
	di = xok_xn_bind(0, (uint64_t)si, dir);
	CHECK(di >= 0);
	CHECK_EQ(xok_xn_write((uint64_t)si), E_STATE); /* the DIR first */
	CHECK_EQ(rt_xn_write_wait(di), 0);
	CHECK_EQ(rt_xn_write_wait(si), 0);
	return 0;
}

int main(const char *arg)
{
	int failed;

	rt_check_leaks = 0; /* the buffer cache keeps pages on purpose */
	failed = rt_run_selftests(arg);
	return failed ? failed : xok_xn_sync(1) ? 20 : 0;
}
