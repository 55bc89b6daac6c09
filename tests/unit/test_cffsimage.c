/*
 * mkimage's C-FFS tools on image files: cffs-mkfs -d from a folder, then
 * extract, gives the folder back byte for byte (contents, modes, link
 * targets, times); cffs-fsck accepts every image made here, and refuses
 * each kind of damage, one test per kind; --repair fixes the safe ones.
 */
#define _GNU_SOURCE /* scandir, alphasort */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../libfs-cffs/cffs.h"
#include "../../libfs-cffs/imgblk.h"
#include "../../mkimage/cffscheck.h"
#include "../../mkimage/cffsget.h"
#include "../../mkimage/cffsput.h"
#include "../../xn/freemap.h"
#include "unit.h"

#define NBLOCKS 4096 /* 16 MiB */

static char top[64];  /* a temporary folder for each test */
static char image[96], src[96], out[96];
static FILE *null_out;

static void sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void put_file(const char *rel, const void *bytes, size_t len,
		     mode_t mode, long mtime_s)
{
	char path[256];
	struct timespec ts[2] = { { mtime_s, 5 }, { mtime_s, 123456789 } };
	int fd;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, bytes, len), (ssize_t)len);
	CU_ASSERT_EQUAL(fchmod(fd, mode), 0);
	CU_ASSERT_EQUAL(futimens(fd, ts), 0);
	close(fd);
}

static void setup(void)
{
	strcpy(top, "/tmp/cffsimage-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(top) != NULL);
	snprintf(image, sizeof(image), "%s/disk.img", top);
	snprintf(src, sizeof(src), "%s/src", top);
	snprintf(out, sizeof(out), "%s/out", top);
	CU_ASSERT_FATAL(mkdir(src, 0755) == 0);
}

static void teardown(void)
{
	sh("rm -rf %s", top);
}

/* A folder with what cffs-mkfs must keep: nested directories, a file
 * through the indirect blocks, a sparse one, an empty one, links. */
static void make_folder(void)
{
	static uint8_t big[70000], sparse[3 * CFFS_BLOCK + 10];
	char path[256];
	struct timespec ts[2] = { { 1600000000, 0 }, { 1600000000, 42 } };

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 9));
	sparse[sizeof(sparse) - 1] = 'x'; /* blocks 0..2 are holes */
	snprintf(path, sizeof(path), "%s/etc", src);
	CU_ASSERT_EQUAL(mkdir(path, 0750), 0);
	snprintf(path, sizeof(path), "%s/etc/deep", src);
	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
	put_file("etc/motd", "hello\n", 6, 0644, 1700000000);
	put_file("etc/deep/big", big, sizeof(big), 0600, 1500000000);
	put_file("sparse", sparse, sizeof(sparse), 0640, 1234567890);
	put_file("empty", "", 0, 0444, 1000000000);
	put_file("run.sh", "#!/bin/sh\n", 10, 04755, 1600000001);
	snprintf(path, sizeof(path), "%s/etc/link", src);
	CU_ASSERT_EQUAL(symlink("deep/big", path), 0);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
	/* Directories last: making their entries changed their times. */
	snprintf(path, sizeof(path), "%s/etc/deep", src);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, 0), 0);
	snprintf(path, sizeof(path), "%s/etc", src);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* cffs-mkfs -d src image; returns what cffsput_tree counted. */
static int mkfs(const char *folder)
{
	static struct imgblk x;
	int problems;

	CU_ASSERT_FATAL(imgblk_format(image, NBLOCKS, IMGBLK_ROOT, null_out) == 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 1, null_out) == 0);
	CU_ASSERT_FATAL(cffs_mkfs(&x.mem.blk) == 0);
	problems = folder ? cffsput_tree(&x.mem.blk, folder, 0, null_out) : 0;
	CU_ASSERT_EQUAL(imgblk_close(&x), 0);
	return problems;
}

static int fsck(int repair)
{
	return cffscheck(image, IMGBLK_ROOT, repair, null_out);
}

/* Are host trees `a` and `b` the same: types, modes, sizes, contents,
 * link targets, modification times to the nanosecond? */
static int same_tree(const char *a, const char *b)
{
	struct stat sa, sb;
	struct dirent **na, **nb;
	int same = 1, n, m;

	if (lstat(a, &sa) || lstat(b, &sb) || sa.st_mode != sb.st_mode ||
	    sa.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
	    sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec) {
		fprintf(stderr, "differs: %s %s\n", a, b);
		return 0;
	}
	if (S_ISREG(sa.st_mode) || S_ISLNK(sa.st_mode)) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 S_ISREG(sa.st_mode) ? "cmp -s '%s' '%s'"
					     : "test \"$(readlink '%s')\" = \"$(readlink '%s')\"",
			 a, b);
		return system(cmd) == 0 && sa.st_size == sb.st_size;
	}
	n = scandir(a, &na, NULL, alphasort);
	m = scandir(b, &nb, NULL, alphasort);
	same = n == m && n >= 0;
	for (int i = 0; same && i < n; i++) {
		char pa[512], pb[512];

		if (!strcmp(na[i]->d_name, ".") || !strcmp(na[i]->d_name, ".."))
			continue;
		snprintf(pa, sizeof(pa), "%s/%s", a, na[i]->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, nb[i]->d_name);
		same = !strcmp(na[i]->d_name, nb[i]->d_name) && same_tree(pa, pb);
	}
	for (int i = 0; i < n; i++)
		free(na[i]);
	for (int i = 0; i < m; i++)
		free(nb[i]);
	if (n >= 0)
		free(na);
	if (m >= 0)
		free(nb);
	return same;
}

static void mkfs_then_extract_gives_the_folder_back(void)
{
	static struct imgblk x;
	char *listing = NULL;
	size_t len = 0;
	FILE *ls = open_memstream(&listing, &len);

	setup();
	make_folder();
	CU_ASSERT_EQUAL(mkfs(src), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	CU_ASSERT_EQUAL(xnimage_check(image, null_out), 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffsget_extract(&x.mem.blk, "/", out, null_out), 0);
	CU_ASSERT_EQUAL(cffsget_list(&x.mem.blk, "/", 1, ls, null_out), 0);
	CU_ASSERT_EQUAL(cffsget_list(&x.mem.blk, "/nope", 0, ls, null_out), 1);
	CU_ASSERT_EQUAL(imgblk_close(&x), 0);
	fclose(ls);
	CU_ASSERT(same_tree(src, out));
	CU_ASSERT(strstr(listing, "-rw-r--r--   1") && strstr(listing, " motd\n"));
	CU_ASSERT(strstr(listing, "link -> deep/big\n") != NULL);
	CU_ASSERT(strstr(listing, "\n/etc/deep:\n") != NULL);
	CU_ASSERT(strstr(listing, "-rwsr-xr-x") != NULL);
	free(listing);
	teardown();
}

/* Two names of one host file become two names of one C-FFS file: a
 * link count of 2, one inode, and the bytes once. */
/* Lists `dir` of the open image (recursively or not) into a new string,
 * extracts it to `out` and closes the image: the listing (free it). */
static char *list_extract_close(struct imgblk *x, const char *dir,
				int recursive)
{
	char *listing = NULL;
	size_t len = 0;
	FILE *ls = open_memstream(&listing, &len);

	CU_ASSERT_FATAL(ls != NULL);
	CU_ASSERT_EQUAL(cffsget_list(&x->mem.blk, dir, recursive, ls, null_out),
			0);
	CU_ASSERT_EQUAL(cffsget_extract(&x->mem.blk, dir, out, null_out), 0);
	CU_ASSERT_EQUAL(imgblk_close(x), 0);
	fclose(ls);
	return listing;
}

static void hard_links_stay_links(void)
{
	static struct imgblk x;
	char from[256], to[256], *listing;
	struct cffs_loc a, b2;
	struct cffs_inode ino;

	setup();
	make_folder();
	snprintf(from, sizeof(from), "%s/etc/motd", src);
	snprintf(to, sizeof(to), "%s/etc/deep/motd.again", src);
	CU_ASSERT_EQUAL(link(from, to), 0);
	CU_ASSERT_EQUAL(mkfs(src), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, "/etc/motd", &a), 0);
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, "/etc/deep/motd.again", &b2), 0);
	CU_ASSERT(a.block == b2.block && a.off == b2.off); /* one inode */
	CU_ASSERT_EQUAL(cffs_stat(&x.mem.blk, &a, &ino), 0);
	CU_ASSERT_EQUAL(ino.nlink, 2);
	CU_ASSERT_EQUAL(ino.size, 6);
	listing = list_extract_close(&x, "/", 1);
	CU_ASSERT(strstr(listing, "-rw-r--r--   2") != NULL);
	CU_ASSERT(same_tree(src, out));
	free(listing);
	teardown();
}

static void sparse_file_leaves_holes(void)
{
	static struct imgblk x;
	struct cffs_loc f;
	struct cffs_inode ino;

	setup();
	make_folder();
	CU_ASSERT_EQUAL(mkfs(src), 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, "/sparse", &f), 0);
	CU_ASSERT_EQUAL(cffs_stat(&x.mem.blk, &f, &ino), 0);
	CU_ASSERT_EQUAL(ino.size, 3 * CFFS_BLOCK + 10);
	CU_ASSERT_EQUAL(ino.direct[0] | ino.direct[1] | ino.direct[2], 0);
	CU_ASSERT(ino.direct[3] != 0);
	imgblk_close(&x);
	teardown();
}

/* A named pipe is stored as one (a name and attributes), listed with a
 * 'p' and made again by extract. */
static void fifo_stays_a_fifo(void)
{
	static struct imgblk x;
	char path[256], *listing;
	struct cffs_loc f;
	struct cffs_inode ino;
	struct stat st;

	setup();
	make_folder();
	snprintf(path, sizeof(path), "%s/etc/fifo", src);
	CU_ASSERT_EQUAL(mkfifo(path, 0640), 0);
	CU_ASSERT_EQUAL(mkfs(src), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, "/etc/fifo", &f), 0);
	CU_ASSERT_EQUAL(cffs_stat(&x.mem.blk, &f, &ino), 0);
	CU_ASSERT_EQUAL(ino.mode, CFFS_S_IFIFO | 0640);
	CU_ASSERT_EQUAL(ino.size, 0);
	listing = list_extract_close(&x, "/etc", 0);
	CU_ASSERT(strstr(listing, "prw-r-----") != NULL);
	snprintf(path, sizeof(path), "%s/fifo", out);
	CU_ASSERT(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) &&
		  (st.st_mode & 07777) == 0640);
	free(listing);
	teardown();
}

static void refuses_what_it_cannot_store(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[256];
	int s;

	setup();
	make_folder();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", src);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CU_ASSERT_EQUAL(mkfs(src), 1);
	close(s);
	unlink(sa.sun_path);
	/* Deeper than C-FFS's path walk goes. */
	strcpy(path, src);
	for (int i = 0; i < 70; i++) {
		strcat(path, "/d");
		CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
	}
	CU_ASSERT(mkfs(src) >= 1);
	/* What was stored is consistent all the same. */
	CU_ASSERT_EQUAL(fsck(0), 0);
	teardown();
}

/* Writes are through the block layer; sync puts them in the image. */
static void writes_reach_the_image(void)
{
	static struct imgblk x;
	struct cffs_loc f;
	char buf[8];

	setup();
	CU_ASSERT_EQUAL(mkfs(NULL), 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 1, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_create(&x.mem.blk, "/f", CFFS_S_IFREG | 0644, &f), 0);
	CU_ASSERT_EQUAL(cffs_write(&x.mem.blk, &f, 0, "synced", 6), 6);
	CU_ASSERT_EQUAL(cffs_fsync(&x.mem.blk, &f), 0);
	CU_ASSERT_EQUAL(fsck(0), 0); /* seen by a second reader */
	/* XN's rule holds here too: an undeclared allocation is refused. */
	{
		uint64_t blk = x.mem.blk.ops->free_block(&x.mem.blk, 0);
		struct xok_xn_mod m = { CFFS_OFF_DIRECT + f.off, 8,
					(uint64_t)(uintptr_t)&blk };
		struct xok_xn_delta none = { 0 };

		CU_ASSERT(x.mem.blk.ops->modify(&x.mem.blk, f.block, &m, 1,
						&none) != 0);
		CU_ASSERT(x.mem.blk.ops->get(&x.mem.blk, f.block, NBLOCKS + 5) == NULL);
	}
	CU_ASSERT_EQUAL(imgblk_close(&x), 0);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, "/f", &f), 0);
	CU_ASSERT_EQUAL(cffs_read(&x.mem.blk, &f, 0, buf, sizeof(buf)), 6);
	CU_ASSERT(!memcmp(buf, "synced", 6));
	imgblk_close(&x);
	CU_ASSERT_EQUAL(fsck(0), 0);
	teardown();
}

/* ---- Damage, one kind per test. ---- */

/* Where `path` lives in the image: its inode's block and offset. */
static struct cffs_loc where(const char *path)
{
	static struct imgblk x;
	struct cffs_loc at = { 0 };

	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, path, &at), 0);
	imgblk_close(&x);
	return at;
}

static void patch(uint64_t block, uint64_t off, const void *bytes, size_t len)
{
	int fd = open(image, O_WRONLY);

	CU_ASSERT_EQUAL(pwrite(fd, bytes, len, (off_t)(block * CFFS_BLOCK + off)),
			(ssize_t)len);
	close(fd);
}

static void peek(uint64_t block, uint64_t off, void *bytes, size_t len)
{
	int fd = open(image, O_RDONLY);

	CU_ASSERT_EQUAL(pread(fd, bytes, len, (off_t)(block * CFFS_BLOCK + off)),
			(ssize_t)len);
	close(fd);
}

#define INODE_FIELD(at, field) \
	(at).block, (at).off + offsetof(struct cffs_inode, field)

/* A fresh image of make_folder()'s tree, which fsck accepts. */
static void damaged_setup(void)
{
	setup();
	make_folder();
	CU_ASSERT_FATAL(mkfs(src) == 0);
	CU_ASSERT_FATAL(fsck(0) == 0);
}

static void bad_superblock(void)
{
	static struct imgblk x;
	struct cffs_loc root;
	uint32_t junk = 0xdeadbeef;

	damaged_setup();
	root = where("/");
	patch(root.block, 0, &junk, sizeof(junk)); /* C-FFS's magic */
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 1); /* not a safe repair */
	patch(0, 0, &junk, sizeof(junk)); /* XN's magic */
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) != 0);
	teardown();
}

static void wrong_link_count(void)
{
	struct cffs_loc etc, motd;
	uint32_t n = 7;

	damaged_setup();
	etc = where("/etc");
	motd = where("/etc/motd");
	patch(INODE_FIELD(etc, nlink), &n, sizeof(n));
	patch(INODE_FIELD(motd, nlink), &n, sizeof(n));
	CU_ASSERT_EQUAL(fsck(0), 2);
	CU_ASSERT_EQUAL(fsck(1), 0);
	peek(INODE_FIELD(etc, nlink), &n, sizeof(n));
	CU_ASSERT_EQUAL(n, 3); /* 2 + its subdirectory deep */
	CU_ASSERT_EQUAL(fsck(0), 0);
	teardown();
}

static void wrong_size(void)
{
	struct cffs_loc big;
	uint64_t size = 5;

	damaged_setup();
	big = where("/etc/deep/big");
	patch(INODE_FIELD(big, size), &size, sizeof(size)); /* blocks past it */
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 1); /* which is right is not known */
	size = ~0ull; /* more than the indirect blocks map */
	patch(INODE_FIELD(big, size), &size, sizeof(size));
	CU_ASSERT(fsck(0) >= 1);
	teardown();
}

static void block_owned_twice(void)
{
	static struct imgblk x;
	struct cffs_loc motd, run;
	uint64_t blk;

	damaged_setup();
	motd = where("/etc/motd");
	run = where("/run.sh");
	peek(INODE_FIELD(motd, direct), &blk, sizeof(blk));
	patch(INODE_FIELD(run, direct), &blk, sizeof(blk));
	CU_ASSERT(fsck(0) >= 1);
	CU_ASSERT(fsck(1) >= 1);
	CU_ASSERT(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) != 0);
	teardown();
}

static void free_map_disagrees(void)
{
	struct xok_xn_super s;
	uint8_t map[16];
	struct cffs_loc motd;
	uint64_t blk;

	damaged_setup();
	motd = where("/etc/motd");
	peek(INODE_FIELD(motd, direct), &blk, sizeof(blk));
	peek(0, 0, &s, sizeof(s));
	peek(s.freemap_start, blk / 8 / 16 * 16, map, sizeof(map));
	map[blk / 8 % 16] ^= (uint8_t)(1 << (blk % 8)); /* marked free */
	map[15] ^= 0x80; /* a free block marked in use */
	patch(s.freemap_start, blk / 8 / 16 * 16, map, sizeof(map));
	CU_ASSERT_EQUAL(fsck(0), 2);
	CU_ASSERT_EQUAL(fsck(1), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	teardown();
}

static void bad_entry_names(void)
{
	struct cffs_loc motd, pw;
	uint16_t len = 0;

	damaged_setup();
	motd = where("/etc/motd");
	patch(motd.block, motd.off + offsetof(struct cffs_dirent, name), "a/b", 3);
	CU_ASSERT_EQUAL(fsck(0), 1);
	patch(motd.block, motd.off + offsetof(struct cffs_dirent, name), "..\0", 3);
	patch(motd.block, motd.off + offsetof(struct cffs_dirent, namelen), "\2", 1);
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 1); /* not a safe repair */
	/* extract skips it rather than write outside its folder */
	{
		static struct imgblk x;

		CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
		CU_ASSERT_EQUAL(cffsget_extract(&x.mem.blk, "/etc", out, null_out), 1);
		imgblk_close(&x);
	}
	patch(motd.block, motd.off + offsetof(struct cffs_dirent, namelen), &len,
	      sizeof(len));
	CU_ASSERT(fsck(0) >= 1);
	/* Two entries of one name. */
	teardown();
	damaged_setup();
	motd = where("/etc/motd");
	pw = where("/etc/link");
	patch(pw.block, pw.off + offsetof(struct cffs_dirent, name), "motd", 4);
	CU_ASSERT_EQUAL(fsck(0), 1);
	teardown();
}

/* A directory named "" (NUL first) would loop ls -R and extract back
 * into its parent (the fuzz target found it): both skip it. */
static void empty_name_does_not_loop(void)
{
	static struct imgblk x;
	struct cffs_loc deep;

	damaged_setup();
	deep = where("/etc/deep");
	patch(deep.block, deep.off + offsetof(struct cffs_dirent, name), "\0", 1);
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	CU_ASSERT_EQUAL(cffsget_list(&x.mem.blk, "/", 1, null_out, null_out), 1);
	CU_ASSERT_EQUAL(cffsget_extract(&x.mem.blk, "/etc", out, null_out), 1);
	imgblk_close(&x);
	teardown();
}

/* Free blocks of the image. */
static uint64_t free_blocks(void)
{
	static struct imgblk x;
	uint64_t n;

	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) == 0);
	n = memblk_free_count(&x.mem);
	imgblk_close(&x);
	return n;
}

/* An entry whose name went but whose inode stayed (a crash inside an
 * unlink or rename): reported, and released with its blocks. */
static void orphan_is_reclaimed(void)
{
	static struct imgblk x;
	struct cffs_loc motd;
	const uint16_t no_name = 0;
	const struct xok_xn_delta none = { 0 };
	struct xok_xn_mod m;
	uint64_t before;

	damaged_setup();
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 1, null_out) == 0);
	/* Reached through its parents, as XN wants a block changed. */
	CU_ASSERT_EQUAL(cffs_lookup(&x.mem.blk, "/etc/motd", &motd), 0);
	m = (struct xok_xn_mod){ motd.off + offsetof(struct cffs_dirent, namelen),
				 sizeof(no_name), (uint64_t)(uintptr_t)&no_name };
	CU_ASSERT_EQUAL(x.mem.blk.ops->modify(&x.mem.blk, motd.block, &m, 1,
					      &none), 0);
	CU_ASSERT_EQUAL(imgblk_close(&x), 0);
	before = free_blocks();
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	CU_ASSERT(free_blocks() > before); /* its data block came back */
	teardown();
}

/* An external inode whose last reference went but which kept its
 * blocks (a crash inside the last unlink): reported, and freed. */
static void unlinked_external_inode_is_reclaimed(void)
{
	static struct imgblk x;
	static const struct cffs_dirent empty;
	struct cffs_loc entry, ext;
	const uint32_t none = 0;
	uint64_t before;

	damaged_setup();
	entry = where("/etc/motd");
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 1, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_link(&x.mem.blk, "/etc/motd", "/etc/motd2"), 0);
	CU_ASSERT_EQUAL(cffs_unlink(&x.mem.blk, "/etc/motd2"), 0);
	CU_ASSERT_EQUAL(imgblk_close(&x), 0);
	ext = where("/etc/motd"); /* now in the inode table */
	CU_ASSERT_FATAL(ext.block != entry.block);
	/* The reference gone and the count at 0, the blocks still held. */
	patch(entry.block, entry.off, &empty, sizeof(empty));
	patch(INODE_FIELD(ext, nlink), &none, sizeof(none));
	before = free_blocks();
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	CU_ASSERT(free_blocks() > before);
	teardown();
}

/* An external inode's link count against the entries referring to it:
 * too high, too low (both repaired to the count of references), and a
 * reference to a slot holding no inode (reported; not repairable). */
static void external_link_count_checked(void)
{
	static struct imgblk x;
	struct cffs_loc ext, entry;
	uint32_t n = 3;

	damaged_setup();
	entry = where("/etc/motd"); /* stays, as a reference */
	CU_ASSERT_FATAL(imgblk_open(&x, image, IMGBLK_ROOT, 1, null_out) == 0);
	CU_ASSERT_EQUAL(cffs_link(&x.mem.blk, "/etc/motd", "/etc/motd2"), 0);
	CU_ASSERT_EQUAL(imgblk_close(&x), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	ext = where("/etc/motd"); /* in the inode table: two refer to it */
	patch(INODE_FIELD(ext, nlink), &n, sizeof(n));
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 0);
	peek(INODE_FIELD(ext, nlink), &n, sizeof(n));
	CU_ASSERT_EQUAL(n, 2);
	n = 1;
	patch(INODE_FIELD(ext, nlink), &n, sizeof(n));
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(fsck(1), 0);
	CU_ASSERT_EQUAL(fsck(0), 0);
	/* The first name now refers to the next slot, which is empty. */
	n = (uint32_t)(ext.off / CFFS_INODE_SLOT) + 1;
	patch(entry.block, entry.off + offsetof(struct cffs_dirent, ext_slot),
	      &n, sizeof(n));
	CU_ASSERT_EQUAL(fsck(0), 2); /* one reference short, one to nothing */
	teardown();
}

static void truncated_image(void)
{
	static struct imgblk x;

	damaged_setup();
	CU_ASSERT_EQUAL(truncate(image, NBLOCKS * CFFS_BLOCK / 2), 0);
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) != 0);
	CU_ASSERT_EQUAL(truncate(image, 100), 0);
	CU_ASSERT(fsck(0) != 0);
	CU_ASSERT_EQUAL(fsck(0), -1);
	teardown();
}

static void not_cffs_or_no_root(void)
{
	static struct imgblk x;

	setup();
	CU_ASSERT_EQUAL(xnimage_format(image, NBLOCKS, null_out), 0);
	CU_ASSERT(imgblk_open(&x, image, IMGBLK_ROOT, 0, null_out) != 0);
	CU_ASSERT_EQUAL(fsck(0), 1);
	CU_ASSERT_EQUAL(mkfs(NULL), 0);
	CU_ASSERT(imgblk_open(&x, image, "other", 0, null_out) != 0);
	CU_ASSERT(imgblk_format(image, 1 << 20, IMGBLK_ROOT, null_out) != 0);
	teardown();
}

void add_cffsimage_tests(void)
{
	static const struct unit_test tests[] = {
		{ "mkfs_then_extract_gives_the_folder_back",
		  mkfs_then_extract_gives_the_folder_back },
		{ "sparse_file_leaves_holes", sparse_file_leaves_holes },
		{ "hard_links_stay_links", hard_links_stay_links },
		{ "fifo_stays_a_fifo", fifo_stays_a_fifo },
		{ "refuses_what_it_cannot_store", refuses_what_it_cannot_store },
		{ "writes_reach_the_image", writes_reach_the_image },
		{ "bad_superblock", bad_superblock },
		{ "wrong_link_count", wrong_link_count },
		{ "wrong_size", wrong_size },
		{ "block_owned_twice", block_owned_twice },
		{ "free_map_disagrees", free_map_disagrees },
		{ "bad_entry_names", bad_entry_names },
		{ "empty_name_does_not_loop", empty_name_does_not_loop },
		{ "orphan_is_reclaimed", orphan_is_reclaimed },
		{ "unlinked_external_inode_is_reclaimed",
		  unlinked_external_inode_is_reclaimed },
		{ "external_link_count_checked", external_link_count_checked },
		{ "truncated_image", truncated_image },
		{ "not_cffs_or_no_root", not_cffs_or_no_root },
		{ 0, 0 },
	};
	null_out = fopen("/dev/null", "w");
	add_suite("cffsimage", tests);
}
