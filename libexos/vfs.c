/*
 * vfs: the file namespace — C-FFS on "/", the devices in /dev and the
 * process files in /proc (dev.c, procfs.c) — and the file system calls.
 *
 * Every path is first made absolute with its links followed (path.c),
 * then looked up here into a node. C-FFS runs in this process over XN
 * (exos_fs_ready); ExOS's lock serializes its use among processes, since
 * each has its own C-FFS instance over the one shared buffer cache.
 */
#include <xok/syscall.h>

#include "../lib/string.h"
#include "exos.h"
#include "path.h"
#include "sys.h"

#define FS exos_root_fs

/* ---- Nodes ---- */

int exos_node_lookup(const char *abs, struct exos_node *n)
{
	int r;

	memset(n, 0, sizeof(*n));
	if ((r = exos_dev_lookup(abs, n)) != 1 ||
	    (r = exos_proc_lookup(abs, n)) != 1)
		return r;
	exos_fs_ready();
	if (!FS)
		return -L_EIO;
	if ((r = cffs_lookup(FS, abs, &n->loc)) ||
	    (r = cffs_stat(FS, &n->loc, &n->ino)))
		return r;
	n->kind = NODE_CFFS;
	return 0;
}

/* path_resolve's view of links (the lock held). */
static long node_readlink(void *arg, const char *abs, char *buf, size_t size)
{
	struct exos_node n;

	(void)arg;
	if (exos_node_lookup(abs, &n))
		return PATH_NOT_LINK;
	if (n.kind == NODE_PROCLINK)
		return exos_proc_readlink(&n, buf, size);
	if (n.kind != NODE_CFFS || (n.ino.mode & L_S_IFMT) != L_S_IFLNK)
		return PATH_NOT_LINK;
	return cffs_readlink(FS, &n.loc, buf, size);
}

/* The directory a *at call starts from: the cwd or dirfd's path. */
static int start_dir(int dirfd, const char **out)
{
	struct exos_file *f;

	if (dirfd == L_AT_FDCWD) {
		*out = SELF->cwd;
		return 0;
	}
	if (!(f = exos_fd_get(dirfd)))
		return -L_EBADF;
	if (!f->path[0])
		return -L_ENOTDIR;
	*out = f->path;
	return 0;
}

/* Copies the user's path and resolves it (the lock held). */
static int resolve(int dirfd, const char *upath, int follow, char *abs)
{
	char path[PATH_MAX_LEN];
	const char *base;
	int r;

	if ((r = exos_ustring(upath, path, sizeof(path))))
		return r;
	if (!path[0])
		return -L_ENOENT;
	if ((r = start_dir(dirfd, &base)))
		return r;
	return path_resolve(base, path, follow, node_readlink, 0, abs);
}

int exos_resolve_path(const char *path, int follow, char *abs)
{
	int r;

	exos_lock();
	r = path_resolve(SELF->cwd, path, follow, node_readlink, 0, abs);
	exos_unlock();
	return r;
}

/* Resolves and looks up: the node at the user's path. */
static int lookup_at(int dirfd, const char *upath, int follow, char *abs,
		     struct exos_node *n)
{
	int r = resolve(dirfd, upath, follow, abs);

	return r ? r : exos_node_lookup(abs, n);
}

/* ---- Files ---- */

static uint32_t node_mode(const struct exos_node *n)
{
	return n->kind == NODE_CFFS ? n->ino.mode : exos_synthetic_mode(n);
}

int exos_open_node(const char *abs, const struct exos_node *n, int flags)
{
	int file, fd;
	uint32_t mode = node_mode(n);

	if ((flags & L_O_DIRECTORY) && (mode & L_S_IFMT) != L_S_IFDIR)
		return -L_ENOTDIR;
	if ((mode & L_S_IFMT) == L_S_IFDIR &&
	    (flags & L_O_ACCMODE) != L_O_RDONLY)
		return -L_EISDIR;
	if ((mode & L_S_IFMT) == L_S_IFLNK)
		return -L_ELOOP; /* O_NOFOLLOW on a link */
	if ((mode & L_S_IFMT) == L_S_IFIFO)
		file = exos_fifo_open(&n->loc, flags);
	else
		file = exos_file_alloc(n->kind == NODE_CFFS ? FILE_CFFS :
				       n->kind == NODE_DEV ? FILE_DEV :
							     FILE_PROC,
				       (uint32_t)flags & (L_O_ACCMODE |
							  L_O_APPEND |
							  L_O_NONBLOCK));
	if (file < 0)
		return file;
	struct exos_file *f = &SHARED->files[file];

	f->loc = n->loc;
	f->node = *n;
	f->dev = (uint16_t)n->dev;
	if (strlen(abs) < sizeof(f->path))
		memcpy(f->path, abs, strlen(abs) + 1);
	if ((fd = exos_fd_install(file, (flags & L_O_CLOEXEC) != 0)) < 0) {
		if (f->kind == FILE_PIPE_R || f->kind == FILE_PIPE_W)
			exos_pipe_close(f); /* a named pipe's end */
		f->kind = FILE_FREE;
		return fd;
	}
	return fd;
}

/* open(2) on an absolute path, the lock held. */
static int open_abs(const char *abs, int flags, uint32_t mode)
{
	struct exos_node n;
	int r = exos_node_lookup(abs, &n);

	if (r == -L_ENOENT && (flags & L_O_CREAT)) {
		exos_fs_ready();
		if (!FS)
			return -L_EIO;
		r = cffs_create(FS, abs, L_S_IFREG | (mode & 07777 & ~SELF->umask),
				&n.loc);
		if (!r)
			r = exos_node_lookup(abs, &n);
	} else if (!r && (flags & L_O_CREAT) && (flags & L_O_EXCL)) {
		r = -L_EEXIST;
	}
	if (r)
		return r;
	if ((flags & L_O_TRUNC) && n.kind == NODE_CFFS &&
	    (n.ino.mode & L_S_IFMT) == L_S_IFREG &&
	    (flags & L_O_ACCMODE) != L_O_RDONLY && n.ino.size &&
	    (r = cffs_truncate(FS, &n.loc)))
		return r;
	return exos_open_node(abs, &n, flags);
}

int exos_open(const char *abs, int flags, uint32_t mode)
{
	int r;

	exos_lock();
	r = open_abs(abs, flags, mode);
	exos_unlock();
	return r;
}

static int64_t do_open(int dirfd, const char *upath, int flags, uint32_t mode)
{
	char abs[PATH_MAX_LEN];
	int r;

	exos_lock();
	r = resolve(dirfd, upath,
		    !(flags & L_O_NOFOLLOW) && !((flags & L_O_CREAT) &&
						 (flags & L_O_EXCL)), abs);
	if (!r)
		r = open_abs(abs, flags, mode);
	exos_unlock();
	return r;
}

SYS(open)
{
	return do_open(L_AT_FDCWD, (const char *)a->a[0], (int)a->a[1],
		       (uint32_t)a->a[2]);
}

SYS(openat)
{
	return do_open((int)a->a[0], (const char *)a->a[1], (int)a->a[2],
		       (uint32_t)a->a[3]);
}

SYS(creat)
{
	return do_open(L_AT_FDCWD, (const char *)a->a[0],
		       L_O_CREAT | L_O_WRONLY | L_O_TRUNC, (uint32_t)a->a[1]);
}

int64_t exos_file_size(struct exos_file *f)
{
	struct cffs_inode ino;
	int r;

	if (f->kind != FILE_CFFS)
		return f->kind == FILE_PROC ? 0 : -L_ESPIPE;
	exos_lock();
	r = cffs_stat(FS, &f->loc, &ino);
	exos_unlock();
	return r ? r : (int64_t)ino.size;
}

static long cffs_io(struct exos_file *f, void *buf, size_t len, int64_t off,
		    int write)
{
	struct cffs_inode ino;
	uint64_t at;
	long n;

	exos_lock();
	exos_fs_ready();
	if (!FS || cffs_stat(FS, &f->loc, &ino)) {
		exos_unlock();
		return -L_EIO;
	}
	if ((ino.mode & L_S_IFMT) == L_S_IFDIR) {
		exos_unlock();
		return -L_EISDIR;
	}
	at = off >= 0 ? (uint64_t)off :
	     (write && (f->flags & L_O_APPEND)) ? ino.size : f->off;
	n = write ? cffs_write(FS, &f->loc, at, buf, len) :
		    cffs_read(FS, &f->loc, at, buf, len);
	if (n > 0 && off < 0)
		f->off = at + (uint64_t)n;
	exos_unlock();
	return n;
}

long exos_file_read(struct exos_file *f, void *buf, size_t len, int64_t off)
{
	switch (f->kind) {
	case FILE_CFFS:
		return cffs_io(f, buf, len, off, 0);
	case FILE_PIPE_R:
		return exos_pipe_read(f, buf, len);
	case FILE_DEV:
		return exos_dev_read(f, buf, len);
	case FILE_PROC:
		return exos_proc_read(f, buf, len, off);
	default:
		return -L_EBADF;
	}
}

long exos_file_write(struct exos_file *f, const void *buf, size_t len,
		     int64_t off)
{
	switch (f->kind) {
	case FILE_CFFS:
		return cffs_io(f, (void *)buf, len, off, 1);
	case FILE_PIPE_W:
		return exos_pipe_write(f, buf, len);
	case FILE_DEV:
		return exos_dev_write(f, buf, len);
	default:
		return -L_EBADF;
	}
}

/* ---- stat ---- */

static uint64_t ino_number(const struct exos_node *n)
{
	if (n->kind != NODE_CFFS)
		return exos_synthetic_ino(n);
	return (n->loc.block << 4) | (n->loc.off / 256) | 1;
}

static void fill_stat(const struct exos_node *n, struct l_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = node_mode(n);
	st->st_ino = ino_number(n);
	st->st_blksize = 4096;
	if (n->kind != NODE_CFFS) {
		st->st_dev = 5;
		st->st_nlink = 1;
		st->st_rdev = exos_synthetic_rdev(n);
		st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec =
			exos_now_ns() / 1000000000;
		return;
	}
	st->st_dev = 1;
	st->st_nlink = n->ino.nlink ? n->ino.nlink : 1;
	st->st_uid = n->ino.uid;
	st->st_gid = n->ino.gid;
	st->st_size = (int64_t)n->ino.size;
	st->st_blocks = ((int64_t)n->ino.size + 511) / 512;
	st->st_atim = (struct l_timespec){ n->ino.atime_ns / 1000000000,
					   n->ino.atime_ns % 1000000000 };
	st->st_mtim = (struct l_timespec){ n->ino.mtime_ns / 1000000000,
					   n->ino.mtime_ns % 1000000000 };
	st->st_ctim = (struct l_timespec){ n->ino.ctime_ns / 1000000000,
					   n->ino.ctime_ns % 1000000000 };
}

/* The node an fd names (its description's, refreshed). */
static int fd_node(int fd, struct exos_node *n)
{
	struct exos_file *f = exos_fd_get(fd);

	if (!f)
		return -L_EBADF;
	switch (f->kind) {
	case FILE_CFFS:
		*n = f->node;
		n->loc = f->loc;
		exos_fs_ready();
		return FS ? cffs_stat(FS, &f->loc, &n->ino) : -L_EIO;
	case FILE_PIPE_R:
	case FILE_PIPE_W:
		memset(n, 0, sizeof(*n));
		n->kind = NODE_PIPE;
		n->dev = (int)f->pipe;
		return 0;
	default:
		*n = f->node;
		return 0;
	}
}

/* The node a stat-family call names (flags: AT_*). */
static int node_at(int dirfd, const char *upath, int flags,
		   struct exos_node *n)
{
	char abs[PATH_MAX_LEN];
	int r;

	exos_lock();
	if ((flags & L_AT_EMPTY_PATH) && upath &&
	    !exos_uaccess((uint64_t)upath, 1, 0) && !upath[0])
		r = fd_node(dirfd, n);
	else
		r = lookup_at(dirfd, upath, !(flags & L_AT_SYMLINK_NOFOLLOW),
			      abs, n);
	exos_unlock();
	return r;
}

static int64_t stat_at(int dirfd, const char *upath, uint64_t ust, int flags)
{
	struct exos_node n;
	int r;

	if (exos_uaccess(ust, sizeof(struct l_stat), 1))
		return -L_EFAULT;
	if (!(r = node_at(dirfd, upath, flags, &n)))
		fill_stat(&n, (struct l_stat *)ust);
	return r;
}

SYS(stat)
{
	return stat_at(L_AT_FDCWD, (const char *)a->a[0], a->a[1], 0);
}

SYS(lstat)
{
	return stat_at(L_AT_FDCWD, (const char *)a->a[0], a->a[1],
		       L_AT_SYMLINK_NOFOLLOW);
}

SYS(newfstatat)
{
	return stat_at((int)a->a[0], (const char *)a->a[1], a->a[2],
		       (int)a->a[3]);
}

SYS(fstat)
{
	return stat_at((int)a->a[0], "", a->a[1], L_AT_EMPTY_PATH);
}

static struct l_statx_ts statx_ts(struct l_timespec t)
{
	return (struct l_statx_ts){ t.tv_sec, (uint32_t)t.tv_nsec, 0 };
}

SYS(statx)
{
	struct l_statx *sx = (void *)a->a[4];
	struct exos_node n;
	struct l_stat st;
	int r;

	if (exos_uaccess((uint64_t)sx, sizeof(*sx), 1))
		return -L_EFAULT;
	if ((r = node_at((int)a->a[0], (const char *)a->a[1], (int)a->a[2],
			 &n)))
		return r;
	fill_stat(&n, &st);
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = L_STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st.st_blksize;
	sx->stx_nlink = (uint32_t)st.st_nlink;
	sx->stx_uid = st.st_uid;
	sx->stx_gid = st.st_gid;
	sx->stx_mode = (uint16_t)st.st_mode;
	sx->stx_ino = st.st_ino;
	sx->stx_size = (uint64_t)st.st_size;
	sx->stx_blocks = (uint64_t)st.st_blocks;
	sx->stx_atime = statx_ts(st.st_atim);
	sx->stx_mtime = statx_ts(st.st_mtim);
	sx->stx_ctime = statx_ts(st.st_ctim);
	sx->stx_rdev_major = (uint32_t)(st.st_rdev >> 8);
	sx->stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff);
	sx->stx_dev_minor = (uint32_t)st.st_dev;
	return 0;
}

/* ---- Directories ---- */

static uint8_t dtype(uint32_t mode)
{
	switch (mode & L_S_IFMT) {
	case L_S_IFDIR: return L_DT_DIR;
	case L_S_IFREG: return L_DT_REG;
	case L_S_IFLNK: return L_DT_LNK;
	case L_S_IFCHR: return L_DT_CHR;
	case L_S_IFIFO: return L_DT_FIFO;
	default: return 0;
	}
}

/* Appends one record to a getdents64 buffer: 1, or 0 if it is full. */
int exos_dirent_put(uint8_t *buf, size_t size, size_t *used, uint64_t ino,
		    int64_t next, uint32_t mode, const char *name)
{
	size_t len = strlen(name);
	size_t rec = (sizeof(struct l_dirent64) + len + 1 + 7) & ~(size_t)7;
	struct l_dirent64 *d = (struct l_dirent64 *)(buf + *used);

	if (*used + rec > size)
		return 0;
	d->d_ino = ino;
	d->d_off = next;
	d->d_reclen = (uint16_t)rec;
	d->d_type = dtype(mode);
	memcpy(d->d_name, name, len + 1);
	*used += rec;
	return 1;
}

/* C-FFS has no "." and "..": positions 0 and 1 are made up, then C-FFS's
 * own (stable) cursor plus 2. */
static long cffs_getdents(struct exos_file *f, uint8_t *buf, size_t size)
{
	size_t used = 0;
	char name[CFFS_NAME_MAX + 1];
	struct cffs_inode ino;

	while (f->off < 2) {
		if (!exos_dirent_put(buf, size, &used, 1 + f->off,
				     (int64_t)f->off + 1, L_S_IFDIR,
				     f->off ? ".." : "."))
			return used ? (long)used : -L_EINVAL;
		f->off++;
	}
	for (;;) {
		uint64_t cursor = f->off - 2;
		int r = cffs_readdir(FS, &f->loc, &cursor, name, &ino);

		if (r < 0)
			return used ? (long)used : r;
		if (!r)
			return (long)used;
		uint64_t h = 5381;

		for (const char *c = name; *c; c++)
			h = h * 33 + (uint8_t)*c;
		if (!exos_dirent_put(buf, size, &used, h | 1,
				     (int64_t)cursor + 2, ino.mode, name))
			return used ? (long)used : -L_EINVAL;
		f->off = cursor + 2;
	}
}

SYS(getdents64)
{
	struct exos_file *f = exos_fd_get((int)a->a[0]);
	long r;

	if (!f)
		return -L_EBADF;
	if (exos_uaccess(a->a[1], a->a[2], 1))
		return -L_EFAULT;
	exos_lock();
	if (f->kind == FILE_CFFS) {
		exos_fs_ready();
		r = FS ? cffs_getdents(f, (uint8_t *)a->a[1], a->a[2]) : -L_EIO;
	} else {
		r = exos_synthetic_getdents(f, (uint8_t *)a->a[1], a->a[2]);
	}
	exos_unlock();
	return r;
}

/* ---- Changing the namespace ---- */

/* Resolves a path whose last component is to be made or removed: links
 * in the parent are followed, the last component is not. Only C-FFS's
 * part of the namespace can change. */
static int resolve_change(int dirfd, const char *upath, char *abs)
{
	int r = resolve(dirfd, upath, 0, abs);

	if (r)
		return r;
	if (!strcmp(abs, "/"))
		return -L_EBUSY;
	if (!strncmp(abs, "/dev", 4) || !strncmp(abs, "/proc", 5)) {
		if (!abs[abs[1] == 'd' ? 4 : 5] ||
		    abs[abs[1] == 'd' ? 4 : 5] == '/')
			return -L_EROFS;
	}
	exos_fs_ready();
	return FS ? 0 : -L_EIO;
}

static int64_t make_dir(int dirfd, const char *upath, uint32_t mode)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	int r;

	exos_lock();
	if (!(r = resolve_change(dirfd, upath, abs)))
		r = cffs_mkdir(FS, abs, mode & 07777 & ~SELF->umask);
	else if ((r == -L_EBUSY || r == -L_EROFS) &&
		 !exos_node_lookup(abs, &n))
		r = -L_EEXIST; /* "/", /dev, /proc, ... exist */
	exos_unlock();
	return r;
}

/* mknod and mknodat: named pipes and regular files; device nodes are
 * refused (the devices are /dev's, which ExOS makes up itself). */
static int64_t make_node(int dirfd, const char *upath, uint32_t mode)
{
	char abs[PATH_MAX_LEN];
	struct cffs_loc at;
	uint32_t type = mode & L_S_IFMT;
	int r;

	if (type != L_S_IFIFO && type != L_S_IFREG && type != 0)
		return type == L_S_IFCHR || type == L_S_IFBLK ||
		       type == L_S_IFSOCK ? -L_EPERM : -L_EINVAL;
	exos_lock();
	if (!(r = resolve_change(dirfd, upath, abs)))
		r = cffs_create(FS, abs, (type ? type : L_S_IFREG) |
					 (mode & 07777 & ~SELF->umask), &at);
	exos_unlock();
	return r;
}

SYS(mknod)
{
	return make_node(L_AT_FDCWD, (const char *)a->a[0], (uint32_t)a->a[1]);
}

SYS(mknodat)
{
	return make_node((int)a->a[0], (const char *)a->a[1],
			 (uint32_t)a->a[2]);
}

SYS(mkdir)
{
	return make_dir(L_AT_FDCWD, (const char *)a->a[0], (uint32_t)a->a[1]);
}

SYS(mkdirat)
{
	return make_dir((int)a->a[0], (const char *)a->a[1], (uint32_t)a->a[2]);
}

/* unlink (want_dir 0) or rmdir (1). */
static int64_t remove_at(int dirfd, const char *upath, int want_dir)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	int r;

	exos_lock();
	if (!(r = resolve_change(dirfd, upath, abs)) &&
	    !(r = exos_node_lookup(abs, &n))) {
		int is_dir = (n.ino.mode & L_S_IFMT) == L_S_IFDIR;

		if (is_dir != want_dir)
			r = is_dir ? -L_EISDIR : -L_ENOTDIR;
		else
			r = is_dir ? cffs_rmdir(FS, abs) : cffs_unlink(FS, abs);
	}
	exos_unlock();
	return r;
}

SYS(unlink)
{
	return remove_at(L_AT_FDCWD, (const char *)a->a[0], 0);
}

SYS(rmdir)
{
	return remove_at(L_AT_FDCWD, (const char *)a->a[0], 1);
}

SYS(unlinkat)
{
	if (a->a[2] & ~(uint64_t)L_AT_REMOVEDIR)
		return -L_EINVAL;
	return remove_at((int)a->a[0], (const char *)a->a[1],
			 (a->a[2] & L_AT_REMOVEDIR) != 0);
}

#define L_RENAME_NOREPLACE 1

/* rename and link: both names resolved like a name being made. */
static int64_t two_names(int olddir, const char *uold, int newdir,
			 const char *unew, int link, uint64_t flags)
{
	char from[PATH_MAX_LEN], to[PATH_MAX_LEN];
	struct exos_node n;
	int r;

	if (flags & ~(uint64_t)L_RENAME_NOREPLACE)
		return -L_EINVAL;
	exos_lock();
	if (!(r = resolve_change(olddir, uold, from)) &&
	    !(r = resolve_change(newdir, unew, to))) {
		if ((flags & L_RENAME_NOREPLACE) && !exos_node_lookup(to, &n))
			r = -L_EEXIST;
		else
			r = link ? cffs_link(FS, from, to) :
				   cffs_rename(FS, from, to);
	}
	exos_unlock();
	return r;
}

SYS(rename)
{
	return two_names(L_AT_FDCWD, (const char *)a->a[0], L_AT_FDCWD,
			 (const char *)a->a[1], 0, 0);
}

SYS(renameat)
{
	return two_names((int)a->a[0], (const char *)a->a[1], (int)a->a[2],
			 (const char *)a->a[3], 0, 0);
}

SYS(renameat2)
{
	return two_names((int)a->a[0], (const char *)a->a[1], (int)a->a[2],
			 (const char *)a->a[3], 0, a->a[4]);
}

SYS(link)
{
	return two_names(L_AT_FDCWD, (const char *)a->a[0], L_AT_FDCWD,
			 (const char *)a->a[1], 1, 0);
}

/* linkat's AT_SYMLINK_FOLLOW is not offered: links are made to the
 * named entry itself, as link(2) does on Linux. */
SYS(linkat)
{
	if (a->a[4] & ~(uint64_t)0x400)
		return -L_EINVAL;
	return two_names((int)a->a[0], (const char *)a->a[1], (int)a->a[2],
			 (const char *)a->a[3], 1, 0);
}

static int64_t make_symlink(const char *utarget, int dirfd, const char *upath)
{
	char abs[PATH_MAX_LEN], target[PATH_MAX_LEN];
	int r;

	if ((r = exos_ustring(utarget, target, sizeof(target))))
		return r;
	exos_lock();
	if (!(r = resolve_change(dirfd, upath, abs)))
		r = cffs_symlink(FS, abs, target);
	exos_unlock();
	return r;
}

SYS(symlink)
{
	return make_symlink((const char *)a->a[0], L_AT_FDCWD,
			    (const char *)a->a[1]);
}

SYS(symlinkat)
{
	return make_symlink((const char *)a->a[0], (int)a->a[1],
			    (const char *)a->a[2]);
}

static int64_t read_link(int dirfd, const char *upath, char *ubuf,
			 uint64_t size)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	long r;

	if (exos_uaccess((uint64_t)ubuf, size, 1))
		return -L_EFAULT;
	exos_lock();
	if (!(r = lookup_at(dirfd, upath, 0, abs, &n))) {
		r = node_readlink(0, abs, ubuf, size);
		if (r == PATH_NOT_LINK)
			r = -L_EINVAL;
	}
	exos_unlock();
	return r;
}

SYS(readlink)
{
	return read_link(L_AT_FDCWD, (const char *)a->a[0], (char *)a->a[1],
			 a->a[2]);
}

SYS(readlinkat)
{
	return read_link((int)a->a[0], (const char *)a->a[1], (char *)a->a[2],
			 a->a[3]);
}

/* ---- Attributes ---- */

/* Changes the attributes of the node at a path or fd (upath NULL). */
static int64_t set_attr(int dirfd, const char *upath, int follow,
			const struct cffs_inode *attr, unsigned what)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	int r;

	exos_lock();
	r = upath ? lookup_at(dirfd, upath, follow, abs, &n) :
		    fd_node(dirfd, &n);
	if (!r)
		r = n.kind == NODE_CFFS ? cffs_setattr(FS, &n.loc, attr, what) :
					  -L_EPERM;
	exos_unlock();
	return r;
}

static int64_t chmod_at(int dirfd, const char *upath, uint64_t mode)
{
	struct cffs_inode attr = { .mode = (uint32_t)mode & 07777 };

	return set_attr(dirfd, upath, 1, &attr, CFFS_SET_MODE);
}

SYS(chmod)
{
	return chmod_at(L_AT_FDCWD, (const char *)a->a[0], a->a[1]);
}

SYS(fchmod)
{
	return chmod_at((int)a->a[0], 0, a->a[1]);
}

SYS(fchmodat)
{
	return chmod_at((int)a->a[0], (const char *)a->a[1], a->a[2]);
}

/* chown: -1 (as 32 bits) leaves that id as it is. */
static int64_t chown_at(int dirfd, const char *upath, int follow,
			uint64_t uid, uint64_t gid)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	struct cffs_inode attr;
	int r;

	exos_lock();
	r = upath ? lookup_at(dirfd, upath, follow, abs, &n) :
		    fd_node(dirfd, &n);
	if (!r && n.kind != NODE_CFFS)
		r = -L_EPERM;
	if (!r) {
		attr.uid = (uint32_t)uid == ~0u ? n.ino.uid : (uint32_t)uid;
		attr.gid = (uint32_t)gid == ~0u ? n.ino.gid : (uint32_t)gid;
		r = cffs_setattr(FS, &n.loc, &attr, CFFS_SET_OWNER);
	}
	exos_unlock();
	return r;
}

SYS(chown)
{
	return chown_at(L_AT_FDCWD, (const char *)a->a[0], 1, a->a[1], a->a[2]);
}

SYS(lchown)
{
	return chown_at(L_AT_FDCWD, (const char *)a->a[0], 0, a->a[1], a->a[2]);
}

SYS(fchown)
{
	return chown_at((int)a->a[0], 0, 1, a->a[1], a->a[2]);
}

SYS(fchownat)
{
	int empty = (a->a[4] & L_AT_EMPTY_PATH) && a->a[1] &&
		    !exos_uaccess(a->a[1], 1, 0) && !*(const char *)a->a[1];

	return chown_at((int)a->a[0], empty ? 0 : (const char *)a->a[1],
			!(a->a[4] & L_AT_SYMLINK_NOFOLLOW), a->a[2], a->a[3]);
}

#define L_UTIME_NOW  ((1l << 30) - 1)
#define L_UTIME_OMIT ((1l << 30) - 2)

SYS(utimensat)
{
	const struct l_timespec *ts = (const void *)a->a[2];
	struct cffs_inode attr = { 0 };
	unsigned what = CFFS_SET_CTIME;
	int64_t now = exos_now_ns();

	if (ts && exos_uaccess((uint64_t)ts, 2 * sizeof(*ts), 0))
		return -L_EFAULT;
	for (int i = 0; i < 2; i++) {
		int64_t *t = i ? &attr.mtime_ns : &attr.atime_ns;
		long nsec = ts ? ts[i].tv_nsec : L_UTIME_NOW;

		if (nsec == L_UTIME_OMIT)
			continue;
		*t = nsec == L_UTIME_NOW ? now :
		     ts[i].tv_sec * 1000000000 + nsec;
		what |= i ? CFFS_SET_MTIME : CFFS_SET_ATIME;
	}
	attr.ctime_ns = now;
	return set_attr((int)a->a[0], a->a[1] ? (const char *)a->a[1] : 0,
			!(a->a[3] & L_AT_SYMLINK_NOFOLLOW), &attr, what);
}

/* Sets a file's size (truncate, ftruncate): shorter frees what is past
 * the end, longer leaves a hole. */
static int set_size(const struct exos_node *n, uint64_t len)
{
	if ((n->ino.mode & L_S_IFMT) != L_S_IFREG)
		return (n->ino.mode & L_S_IFMT) == L_S_IFDIR ? -L_EISDIR :
							      -L_EINVAL;
	return len == n->ino.size ? 0 : cffs_set_size(FS, &n->loc, len);
}

SYS(truncate)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	int r;

	if ((int64_t)a->a[1] < 0)
		return -L_EINVAL;
	exos_lock();
	if (!(r = lookup_at(L_AT_FDCWD, (const char *)a->a[0], 1, abs, &n)))
		r = n.kind == NODE_CFFS ? set_size(&n, a->a[1]) : -L_EINVAL;
	exos_unlock();
	return r;
}

SYS(ftruncate)
{
	struct exos_file *f = exos_fd_get((int)a->a[0]);
	struct exos_node n;
	int r;

	if (!f)
		return -L_EBADF;
	if ((int64_t)a->a[1] < 0 || f->kind != FILE_CFFS ||
	    (f->flags & L_O_ACCMODE) == L_O_RDONLY)
		return -L_EINVAL;
	exos_lock();
	if (!(r = fd_node((int)a->a[0], &n)))
		r = set_size(&n, a->a[1]);
	exos_unlock();
	return r;
}

static int64_t sync_fd(int fd)
{
	struct exos_file *f = exos_fd_get(fd);
	int r = 0;

	if (!f)
		return -L_EBADF;
	if (f->kind != FILE_CFFS)
		return 0;
	exos_lock();
	exos_fs_ready();
	r = FS ? cffs_fsync(FS, &f->loc) : -L_EIO;
	exos_unlock();
	return r;
}

SYS(fsync)
{
	return sync_fd((int)a->a[0]);
}

SYS(fdatasync)
{
	return sync_fd((int)a->a[0]);
}

int exos_sync(void)
{
	int r;

	exos_lock();
	exos_fs_ready();
	r = FS ? FS->ops->sync(FS) : 0;
	exos_unlock();
	return r;
}

SYS(sync)
{
	(void)a;
	exos_sync();
	return 0;
}

/* Everyone is root: access checks only that the file exists and, for
 * X_OK, that some execute bit is set (as Linux does for root). */
static int64_t access_at(int dirfd, const char *upath, uint64_t mode,
			 uint64_t flags)
{
	struct exos_node n;
	int r = node_at(dirfd, upath, (int)flags, &n);

	if (r)
		return r;
	if ((mode & 1) && (node_mode(&n) & L_S_IFMT) != L_S_IFDIR &&
	    !(node_mode(&n) & 0111))
		return -L_EACCES;
	return 0;
}

SYS(access)
{
	return access_at(L_AT_FDCWD, (const char *)a->a[0], a->a[1], 0);
}

SYS(faccessat)
{
	return access_at((int)a->a[0], (const char *)a->a[1], a->a[2], 0);
}

SYS(faccessat2)
{
	return access_at((int)a->a[0], (const char *)a->a[1], a->a[2],
			 a->a[3] & (L_AT_SYMLINK_NOFOLLOW | L_AT_EMPTY_PATH));
}

/* ---- The working directory ---- */

SYS(getcwd)
{
	size_t len = strlen(SELF->cwd) + 1;

	if (a->a[1] < len)
		return -L_ERANGE;
	if (exos_uaccess(a->a[0], len, 1))
		return -L_EFAULT;
	memcpy((void *)a->a[0], SELF->cwd, len);
	return (int64_t)len;
}

static int64_t change_dir(const char *abs, const struct exos_node *n)
{
	if ((node_mode(n) & L_S_IFMT) != L_S_IFDIR)
		return -L_ENOTDIR;
	memcpy(SELF->cwd, abs, strlen(abs) + 1);
	return 0;
}

SYS(chdir)
{
	char abs[PATH_MAX_LEN];
	struct exos_node n;
	int64_t r;

	exos_lock();
	if (!(r = lookup_at(L_AT_FDCWD, (const char *)a->a[0], 1, abs, &n)))
		r = change_dir(abs, &n);
	exos_unlock();
	return r;
}

SYS(fchdir)
{
	struct exos_file *f = exos_fd_get((int)a->a[0]);
	struct exos_node n;
	int64_t r;

	if (!f)
		return -L_EBADF;
	exos_lock();
	if (!(r = fd_node((int)a->a[0], &n)))
		r = f->path[0] ? change_dir(f->path, &n) : -L_ENOTDIR;
	exos_unlock();
	return r;
}

SYS(umask)
{
	uint32_t old = SELF->umask;

	SELF->umask = (uint32_t)a->a[0] & 0777;
	return old;
}

struct l_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};

static int64_t fill_statfs(uint64_t ubuf)
{
	const volatile struct xok_disk *d = (const volatile void *)XOK_UDISKS;
	const volatile uint8_t *map = (const volatile uint8_t *)XOK_UXNMAP;
	struct l_statfs *s = (void *)ubuf;
	uint64_t free = 0;

	if (exos_uaccess(ubuf, sizeof(*s), 1))
		return -L_EFAULT;
	for (uint64_t b = 0; b < d[0].nblocks; b++)
		free += !((map[b / 8] >> (b % 8)) & 1);
	memset(s, 0, sizeof(*s));
	s->type = 0xCFF5;
	s->bsize = s->frsize = 4096;
	s->blocks = d[0].nblocks;
	s->bfree = s->bavail = free;
	s->files = s->ffree = free;
	s->namelen = CFFS_NAME_MAX;
	return 0;
}

SYS(statfs)
{
	return fill_statfs(a->a[1]);
}

SYS(fstatfs)
{
	return exos_fd_get((int)a->a[0]) ? fill_statfs(a->a[1]) : -L_EBADF;
}
