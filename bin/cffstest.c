/*
 * cffstest: C-FFS's metadata types in the kernel's XN: installs the ten
 * templates (XN checks their UDFs), creates a C-FFS root, gives it a root
 * directory through checked modifications in the right write order, and
 * shuts the disk down cleanly for xn-fsck. Then C-FFS's operations over
 * XN's calls (libfs-cffs/xnblk.c): a directory, a small file, one that
 * needs an indirect block, an unlink that gives every block back, a
 * rename across directories and hard links (blocks changing owner through
 * xn_modify_pair); and, on a second boot ("cffstest:reread"), the files
 * read back from disk. "cffstest:hostdisk" reads a disk the host made
 * with cffs-mkfs from tests/qemu/disks/hostdisk/ and writes
 * /from-xok/note for the host to extract
 * (tests/qemu/scenarios/cffs_hostdisk.scn).
 */
#include <stddef.h>
#include <xok/disk.h>
#include <xok/xn.h>

#include "../lib/selftest.h"
#include "../libfs-cffs/cffs.h"
#include "../libfs-cffs/format.h"
#include "../libfs-cffs/templates.h"
#include "../libfs-cffs/xnblk.h"
#include "rt/rt.h"

SELFTEST(cffs_types_and_root_directory)
{
	struct xok_xn_template t;
	struct cffs_super s = { .magic = CFFS_MAGIC, .version = CFFS_VERSION };
	int64_t root, si, di;
	uint64_t dir;

	/* main installed them; XN keeps a type once installed. */
	CHECK_EQ(cffs_template(CFFS_T_DIR, &t), 0);
	CHECK_EQ(xok_xn_type_install(0, CFFS_T_DIR, &t), E_BUSY);
	root = xok_xn_root_create(0, "cffs", CFFS_T_SUPER);
	CHECK(root >= 0);
	/* After the root took its block. */
	dir = rt_xn_free_block(64, ((const volatile struct xok_disk *)
				    XOK_UDISKS)[0].nblocks);
	CHECK(dir != 0);
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

#define WINDOW 0x0000200000000000ull
#define XN_REG ((const volatile struct xok_xn_entry *)XOK_UXN)
#define BIG (20 * CFFS_BLOCK + 123) /* past the 12 direct blocks */
/* More blocks than XN's registry has entries (a whole number of BIGs). */
#define HUGE (((XOK_XN_REGISTRY + 300) / 20) * (uint64_t)BIG)

static const char motd[] = "Welcome to Xok/ExOS, on C-FFS over XN.\n";
static struct xnblk fs;
static struct cffs_dindex fs_index;

static uint8_t buf[BIG];

static uint64_t disk_blocks(void)
{
	return ((const volatile struct xok_disk *)XOK_UDISKS)[0].nblocks;
}

/* Opens root `root` in `fs`, with an empty name index. */
static int open_fs(int64_t root)
{
	int r = xnblk_open(&fs, 0, (uint64_t)root, disk_blocks(), WINDOW);

	dindex_reset(&fs_index);
	fs.blk.index = &fs_index;
	return r;
}

static int dirty_blocks(void)
{
	int n = 0;

	for (int i = 0; i < XOK_XN_REGISTRY; i++)
		n += XN_REG[i].state == XOK_XN_DIRTY;
	return n;
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 13 + (i >> 12));
}

static int free_blocks(void)
{
	int n = 0;

	for (uint64_t b = 0; b < disk_blocks(); b++)
		n += !rt_xn_in_use(b);
	return n;
}

/* Does `path` hold BIG bytes of the pattern? */
static int holds_big(const char *path)
{
	struct cffs_loc f;

	if (cffs_lookup(&fs.blk, path, &f) ||
	    cffs_read(&fs.blk, &f, 0, buf, sizeof(buf)) != BIG)
		return 0;
	for (uint64_t i = 0; i < BIG; i++)
		if (buf[i] != pattern(i))
			return 0;
	return 1;
}

/* Do /etc/motd and /big hold what files_through_xn wrote? */
static int files_intact(void)
{
	struct cffs_loc f;

	if (cffs_lookup(&fs.blk, "/etc/motd", &f) ||
	    cffs_read(&fs.blk, &f, 0, buf, sizeof(buf)) != sizeof(motd) - 1 ||
	    memcmp(buf, motd, sizeof(motd) - 1))
		return 0;
	return holds_big("/big");
}

/* Does /huge hold its pattern? Reading it needs more blocks than XN's
 * registry holds, so xnblk lets XN reclaim and binds again as it goes. */
static int huge_intact(void)
{
	struct cffs_loc f;
	int same = 1;

	if (cffs_lookup(&fs.blk, "/huge", &f))
		return 0;
	for (uint64_t off = 0; off < HUGE; off += sizeof(buf)) {
		if (cffs_read(&fs.blk, &f, off, buf, sizeof(buf)) != sizeof(buf))
			return 0;
		for (uint64_t i = 0; i < sizeof(buf); i++)
			same &= buf[i] == pattern(off + i);
	}
	return same;
}

/* Writes /huge, more blocks than the registry holds: xnblk writes back
 * and drops its mappings when XN runs out of entries. 1 if all went. */
static int write_huge(void)
{
	struct cffs_loc f;

	if (cffs_create(&fs.blk, "/huge", CFFS_S_IFREG | 0644, &f))
		return 0;
	for (uint64_t off = 0; off < HUGE; off += sizeof(buf)) {
		for (uint64_t i = 0; i < sizeof(buf); i++)
			buf[i] = pattern(off + i);
		if (cffs_write(&fs.blk, &f, off, buf, sizeof(buf)) != sizeof(buf))
			return 0;
	}
	return !xnblk_flush();
}

#define CUT (5 * CFFS_BLOCK + 10)

/* Does `f`, BIG bytes of the pattern cut to CUT and grown to 6 blocks,
 * hold the pattern up to CUT and zeros after? */
static int cut_intact(const struct cffs_loc *f)
{
	static uint8_t got[6 * CFFS_BLOCK];
	int same = 1;

	if (cffs_read(&fs.blk, f, 0, got, sizeof(got)) != sizeof(got))
		return 0;
	for (uint64_t i = 0; i < sizeof(got); i++)
		same &= got[i] == (i < CUT ? pattern(i) : 0);
	return same;
}

static uint32_t nlink_of(const char *path)
{
	struct cffs_loc f;
	struct cffs_inode ino = { 0 };

	if (cffs_lookup(&fs.blk, path, &f) || cffs_stat(&fs.blk, &f, &ino))
		return 0;
	return ino.nlink;
}

/* Are /r2/moved and /r1/alias one file of two links, with /big's bytes? */
static int renamed_intact(void)
{
	struct cffs_loc f;

	return holds_big("/r2/moved") && holds_big("/r1/alias") &&
	       nlink_of("/r2/moved") == 2 &&
	       cffs_lookup(&fs.blk, "/r1/a", &f) == CFFS_ENOENT;
}

/* Renames and links over XN: the file with an indirect block moves to
 * another directory (its blocks change owner in one xn_modify_pair),
 * gets a second name (its inode moves to the inode table), replaces
 * another file; everything reaches the disk. 1 if all went. */
static int renames_and_links(void)
{
	struct cffs_blk *b = &fs.blk;
	struct cffs_loc f;

	if (cffs_mkdir(b, "/r1", 0755) || cffs_mkdir(b, "/r2", 0755) ||
	    cffs_create(b, "/r1/a", CFFS_S_IFREG | 0644, &f) ||
	    cffs_write(b, &f, 0, buf, BIG) != BIG ||
	    cffs_create(b, "/r2/old", CFFS_S_IFREG | 0644, &f) ||
	    cffs_write(b, &f, 0, motd, 5) != 5)
		return 0;
	if (cffs_rename(b, "/r1/a", "/r2/moved") ||
	    cffs_link(b, "/r2/moved", "/r1/alias") ||
	    cffs_link(b, "/r2/moved", "/r2/old2") ||
	    cffs_rename(b, "/r2/old2", "/r2/old") || /* a link over a file */
	    cffs_unlink(b, "/r2/old") || nlink_of("/r1/alias") != 2)
		return 0;
	if (cffs_rename(b, "/r1", "/r2/r1") != 0 ||
	    cffs_rename(b, "/r2", "/r2/r1/x") != CFFS_EINVAL ||
	    cffs_rename(b, "/r2/r1", "/r1") != 0 ||
	    cffs_rmdir(b, "/r2") != CFFS_ENOTEMPTY)
		return 0;
	return renamed_intact() && !xnblk_flush() && dirty_blocks() == 0;
}

/* A file moved into a subdirectory of its own directory (its data block
 * changes owner to a block its old owner owns), then removed with both
 * directories: every block comes back. 1 if so. */
static int moved_down_and_removed(void)
{
	struct cffs_blk *b = &fs.blk;
	struct cffs_loc f;
	int before;

	if (xnblk_flush())
		return 0;
	before = free_blocks();
	if (cffs_mkdir(b, "/p", 0755) || cffs_mkdir(b, "/p/d", 0755) ||
	    cffs_create(b, "/p/f", CFFS_S_IFREG | 0644, &f) ||
	    cffs_write(b, &f, 0, motd, 3) != 3)
		return 0;
	if (cffs_rename(b, "/p/f", "/p/d/x") || cffs_unlink(b, "/p/d/x") ||
	    cffs_rmdir(b, "/p/d") || cffs_rmdir(b, "/p"))
		return 0;
	return !xnblk_flush() && !xnblk_flush() && free_blocks() == before;
}

/* Is `block` cached and dirty? */
static int is_dirty(uint64_t block)
{
	for (int i = 0; i < XOK_XN_REGISTRY; i++)
		if (XN_REG[i].state != XOK_XN_EMPTY && XN_REG[i].block == block &&
		    !XN_REG[i].freed)
			return XN_REG[i].state == XOK_XN_DIRTY;
	return 0;
}

/* fsync puts one file on disk and leaves another's changes in memory:
 * /fs/b/y (on disk, then changed) stays dirty while /fs/a/x, new, goes
 * to disk with its data. 1 if so. */
static int fsync_is_per_file(void)
{
	struct cffs_blk *b = &fs.blk;
	struct cffs_loc x, y;
	struct cffs_inode xi, yi;

	if (cffs_mkdir(b, "/fs", 0755) || cffs_mkdir(b, "/fs/a", 0755) ||
	    cffs_mkdir(b, "/fs/b", 0755) ||
	    cffs_create(b, "/fs/b/y", CFFS_S_IFREG | 0644, &y) ||
	    cffs_write(b, &y, 0, motd, 7) != 7 || xnblk_flush())
		return 0;
	if (cffs_write(b, &y, 0, motd + 7, 7) != 7 ||
	    cffs_create(b, "/fs/a/x", CFFS_S_IFREG | 0644, &x) ||
	    cffs_write(b, &x, 0, motd, 5) != 5 || cffs_stat(b, &x, &xi) ||
	    cffs_stat(b, &y, &yi))
		return 0;
	if (!is_dirty(xi.direct[0]) || !is_dirty(x.block) ||
	    !is_dirty(yi.direct[0]) || !is_dirty(y.block) || cffs_fsync(b, &x))
		return 0;
	return !is_dirty(xi.direct[0]) && !is_dirty(x.block) &&
	       is_dirty(yi.direct[0]) && is_dirty(y.block) && !xnblk_flush();
}

/* Xok keeps time since boot only; a Unix libOS adds the epoch. */
static int64_t since_boot(void)
{
	return (int64_t)xok_clock_ns();
}

SELFTEST(files_through_xn)
{
	struct cffs_blk *b = &fs.blk;
	struct cffs_loc f;
	struct cffs_inode ino;
	int64_t root = xok_xn_root_create(0, "files", CFFS_T_SUPER);
	int before;

	CHECK(root >= 0);
	/* No such root: refused, and fs is opened properly next. */
	CHECK_EQ(xnblk_open(&fs, 0, XOK_XN_MAXROOTS - 1, disk_blocks(), WINDOW),
		 E_INVAL);
	CHECK_EQ(open_fs(root), 0);
	CHECK_EQ(cffs_mount(b), CFFS_EINVAL); /* a zeroed root block */
	fs.blk.now = since_boot;
	CHECK_EQ(cffs_mkfs(b), 0);
	CHECK_EQ(cffs_mount(b), 0);
	CHECK_EQ(cffs_create(b, "/etc", CFFS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ(cffs_create(b, "/etc/motd", CFFS_S_IFREG | 0644, &f), 0);
	CHECK_EQ(cffs_write(b, &f, 0, motd, sizeof(motd) - 1),
		 (long)sizeof(motd) - 1);
	CHECK_EQ(cffs_create(b, "/big", CFFS_S_IFREG | 0644, &f), 0);
	for (uint64_t i = 0; i < BIG; i++)
		buf[i] = pattern(i);
	CHECK_EQ(cffs_write(b, &f, 0, buf, BIG), BIG);
	CHECK(files_intact());
	/* fsync: nothing of the file is left only in memory. */
	CHECK(dirty_blocks() > 0);
	CHECK_EQ(cffs_fsync(b, &f), 0);
	CHECK_EQ(dirty_blocks(), 0);
	CHECK_EQ(cffs_stat(b, &f, &ino), 0);
	CHECK(ino.mtime_ns > 0 && ino.mtime_ns <= since_boot());
	/* A file made and removed gives back every block it took. */
	CHECK_EQ(xnblk_flush(), 0);
	before = free_blocks();
	CHECK_EQ(cffs_create(b, "/etc/tmp", CFFS_S_IFREG | 0600, &f), 0);
	CHECK_EQ(cffs_write(b, &f, 0, buf, BIG), BIG);
	CHECK(free_blocks() < before - 20);
	/* Cut inside block 5, then grown by a block: what was past the cut
	 * (the indirect block too) is given back and reads as zeros. */
	CHECK_EQ(cffs_set_size(b, &f, CUT), 0);
	CHECK_EQ(cffs_set_size(b, &f, 6 * CFFS_BLOCK), 0);
	CHECK_EQ(xnblk_flush(), 0);
	CHECK_EQ(free_blocks(), before - 6);
	CHECK(cut_intact(&f));
	CHECK_EQ(cffs_unlink(b, "/etc/tmp"), 0);
	CHECK_EQ(cffs_lookup(b, "/etc/tmp", &f), CFFS_ENOENT);
	CHECK_EQ(cffs_unlink(b, "/etc"), CFFS_ENOTEMPTY);
	/* Freed blocks stay in use until their parent is on disk. */
	CHECK_EQ(xnblk_flush(), 0);
	CHECK_EQ(free_blocks(), before);
	CHECK(fsync_is_per_file());
	CHECK(write_huge());
	CHECK(huge_intact());
	CHECK(files_intact());
	CHECK(renames_and_links());
	CHECK(moved_down_and_removed());
	return 0;
}

static int reread(void)
{
	int64_t root;

	if (xok_xn_mount(0, 0) < 0 || (root = xok_xn_root_find("files")) < 0)
		return 30;
	if (open_fs(root) || cffs_mount(&fs.blk) || !files_intact() || !huge_intact())
		return 31;
	printf("cffstest: /etc/motd, /big and /huge read back from disk\n");
	if (!renamed_intact())
		return 34;
	printf("cffstest: the renamed file and its second link read back\n");
	if (cffs_unlink(&fs.blk, "/r1/alias") || nlink_of("/r2/moved") != 1 ||
	    !holds_big("/r2/moved") || cffs_unlink(&fs.blk, "/big") ||
	    xnblk_flush())
		return 32;
	return xok_xn_sync(1) ? 33 : 0;
}

static const char note[] = "written inside Xok, read on the host\n";

/* Does `path` hold exactly `want`? */
static int holds(const char *path, const char *want, size_t len)
{
	struct cffs_loc f;

	return !cffs_lookup(&fs.blk, path, &f) &&
	       cffs_read(&fs.blk, &f, 0, buf, sizeof(buf)) == (long)len &&
	       !memcmp(buf, want, len);
}

/* Runs after reads_host_made_disk (tests run in reverse order). */
SELFTEST(writes_for_the_host)
{
	struct cffs_loc f;

	CHECK_EQ(cffs_create(&fs.blk, "/from-xok", CFFS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ(cffs_create(&fs.blk, "/from-xok/note", CFFS_S_IFREG | 0644, &f), 0);
	CHECK_EQ(cffs_write(&fs.blk, &f, 0, note, sizeof(note) - 1),
		 (long)sizeof(note) - 1);
	CHECK_EQ(xnblk_flush(), 0);
	return 0;
}

/* What cffs-mkfs put on the disk, from tests/qemu/disks/hostdisk/. */
SELFTEST(reads_host_made_disk)
{
	struct cffs_loc f;
	struct cffs_inode ino;
	char target[16];

	CHECK(holds("/etc/motd", motd, sizeof(motd) - 1));
	CHECK(holds("/etc/passwd", "root:x:0:0:root:/:/bin/sh\n", 26));
	CHECK_EQ(cffs_lookup(&fs.blk, "/etc/welcome", &f), 0);
	CHECK_EQ(cffs_readlink(&fs.blk, &f, target, sizeof(target)), 4);
	CHECK(!memcmp(target, "motd", 4));
	CHECK_EQ(cffs_lookup(&fs.blk, "/bin/hello.sh", &f), 0);
	CHECK_EQ(cffs_stat(&fs.blk, &f, &ino), 0);
	CHECK_EQ(ino.mode, CFFS_S_IFREG | 0755);
	CHECK_EQ(ino.uid, 0); /* cffs-mkfs -r */
	CHECK(ino.mtime_ns > 1500000000ll * 1000000000); /* the host's time */
	CHECK_EQ(cffs_lookup(&fs.blk, "/", &f), 0);
	CHECK_EQ(cffs_stat(&fs.blk, &f, &ino), 0);
	CHECK_EQ(ino.nlink, 4); /* bin and etc */
	return 0;
}

/* Runs the host-disk tests over root "files" of a disk cffs-mkfs made. */
static int hostdisk(void)
{
	int64_t root;
	int failed;

	if (xok_xn_mount(0, 0) < 0 || (root = xok_xn_root_find("files")) < 0)
		return 40;
	if (open_fs(root) || cffs_mount(&fs.blk))
		return 41;
	rt_check_leaks = 0;
	failed = rt_run_selftests("reads_host_made_disk,writes_for_the_host");
	return failed ? failed : xok_xn_sync(1) ? 42 : 0;
}

int main(const char *arg)
{
	int failed;

	if (!strcmp(arg, "reread"))
		return reread();
	if (!strcmp(arg, "hostdisk"))
		return hostdisk();
	if (xok_xn_mount(0, 0) < 0)
		return 10;
	for (unsigned type = 1; type < CFFS_NTYPES; type++) {
		struct xok_xn_template t;

		if (cffs_template(type, &t) ||
		    xok_xn_type_install(0, type, &t) < 0)
			return 11;
	}

	rt_check_leaks = 0; /* the buffer cache keeps pages on purpose */
	/* The host-disk tests need the disk hostdisk() mounts. */
	failed = rt_run_selftests(*arg ? arg : "cffs_types_and_root_directory,"
					       "files_through_xn");
	return failed ? failed : xok_xn_sync(1) ? 20 : 0;
}
