/*
 * file: see file.h.
 */
#include "file.h"

#include <xok/error.h>
#include <xok/syscall.h>

#include "../lib/string.h"
#include "call.h"
#include "child.h"

uint64_t nest_files_at;

static int64_t call(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (!nest_files_at)
		return nest_parent_call(op, a1, a2, a3);
	nest_msg.subject = (uint64_t)xok_getenvid();
	return nest_call(nest_files_at, op, a1, a2, a3);
}

static int64_t with_path(uint64_t op, const char *path, uint64_t a1)
{
	size_t n = strlen(path);

	if (n >= NEST_PATH_MAX)
		return E_INVAL;
	memcpy(nest_msg.path, path, n + 1);
	return call(op, a1, 0, 0);
}

int64_t nest_open(const char *path, uint32_t flags)
{
	return with_path(NEST_FS_OPEN, path, flags);
}

int64_t nest_close(int64_t fd)
{
	return call(NEST_FS_CLOSE, (uint64_t)fd, 0, 0);
}

int64_t nest_mkdir(const char *path, uint32_t perm)
{
	return with_path(NEST_FS_MKDIR, path, perm);
}

int64_t nest_stat(const char *path, struct nest_stat *st)
{
	int64_t r = with_path(NEST_FS_STAT, path, 0);

	if (r >= 0)
		memcpy(st, nest_msg.data, sizeof(*st));
	return r;
}

int64_t nest_sync(void)
{
	return call(NEST_FS_SYNC, 0, 0, 0);
}

int64_t nest_read(int64_t fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t part = n - done < sizeof(nest_msg.data) ?
			n - done : sizeof(nest_msg.data);
		int64_t r = call(NEST_FD_READ, (uint64_t)fd, part, 0);

		if (r < 0)
			return done ? (int64_t)done : r;
		if ((uint64_t)r > part)
			return E_INVAL;
		memcpy((uint8_t *)buf + done, nest_msg.data, (size_t)r);
		done += (size_t)r;
		if ((size_t)r < part)
			break;
	}
	return (int64_t)done;
}

int64_t nest_write(int64_t fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t part = n - done < sizeof(nest_msg.data) ?
			n - done : sizeof(nest_msg.data);
		int64_t r;

		memcpy(nest_msg.data, (const uint8_t *)buf + done, part);
		nest_msg.len = part; /* what a nester between forwards */
		if ((r = call(NEST_FD_WRITE, (uint64_t)fd, part, 0)) < 0)
			return done ? (int64_t)done : r;
		done += (size_t)r;
		if ((size_t)r < part)
			break;
	}
	return (int64_t)done;
}

int64_t nest_seek(int64_t fd, int64_t off, int whence)
{
	return call(NEST_FD_SEEK, (uint64_t)fd, (uint64_t)off, (uint64_t)whence);
}

int64_t nest_fmap(int64_t fd, const void *va, uint64_t pages)
{
	return call(NEST_FD_MAP, (uint64_t)fd, (uint64_t)va, pages);
}
