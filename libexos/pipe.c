/*
 * pipe: pipes in the shared pages. rpos and wpos count the bytes ever
 * read and written, so "is there data" and "is there room" are
 * comparisons a sleeping reader or writer can wait on.
 */
#include "../lib/string.h"
#include "exos.h"

void exos_bump_io(void)
{
	__atomic_add_fetch(&SHARED->io_events, 1, __ATOMIC_RELEASE);
}

int exos_pipe_create(int fds[2], int flags)
{
	int p, r = -1, w = -1, cloexec = (flags & L_O_CLOEXEC) != 0;
	uint32_t nb = (uint32_t)flags & L_O_NONBLOCK;

	exos_lock();
	for (p = 0; p < EXOS_NPIPE; p++)
		if (!SHARED->pipes[p].readers && !SHARED->pipes[p].writers)
			break;
	if (p == EXOS_NPIPE || (r = exos_file_alloc(FILE_PIPE_R,
						    L_O_RDONLY | nb)) < 0 ||
	    (w = exos_file_alloc(FILE_PIPE_W, L_O_WRONLY | nb)) < 0) {
		if (r >= 0)
			SHARED->files[r].kind = FILE_FREE;
		exos_unlock();
		return -L_ENFILE;
	}
	struct exos_pipe *pp = &SHARED->pipes[p];

	pp->readers = pp->writers = 1;
	pp->rpos = pp->wpos = 0;
	SHARED->files[r].pipe = SHARED->files[w].pipe = (uint32_t)p;
	exos_unlock();
	if ((fds[0] = exos_fd_install(r, cloexec)) < 0 ||
	    (fds[1] = exos_fd_install(w, cloexec)) < 0) {
		if (fds[0] >= 0)
			SELF->fd[fds[0]].file = -1;
		exos_file_unref(r);
		exos_file_unref(w);
		return -L_EMFILE;
	}
	return 0;
}

void exos_pipe_close(struct exos_file *f)
{
	struct exos_pipe *p = &SHARED->pipes[f->pipe];

	if (f->kind == FILE_PIPE_R)
		p->readers--;
	else
		p->writers--;
	exos_bump_io();
}

long exos_pipe_read(struct exos_file *f, void *buf, size_t len)
{
	struct exos_pipe *p = &SHARED->pipes[f->pipe];
	long n = 0;
	int r;

	exos_lock();
	while (p->wpos == p->rpos) {
		if (!p->writers || !len)
			goto out;
		if (f->flags & L_O_NONBLOCK) {
			n = -L_EAGAIN;
			goto out;
		}
		if ((r = exos_wait_change(&SHARED->io_events, SHARED->io_events, 0))) {
			n = r;
			goto out;
		}
	}
	while ((size_t)n < len && p->rpos != p->wpos) {
		uint64_t at = p->rpos % EXOS_PIPE_SIZE;
		uint64_t chunk = EXOS_PIPE_SIZE - at;

		if (chunk > p->wpos - p->rpos)
			chunk = p->wpos - p->rpos;
		if (chunk > len - (size_t)n)
			chunk = len - (size_t)n;
		memcpy((char *)buf + n, p->buf + at, chunk);
		p->rpos += chunk;
		n += (long)chunk;
	}
	exos_bump_io();
out:
	exos_unlock();
	return n;
}

long exos_pipe_write(struct exos_file *f, const void *buf, size_t len)
{
	struct exos_pipe *p = &SHARED->pipes[f->pipe];
	size_t n = 0;
	int r;

	exos_lock();
	while (n < len) {
		uint64_t room = EXOS_PIPE_SIZE - (p->wpos - p->rpos);

		if (!p->readers) {
			exos_signal_send(exos_proc_self(), L_SIGPIPE);
			exos_unlock();
			return n ? (long)n : -L_EPIPE;
		}
		if (!room) {
			if (f->flags & L_O_NONBLOCK) {
				exos_unlock();
				return n ? (long)n : -L_EAGAIN;
			}
			if ((r = exos_wait_change(&SHARED->io_events, SHARED->io_events, 0))) {
				exos_unlock();
				return n ? (long)n : r;
			}
			continue;
		}
		uint64_t at = p->wpos % EXOS_PIPE_SIZE;
		uint64_t chunk = EXOS_PIPE_SIZE - at;

		if (chunk > room)
			chunk = room;
		if (chunk > len - n)
			chunk = len - n;
		memcpy(p->buf + at, (const char *)buf + n, chunk);
		p->wpos += chunk;
		n += chunk;
		exos_bump_io();
	}
	exos_unlock();
	return (long)n;
}

int exos_pipe_poll(struct exos_file *f, int events)
{
	struct exos_pipe *p = &SHARED->pipes[f->pipe];
	int r = 0;

	if (f->kind == FILE_PIPE_R) {
		if (p->wpos != p->rpos)
			r |= events & L_POLLIN;
		if (!p->writers)
			r |= L_POLLHUP;
	} else {
		if (!p->readers)
			r |= L_POLLERR;
		else if (p->wpos - p->rpos < EXOS_PIPE_SIZE)
			r |= events & L_POLLOUT;
	}
	return r;
}
