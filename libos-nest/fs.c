/*
 * fs: see fs.h. Paths are normalized by ExOS's path_resolve with no
 * links to follow (C-FFS follows none either: a link inside a path is
 * CFFS_ENOTDIR), from "/" — where ".." stays — and only then put under
 * the folder, so no path the owner sends names anything outside it.
 * Calls are served one at a time (a nester's server takes one call at a
 * time), so the path buffers are static: the server's exception stack is
 * small.
 */
#include "fs.h"

#include <xok/error.h>

#include "../lib/string.h"
#include "../libexos/path.h"

static char view[PATH_MAX_LEN], full[PATH_MAX_LEN];

static long no_links(void *arg, const char *path, char *buf, size_t size)
{
	(void)arg, (void)path, (void)buf, (void)size;
	return PATH_NOT_LINK;
}

int nest_fs_init(struct nest_fs *fs, struct cffs_blk *blk, const char *folder,
		 int (*alive)(uint64_t owner))
{
	*fs = (struct nest_fs){ .blk = blk, .alive = alive };
	if (folder[0] != '/' ||
	    path_resolve("/", folder, 0, no_links, 0, view) ||
	    strlen(view) >= sizeof(fs->folder))
		return E_INVAL;
	memcpy(fs->folder, view, strlen(view) + 1);
	return 0;
}

/* Puts `path` (the owner's, at most NEST_PATH_MAX bytes with its NUL)
 * as the owner sees it in `view` and as C-FFS names it in `full`. */
static int64_t place(const struct nest_fs *fs, int whole, const char *path)
{
	size_t n = strnlen(path, NEST_PATH_MAX), f;

	if (n == NEST_PATH_MAX || path_resolve("/", path, 0, no_links, 0, view) ||
	    strlen(view) >= NEST_PATH_MAX)
		return E_INVAL;
	f = whole || !strcmp(fs->folder, "/") ? 0 : strlen(fs->folder);
	memcpy(full, fs->folder, f);
	if (f && !strcmp(view, "/"))
		full[f] = '\0';
	else
		memcpy(full + f, view, strlen(view) + 1);
	return 0;
}

/* The same for a path in the owner's message page, copied first: its
 * owner may change it while we read. */
static int64_t place_msg(const struct nest_fs *fs, int whole,
			 const struct nest_msg *msg)
{
	char path[NEST_PATH_MAX];

	memcpy(path, msg->path, sizeof(path));
	path[sizeof(path) - 1] = '\0';
	return place(fs, whole, path);
}

static int64_t fs_err(int r)
{
	return r < 0 ? NEST_FS_ERR(r) : r;
}

static int live(const struct nest_fs *fs, const struct nest_file *f)
{
	return f->owner && (!fs->alive || fs->alive(f->owner));
}

static struct nest_file *handle(struct nest_fs *fs, uint64_t owner,
				uint64_t fd)
{
	for (unsigned i = 0; i < NEST_MAXFILES; i++)
		if (fs->file[i].owner == owner && fs->file[i].fd == fd &&
		    live(fs, &fs->file[i]))
			return &fs->file[i];
	return 0;
}

/* A free entry, or 0. */
static struct nest_file *free_entry(struct nest_fs *fs)
{
	for (unsigned i = 0; i < NEST_MAXFILES; i++)
		if (!live(fs, &fs->file[i]))
			return &fs->file[i];
	return 0;
}

/* The least handle `owner` does not hold. */
static uint32_t least_fd(struct nest_fs *fs, uint64_t owner)
{
	uint32_t fd = 0;

	while (handle(fs, owner, fd))
		fd++;
	return fd;
}

/* Opens the file at `full` into `f` (a free entry) for `owner`. */
static int64_t open_into(struct nest_fs *fs, struct nest_file *f,
			 uint64_t owner, uint32_t fd, uint32_t flags,
			 uint64_t off)
{
	struct cffs_loc loc;
	struct cffs_inode ino;
	int r = cffs_lookup(fs->blk, full, &loc);

	if (r == CFFS_ENOENT && (flags & NEST_O_CREATE))
		r = cffs_create(fs->blk, full, CFFS_S_IFREG | 0644, &loc);
	if (r || (r = cffs_stat(fs->blk, &loc, &ino)))
		return fs_err(r);
	if ((ino.mode & CFFS_S_IFMT) == CFFS_S_IFDIR)
		return NEST_FS_ERR(CFFS_EISDIR);
	if ((ino.mode & CFFS_S_IFMT) != CFFS_S_IFREG)
		return NEST_FS_ERR(CFFS_EINVAL);
	if ((flags & NEST_O_TRUNC) && (r = cffs_truncate(fs->blk, &loc)))
		return fs_err(r);
	*f = (struct nest_file){ .owner = owner, .fd = fd, .flags = flags,
		.off = off, .loc = loc };
	memcpy(f->path, view, strlen(view) + 1);
	return fd;
}

static int flags_ok(uint64_t flags)
{
	return !(flags & ~(uint64_t)NEST_O_ALL) &&
	       (flags & (NEST_O_READ | NEST_O_WRITE)) &&
	       (flags & NEST_O_WRITE || !(flags & (NEST_O_TRUNC | NEST_O_APPEND)));
}

static int64_t fs_open(struct nest_fs *fs, uint64_t owner, int whole,
		       uint64_t flags, const struct nest_msg *msg)
{
	struct nest_file *f = free_entry(fs);

	if (!flags_ok(flags) || place_msg(fs, whole, msg) < 0)
		return E_INVAL;
	if (!f)
		return E_AGAIN;
	return open_into(fs, f, owner, least_fd(fs, owner), (uint32_t)flags, 0);
}

static int64_t fs_stat(struct nest_fs *fs, int whole, struct nest_msg *msg)
{
	struct cffs_loc loc;
	struct cffs_inode ino;
	struct nest_stat st;
	int r;

	if (place_msg(fs, whole, msg) < 0)
		return E_INVAL;
	if ((r = cffs_lookup(fs->blk, full, &loc)) ||
	    (r = cffs_stat(fs->blk, &loc, &ino)))
		return fs_err(r);
	st = (struct nest_stat){ .size = ino.size, .mode = ino.mode,
		.nlink = ino.nlink, .mtime_ns = ino.mtime_ns };
	memcpy(msg->data, &st, sizeof(st));
	msg->len = sizeof(st);
	return 0;
}

static int64_t fd_size(struct nest_fs *fs, const struct nest_file *f,
		       uint64_t *size)
{
	struct cffs_inode ino;
	int r = cffs_stat(fs->blk, &f->loc, &ino);

	*size = ino.size;
	return fs_err(r);
}

static int64_t fd_seek(struct nest_fs *fs, struct nest_file *f, uint64_t off,
		       uint64_t whence)
{
	uint64_t base = 0;
	int64_t r, to;

	if (whence == NEST_SEEK_CUR)
		base = f->off;
	else if (whence == NEST_SEEK_END && (r = fd_size(fs, f, &base)) < 0)
		return r;
	else if (whence > NEST_SEEK_END)
		return E_INVAL;
	to = (int64_t)(base + off);
	if (to < 0 || ((int64_t)off < 0) != (to < (int64_t)base))
		return E_INVAL; /* before the start, or past what fits */
	f->off = (uint64_t)to;
	return to;
}

/* READ, WRITE and SEEK on handle a[0]. */
static int64_t fd_call(struct nest_fs *fs, uint64_t owner, uint64_t op,
		       const uint64_t a[3], struct nest_msg *msg)
{
	struct nest_file *f = handle(fs, owner, a[0]);
	uint64_t len = a[1];
	long n;

	if (!f || ((op == NEST_FD_READ || op == NEST_FD_WRITE) &&
		   len > sizeof(msg->data)))
		return E_INVAL;
	switch (op) {
	case NEST_FD_READ:
		if (!(f->flags & NEST_O_READ))
			return E_PERM;
		n = cffs_read(fs->blk, &f->loc, f->off, msg->data, len);
		msg->len = n < 0 ? 0 : (uint64_t)n;
		break;
	case NEST_FD_WRITE:
		if (!(f->flags & NEST_O_WRITE))
			return E_PERM;
		if (f->flags & NEST_O_APPEND && (n = fd_size(fs, f, &f->off)) < 0)
			return n;
		n = cffs_write(fs->blk, &f->loc, f->off, msg->data, len);
		break;
	case NEST_FD_SEEK:
		return fd_seek(fs, f, a[1], a[2]);
	default:
		return E_NOSYS;
	}
	if (n < 0)
		return fs_err((int)n);
	f->off += (uint64_t)n;
	return n;
}

int64_t nest_fs_call(struct nest_fs *fs, uint64_t owner, int whole,
		     uint64_t op, const uint64_t a[3], struct nest_msg *msg)
{
	struct nest_file *f;

	switch (op) {
	case NEST_FS_OPEN:
		return fs_open(fs, owner, whole, a[0], msg);
	case NEST_FS_CLOSE:
		if (!(f = handle(fs, owner, a[0])))
			return E_INVAL;
		*f = (struct nest_file){ 0 };
		return 0;
	case NEST_FS_MKDIR:
		if (a[0] & ~(uint64_t)07777 || place_msg(fs, whole, msg) < 0)
			return E_INVAL;
		return fs_err(cffs_mkdir(fs->blk, full, (uint32_t)a[0]));
	case NEST_FS_STAT:
		return fs_stat(fs, whole, msg);
	case NEST_FS_SYNC:
		return fs_err(fs->blk->ops->sync(fs->blk));
	case NEST_FD_READ:
	case NEST_FD_WRITE:
	case NEST_FD_SEEK:
		return fd_call(fs, owner, op, a, msg);
	default:
		return E_NOSYS;
	}
}

int64_t nest_fs_map_read(struct nest_fs *fs, uint64_t owner, uint64_t fd,
			 uint64_t off, void *buf, uint64_t len)
{
	struct nest_file *f = handle(fs, owner, fd);
	long n;

	if (!f || f->off % XOK_PAGE_SIZE || off > UINT64_MAX - f->off)
		return E_INVAL;
	if (!(f->flags & NEST_O_READ))
		return E_PERM;
	if (!len)
		return 0;
	if ((n = cffs_read(fs->blk, &f->loc, f->off + off, buf, len)) < 0)
		return fs_err((int)n);
	memset((uint8_t *)buf + n, 0, len - (uint64_t)n);
	return n;
}

void nest_fs_drop(struct nest_fs *fs, uint64_t owner)
{
	for (unsigned i = 0; i < NEST_MAXFILES; i++)
		if (fs->file[i].owner == owner)
			fs->file[i] = (struct nest_file){ 0 };
}

unsigned nest_fs_save(const struct nest_fs *fs, uint64_t owner,
		      struct nest_fs_rec *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NEST_MAXFILES && n < max; i++) {
		const struct nest_file *f = &fs->file[i];

		if (f->owner != owner || !live(fs, f))
			continue;
		out[n] = (struct nest_fs_rec){ .fd = f->fd, .flags = f->flags,
			.off = f->off };
		memcpy(out[n++].path, f->path, sizeof(f->path));
	}
	return n;
}

int64_t nest_fs_adopt(struct nest_fs *fs, uint64_t owner,
		      const struct nest_fs_rec *in, unsigned n)
{
	int64_t r = 0;
	unsigned i;

	for (i = 0; i < n && r >= 0; i++) {
		struct nest_file *f = free_entry(fs);

		if (!flags_ok(in[i].flags) || handle(fs, owner, in[i].fd) ||
		    in[i].off > INT64_MAX || place(fs, 0, in[i].path) < 0)
			r = E_INVAL;
		else if (!f)
			r = E_AGAIN;
		else /* no TRUNC again: the file is as the checkpoint left it */
			r = open_into(fs, f, owner, in[i].fd,
				      in[i].flags & ~(uint32_t)NEST_O_TRUNC,
				      in[i].off);
	}
	if (r < 0)
		nest_fs_drop(fs, owner);
	return r < 0 ? r : 0;
}
