/*
 * cffsput: a host folder into a C-FFS.
 */
#define _GNU_SOURCE /* scandir, alphasort */
#include "cffsput.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../libfs-cffs/cffs.h"

/* A host file of several links already stored, and where. */
struct stored {
	dev_t dev;
	ino_t ino;
	char *img;
};

struct put {
	struct cffs_blk *b;
	int root_owner;
	FILE *err;
	int problems;
	char host[PATH_MAX];
	char img[PATH_MAX];
	struct stored *stored; /* hard-linked files stored so far */
	size_t nstored, cap;
};

static void fail(struct put *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->err, "%s: ", p->host);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
	p->problems++;
}

/* Copies the host file's bytes; a zero block is left a hole unless it is
 * the last one (whose write sets the size). */
static int copy_file(struct put *p, const struct cffs_loc *at, off_t size)
{
	static uint8_t buf[CFFS_BLOCK];
	static const uint8_t zero[CFFS_BLOCK];
	int fd = open(p->host, O_RDONLY);
	int r = 0;

	if (fd < 0) {
		fail(p, "cannot read (%s)", strerror(errno));
		return -1;
	}
	for (off_t off = 0; off < size && !r; off += CFFS_BLOCK) {
		size_t want = size - off < CFFS_BLOCK ? (size_t)(size - off)
						      : CFFS_BLOCK;
		long n;

		if (pread(fd, buf, want, off) != (ssize_t)want) {
			fail(p, "cannot read (short read)");
			r = -1;
		} else if (off + (off_t)want < size && !memcmp(buf, zero, want)) {
			continue;
		} else if ((n = cffs_write(p->b, at, (uint64_t)off, buf, want)) !=
			   (long)want) {
			fail(p, "cannot store: %s",
			     strerror(n < 0 ? (int)-n : ENOSPC));
			r = -1;
		}
	}
	close(fd);
	return r;
}

static void set_attrs(struct put *p, const struct cffs_loc *at,
		      const struct stat *st)
{
	struct cffs_inode a = {
		.mode = st->st_mode & 07777,
		.uid = p->root_owner ? 0 : st->st_uid,
		.gid = p->root_owner ? 0 : st->st_gid,
		.atime_ns = st->st_atim.tv_sec * 1000000000ll + st->st_atim.tv_nsec,
		.mtime_ns = st->st_mtim.tv_sec * 1000000000ll + st->st_mtim.tv_nsec,
		.ctime_ns = st->st_ctim.tv_sec * 1000000000ll + st->st_ctim.tv_nsec,
	};
	unsigned what = CFFS_SET_OWNER | CFFS_SET_ATIME | CFFS_SET_MTIME |
			CFFS_SET_CTIME;
	int r;

	/* A link's permission bits mean nothing, and C-FFS makes it 0777. */
	if (!S_ISLNK(st->st_mode))
		what |= CFFS_SET_MODE;
	if ((r = cffs_setattr(p->b, at, &a, what)))
		fail(p, "cannot set its attributes: %s", strerror(-r));
}

static void put_dir(struct put *p);

/* Appends "/name" to both paths; returns 0, or -1 if too long. */
static int push(struct put *p, const char *name, size_t *host_len,
		size_t *img_len)
{
	*host_len = strlen(p->host);
	*img_len = strlen(p->img);
	if (*host_len + strlen(name) + 2 > sizeof(p->host) ||
	    *img_len + strlen(name) + 2 > sizeof(p->img)) {
		fail(p, "the path under '%s' is too long", name);
		return -1;
	}
	snprintf(p->host + *host_len, sizeof(p->host) - *host_len, "/%s", name);
	snprintf(p->img + *img_len, sizeof(p->img) - *img_len, "%s%s",
		 *img_len > 1 ? "/" : "", name);
	return 0;
}

static const char *kind(mode_t mode)
{
	return S_ISCHR(mode) ? "character device" :
	       S_ISBLK(mode) ? "block device" :
	       S_ISSOCK(mode) ? "socket" : "file of unknown type";
}

/* Where the host file `st` (of several links) was stored, or NULL. */
static const char *stored_at(const struct put *p, const struct stat *st)
{
	for (size_t i = 0; i < p->nstored; i++)
		if (p->stored[i].dev == st->st_dev &&
		    p->stored[i].ino == st->st_ino)
			return p->stored[i].img;
	return NULL;
}

/* Remembers that the host file `st` is stored at p->img. */
static void remember_stored(struct put *p, const struct stat *st)
{
	if (p->nstored == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct stored *s = realloc(p->stored, cap * sizeof(*s));

		if (!s) {
			fail(p, "out of memory");
			return;
		}
		p->stored = s;
		p->cap = cap;
	}
	if (!(p->stored[p->nstored].img = strdup(p->img))) {
		fail(p, "out of memory");
		return;
	}
	p->stored[p->nstored].dev = st->st_dev;
	p->stored[p->nstored++].ino = st->st_ino;
}

/* A further name of a host file stored already: a hard link to it. */
static void put_link(struct put *p, const char *first)
{
	int r = cffs_link(p->b, first, p->img);

	if (r)
		fail(p, "cannot link %s to %s: %s", p->img, first, strerror(-r));
}

/* Stores the host path p->host at p->img. */
static void put_entry(struct put *p)
{
	static char target[CFFS_BLOCK + 1];
	struct cffs_loc at;
	struct stat st;
	ssize_t n;
	int r;

	const char *first;

	if (lstat(p->host, &st)) {
		fail(p, "cannot stat (%s)", strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink > 1 &&
	    (first = stored_at(p, &st))) {
		put_link(p, first);
		return;
	}
	if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode) ||
	    S_ISFIFO(st.st_mode)) {
		r = cffs_create(p->b, p->img,
				(S_ISDIR(st.st_mode) ? CFFS_S_IFDIR :
				 S_ISFIFO(st.st_mode) ? CFFS_S_IFIFO :
							CFFS_S_IFREG) |
					(st.st_mode & 07777), &at);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlink(p->host, target, sizeof(target) - 1);
		if (n < 0) {
			fail(p, "cannot read the link (%s)", strerror(errno));
			return;
		}
		target[n] = 0;
		if (!(r = cffs_symlink(p->b, p->img, target)))
			r = cffs_lookup(p->b, p->img, &at);
	} else {
		fail(p, "cannot store a %s", kind(st.st_mode));
		return;
	}
	if (r) {
		fail(p, "cannot store as %s: %s", p->img, strerror(-r));
		return;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		remember_stored(p, &st);
	if (S_ISREG(st.st_mode) && copy_file(p, &at, st.st_size))
		return;
	if (S_ISDIR(st.st_mode))
		put_dir(p);
	set_attrs(p, &at, &st); /* after the contents, which stamp times */
}

/* Stores every entry of host folder p->host in image directory p->img. */
static void put_dir(struct put *p)
{
	struct dirent **names;
	int n = scandir(p->host, &names, NULL, alphasort);

	if (n < 0) {
		fail(p, "cannot list (%s)", strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t host_len, img_len;

		if (strcmp(name, ".") && strcmp(name, "..") &&
		    !push(p, name, &host_len, &img_len)) {
			put_entry(p);
			p->host[host_len] = 0;
			p->img[img_len] = 0;
		}
		free(names[i]);
	}
	free(names);
}

int cffsput_tree(struct cffs_blk *b, const char *folder, int root_owner,
		 FILE *err)
{
	static struct put p;
	struct cffs_loc root;
	struct stat st;

	p = (struct put){ .b = b, .root_owner = root_owner, .err = err };
	snprintf(p.host, sizeof(p.host), "%s", folder);
	strcpy(p.img, "/");
	if (stat(folder, &st) || !S_ISDIR(st.st_mode)) {
		fail(&p, "not a folder");
		return p.problems;
	}
	if (cffs_lookup(b, "/", &root)) {
		fail(&p, "the image has no root directory");
		return p.problems;
	}
	put_dir(&p);
	set_attrs(&p, &root, &st);
	for (size_t i = 0; i < p.nstored; i++)
		free(p.stored[i].img);
	free(p.stored);
	return p.problems;
}
