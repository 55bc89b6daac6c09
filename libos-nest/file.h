/*
 * file: a program's side of the FileSystem and FileDescription protocols
 * (proto.h): each call goes to whoever serves this program's files — its
 * parent (which serves them, or forwards them up to a nester that does),
 * or, in a nester that serves files itself, its own server.
 *
 * Results are the protocol's: >= 0, a Xok error, or NEST_FS_ERR of a
 * C-FFS error.
 */
#ifndef NEST_FILE_H
#define NEST_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* The server of this program's own file calls; 0: its parent. */
extern uint64_t nest_files_at;

int64_t nest_open(const char *path, uint32_t flags);
int64_t nest_close(int64_t fd);
int64_t nest_mkdir(const char *path, uint32_t perm);
int64_t nest_stat(const char *path, struct nest_stat *st);
int64_t nest_sync(void);

/* Whole transfers, in pieces of the message page: bytes moved (fewer
 * only at the end of the file, for read), or the first piece's error. */
int64_t nest_read(int64_t fd, void *buf, size_t n);
int64_t nest_write(int64_t fd, const void *buf, size_t n);
int64_t nest_seek(int64_t fd, int64_t off, int whence);

/* FileDescription MAP: `pages` of the file from fd's offset, read-only
 * at `va` (proto.h): the file's bytes mapped, or the error. */
int64_t nest_fmap(int64_t fd, const void *va, uint64_t pages);

#endif
