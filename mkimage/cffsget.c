/*
 * cffsget: listing and extracting a C-FFS.
 */
#include "cffsget.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../libfs-cffs/cffs.h"

#define CHUNK (16 * CFFS_BLOCK)

/* A path in the image, and one on the host, grown and cut back as the
 * walk descends and returns. */
struct get {
	struct cffs_blk *b;
	FILE *out, *err;
	int problems;
	char img[PATH_MAX];
	char host[PATH_MAX];
};

static int fail(struct get *g, const char *what, int error)
{
	fprintf(g->err, "%s: %s: %s\n", g->img, what, strerror(error));
	g->problems++;
	return -1;
}

/* Appends "/name" to `path`; returns the old length, or -1 if too long. */
static long push(char *path, const char *name)
{
	size_t len = strlen(path);
	int slash = len && path[len - 1] != '/';

	if (len + slash + strlen(name) + 1 > PATH_MAX)
		return -1;
	snprintf(path + len, PATH_MAX - len, "%s%s", slash ? "/" : "", name);
	return (long)len;
}

/* Can `name`, read from directory g->img, be added to a path? A damaged
 * image may hold "..", "." or "" (a NUL first), which would loop a walk
 * (or write outside DEST), or a '/'. Reports it if not. */
static int usable_name(struct get *g, const char *name)
{
	if (name[0] && strcmp(name, ".") && strcmp(name, "..") &&
	    !strchr(name, '/'))
		return 1;
	fprintf(g->err, "%s: the entry '%s' is not a valid name: skipped\n",
		g->img, name);
	g->problems++;
	return 0;
}

static char type_char(uint32_t mode)
{
	return (mode & CFFS_S_IFMT) == CFFS_S_IFDIR ? 'd' :
	       (mode & CFFS_S_IFMT) == CFFS_S_IFLNK ? 'l' :
	       (mode & CFFS_S_IFMT) == CFFS_S_IFIFO ? 'p' : '-';
}

static void print_entry(struct get *g, const char *name,
			const struct cffs_inode *ino)
{
	static const char rwx[] = "rwxrwxrwx";
	char perms[10], when[32], target[CFFS_BLOCK];
	time_t t = (time_t)(ino->mtime_ns / 1000000000);
	struct cffs_loc at;
	struct tm tm;
	long n;

	for (int i = 0; i < 9; i++)
		perms[i] = ino->mode & (0400 >> i) ? rwx[i] : '-';
	perms[9] = 0;
	/* set-user-ID, set-group-ID, sticky: over an x, as ls shows them */
	for (int i = 0; i < 3; i++)
		if (ino->mode & (04000 >> i))
			perms[2 + 3 * i] = perms[2 + 3 * i] == '-' ? "SST"[i]
								   : "sst"[i];
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	fprintf(g->out, "%c%s %3u %5u %5u %9lu %s %s", type_char(ino->mode),
		perms, ino->nlink, ino->uid, ino->gid, (unsigned long)ino->size,
		when, name);
	if ((ino->mode & CFFS_S_IFMT) == CFFS_S_IFLNK &&
	    !cffs_lookup(g->b, g->img, &at) &&
	    (n = cffs_readlink(g->b, &at, target, sizeof(target))) >= 0)
		fprintf(g->out, " -> %.*s", (int)n, target);
	fputc('\n', g->out);
}

/* Lists directory g->img (and below, with `recursive`). */
static void list_dir(struct get *g, const struct cffs_loc *dir, int recursive)
{
	char name[CFFS_NAME_MAX + 1];
	struct cffs_inode ino;
	uint64_t cursor = 0;
	int r;

	while ((r = cffs_readdir(g->b, dir, &cursor, name, &ino)) == 1) {
		long cut = push(g->img, name);

		if (cut < 0) {
			fail(g, "path too long", ENAMETOOLONG);
			continue;
		}
		print_entry(g, name, &ino);
		g->img[cut] = 0;
	}
	if (r < 0)
		fail(g, "cannot read the directory", -r);
	if (!recursive)
		return;
	cursor = 0;
	while (cffs_readdir(g->b, dir, &cursor, name, &ino) == 1) {
		struct cffs_loc sub;
		long cut;

		if ((ino.mode & CFFS_S_IFMT) != CFFS_S_IFDIR ||
		    !usable_name(g, name) || (cut = push(g->img, name)) < 0)
			continue;
		fprintf(g->out, "\n%s:\n", g->img);
		if ((r = cffs_lookup(g->b, g->img, &sub)))
			fail(g, "cannot look up", -r);
		else
			list_dir(g, &sub, recursive);
		g->img[cut] = 0;
	}
}

int cffsget_list(struct cffs_blk *b, const char *path, int recursive,
		 FILE *out, FILE *err)
{
	static struct get g;
	struct cffs_loc at;
	struct cffs_inode ino;
	int r;

	g = (struct get){ .b = b, .out = out, .err = err };
	snprintf(g.img, sizeof(g.img), "%s", path);
	if ((r = cffs_lookup(b, path, &at)) || (r = cffs_stat(b, &at, &ino)))
		return fail(&g, "cannot look up", -r), g.problems;
	if ((ino.mode & CFFS_S_IFMT) != CFFS_S_IFDIR) {
		const char *slash = strrchr(path, '/');

		print_entry(&g, slash ? slash + 1 : path, &ino);
		return g.problems;
	}
	if (recursive)
		fprintf(out, "%s:\n", path);
	list_dir(&g, &at, recursive);
	return g.problems;
}

/* Gives g->host the owner (when run as root), mode and times of `ino`:
 * the owner first, as changing it clears set-user-ID bits. */
static void set_attrs(struct get *g, const struct cffs_inode *ino)
{
	int link = (ino->mode & CFFS_S_IFMT) == CFFS_S_IFLNK;
	struct timespec ts[2] = {
		{ ino->atime_ns / 1000000000, ino->atime_ns % 1000000000 },
		{ ino->mtime_ns / 1000000000, ino->mtime_ns % 1000000000 },
	};

	if (geteuid() == 0 && lchown(g->host, ino->uid, ino->gid))
		fail(g, "cannot set the owner", errno);
	if (!link && chmod(g->host, ino->mode & 07777))
		fail(g, "cannot set the mode", errno);
	if (ino->atime_ns < 0 || ino->mtime_ns < 0)
		return; /* before 1970: leave the host's times */
	if (utimensat(AT_FDCWD, g->host, ts, AT_SYMLINK_NOFOLLOW))
		fail(g, "cannot set the times", errno);
}

/* Copies a file's bytes, leaving its zero chunks holes on the host. */
static void extract_file(struct get *g, const struct cffs_loc *at,
			 const struct cffs_inode *ino)
{
	static uint8_t buf[CHUNK];
	static const uint8_t zero[CHUNK];
	int fd = open(g->host, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	long n = 0;

	if (fd < 0) {
		fail(g, g->host, errno);
		return;
	}
	for (uint64_t off = 0; off < ino->size; off += (uint64_t)n) {
		if ((n = cffs_read(g->b, at, off, buf, sizeof(buf))) <= 0) {
			fail(g, "cannot read", n < 0 ? (int)-n : EIO);
			break;
		}
		if (!memcmp(buf, zero, (size_t)n))
			continue;
		if (pwrite(fd, buf, (size_t)n, (off_t)off) != n) {
			fail(g, g->host, errno);
			break;
		}
	}
	if (ftruncate(fd, (off_t)ino->size))
		fail(g, g->host, errno);
	close(fd);
}

static void extract(struct get *g, const struct cffs_loc *at);

static void extract_dir(struct get *g, const struct cffs_loc *dir)
{
	char name[CFFS_NAME_MAX + 1];
	struct cffs_inode child;
	uint64_t cursor = 0;
	int r;

	if (mkdir(g->host, 0700) && errno != EEXIST) {
		fail(g, g->host, errno);
		return;
	}
	while ((r = cffs_readdir(g->b, dir, &cursor, name, &child)) == 1) {
		long icut, hcut;
		struct cffs_loc sub;

		if (!usable_name(g, name))
			continue;
		icut = push(g->img, name);
		hcut = push(g->host, name);
		if (icut < 0 || hcut < 0)
			fail(g, "path too long", ENAMETOOLONG);
		else if ((r = cffs_lookup(g->b, g->img, &sub)))
			fail(g, "cannot look up", -r);
		else
			extract(g, &sub);
		if (icut >= 0)
			g->img[icut] = 0;
		if (hcut >= 0)
			g->host[hcut] = 0;
	}
	if (r < 0)
		fail(g, "cannot read the directory", -r);
}

/* Copies g->img, found at `at`, to g->host. */
static void extract(struct get *g, const struct cffs_loc *at)
{
	static char target[CFFS_BLOCK];
	struct cffs_inode ino;
	long n;
	int r;

	if ((r = cffs_stat(g->b, at, &ino))) {
		fail(g, "cannot read", -r);
		return;
	}
	switch (ino.mode & CFFS_S_IFMT) {
	case CFFS_S_IFDIR:
		extract_dir(g, at);
		break;
	case CFFS_S_IFLNK:
		if ((n = cffs_readlink(g->b, at, target, sizeof(target) - 1)) < 0) {
			fail(g, "cannot read the link", (int)-n);
			return;
		}
		target[n] = 0;
		if ((unlink(g->host) && errno != ENOENT) ||
		    symlink(target, g->host)) {
			fail(g, g->host, errno);
			return;
		}
		break;
	case CFFS_S_IFREG:
		extract_file(g, at, &ino);
		break;
	case CFFS_S_IFIFO:
		if ((unlink(g->host) && errno != ENOENT) ||
		    mkfifo(g->host, ino.mode & 07777)) {
			fail(g, g->host, errno);
			return;
		}
		break;
	default:
		fail(g, "not a file, a link, a named pipe or a directory",
		     EINVAL);
		return;
	}
	set_attrs(g, &ino);
}

int cffsget_extract(struct cffs_blk *b, const char *path, const char *dest,
		    FILE *err)
{
	static struct get g;
	struct cffs_loc at;
	int r;

	g = (struct get){ .b = b, .err = err };
	snprintf(g.img, sizeof(g.img), "%s", path);
	snprintf(g.host, sizeof(g.host), "%s", dest);
	if ((r = cffs_lookup(b, path, &at)))
		return fail(&g, "cannot look up", -r), g.problems;
	extract(&g, &at);
	return g.problems;
}
