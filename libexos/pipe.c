/*
 * pipe: pipes in the shared pages. rpos and wpos count the bytes ever
 * read and written, so "is there data" and "is there room" are
 * comparisons a sleeping reader or writer can wait on.
 *
 * A pipe's ring is frames of its own, mapped at its place in the
 * EXOS_PIPEBUF region by the process that makes the pipe; the processes
 * that share it got its descriptors through fork, which shares that
 * region's mappings. So a fork maps the rings of pipes in use, not
 * every pipe's: a process lets a ring go when it closes its last
 * descriptor of the pipe (the frames go with the last process mapping
 * them). A process finding other frames at a ring's place (a pipe made
 * again in that slot) maps the pipe's own first.
 */
#include <xok/page.h>
#include <xok/syscall.h>

#include "../lib/string.h"
#include "exos.h"

#define PFN(pte) (((pte) & XOK_PTE_ADDR) >> XOK_PAGE_SHIFT)
/* Shared (fork maps the same frames in the child), never executed. */
#define RING_PERM (XOK_PTE_W | XOK_PTE_NX | EXOS_PTE_SHARED)

static uint8_t *ring_at(unsigned p)
{
	return (uint8_t *)(EXOS_PIPEBUF + (uint64_t)p * EXOS_PIPE_SIZE);
}

/* Pipe p's ring, mapped in this process. The lock is held. A ring's
 * pages are mapped and let go together, so its first page tells. */
static uint8_t *ring(const struct exos_pipe *pp)
{
	unsigned p = (unsigned)(pp - SHARED->pipes);
	uint8_t *at = ring_at(p);
	uint64_t pte = exos_pte((uint64_t)at);

	if ((pte & XOK_PTE_P) && PFN(pte) == pp->pfn[0])
		return at;
	for (unsigned i = 0; i < EXOS_PIPE_PAGES; i++)
		xok_page_map(0, 0, (uint64_t)at + i * XOK_PAGE_SIZE, 0,
			     pp->pfn[i], RING_PERM);
	return at;
}

void exos_pipe_let_go(uint32_t p)
{
	for (int fd = 0; fd < EXOS_NFD; fd++) {
		int file = SELF->fd[fd].file;

		if (file >= 0 && SHARED->files[file].pipe == p &&
		    (SHARED->files[file].kind == FILE_PIPE_R ||
		     SHARED->files[file].kind == FILE_PIPE_W))
			return;
	}
	exos_unmap_range((uint64_t)ring_at(p),
			 (uint64_t)ring_at(p) + EXOS_PIPE_SIZE);
}

/* Fresh frames for pipe p's ring. The lock is held. */
static int new_ring(unsigned p)
{
	struct exos_pipe *pp = &SHARED->pipes[p];

	for (unsigned i = 0; i < EXOS_PIPE_PAGES; i++) {
		uint64_t va = (uint64_t)ring_at(p) + i * XOK_PAGE_SIZE;

		if (exos_map_fresh(va, RING_PERM) < 0)
			return -L_ENOMEM;
		pp->pfn[i] = PFN(exos_pte(va));
	}
	return 0;
}

void exos_bump_io(void)
{
	__atomic_add_fetch(&SHARED->io_events, 1, __ATOMIC_RELEASE);
}

/* A free pipe with a fresh ring, or a negative errno. The lock is
 * held. */
static int pipe_alloc(void)
{
	for (int p = 0; p < EXOS_NPIPE; p++) {
		struct exos_pipe *pp = &SHARED->pipes[p];

		if (pp->readers || pp->writers)
			continue;
		if (new_ring((unsigned)p))
			return -L_ENOMEM;
		pp->rpos = pp->wpos = 0;
		pp->fifo = (struct cffs_loc){ 0 };
		return p;
	}
	return -L_ENFILE;
}

int exos_pipe_create(int fds[2], int flags)
{
	int p, r = -1, w = -1, cloexec = (flags & L_O_CLOEXEC) != 0;
	uint32_t nb = (uint32_t)flags & L_O_NONBLOCK;

	exos_lock();
	if ((p = pipe_alloc()) < 0 ||
	    (r = exos_file_alloc(FILE_PIPE_R, L_O_RDONLY | nb)) < 0 ||
	    (w = exos_file_alloc(FILE_PIPE_W, L_O_WRONLY | nb)) < 0) {
		if (r >= 0)
			SHARED->files[r].kind = FILE_FREE;
		exos_unlock();
		return p < 0 ? p : -L_ENFILE;
	}
	struct exos_pipe *pp = &SHARED->pipes[p];

	pp->readers = pp->writers = 1;
	SHARED->files[r].pipe = SHARED->files[w].pipe = (uint32_t)p;
	exos_unlock();
	if ((fds[0] = exos_fd_install(r, cloexec)) < 0 ||
	    (fds[1] = exos_fd_install(w, cloexec)) < 0) {
		if (fds[0] >= 0)
			exos_fd_close(fds[0]);
		else
			exos_file_unref(r);
		exos_file_unref(w);
		return -L_EMFILE;
	}
	return 0;
}

/* The pipe in use for the named pipe at `loc`, or a new one for it. */
static int fifo_pipe(const struct cffs_loc *loc)
{
	int p;

	for (p = 0; p < EXOS_NPIPE; p++) {
		const struct exos_pipe *pp = &SHARED->pipes[p];

		if ((pp->readers || pp->writers) &&
		    pp->fifo.block == loc->block && pp->fifo.off == loc->off)
			return p;
	}
	if ((p = pipe_alloc()) >= 0)
		SHARED->pipes[p].fifo = *loc;
	return p;
}

/* As on Linux: a reader waits for a writer to open (one that came and
 * went counts), a writer for a reader; with O_NONBLOCK a reader does
 * not wait, and a writer finding no reader fails with ENXIO. O_RDWR,
 * which POSIX leaves undefined, is refused. */
int exos_fifo_open(const struct cffs_loc *loc, int flags)
{
	int reader = (flags & L_O_ACCMODE) == L_O_RDONLY, p, file, r;
	struct exos_pipe *pp;
	uint32_t seen;

	if ((flags & L_O_ACCMODE) == L_O_RDWR)
		return -L_EINVAL;
	if ((p = fifo_pipe(loc)) < 0)
		return p;
	pp = &SHARED->pipes[p];
	if (!reader && !pp->readers && (flags & L_O_NONBLOCK))
		return -L_ENXIO;
	if ((file = exos_file_alloc(reader ? FILE_PIPE_R : FILE_PIPE_W,
				    (uint32_t)flags & (L_O_ACCMODE |
						       L_O_NONBLOCK))) < 0)
		return file;
	SHARED->files[file].pipe = (uint32_t)p;
	ring(pp);
	if (reader) {
		pp->readers++;
		pp->reader_opens++;
		seen = pp->writer_opens;
	} else {
		pp->writers++;
		pp->writer_opens++;
		seen = pp->reader_opens;
	}
	exos_bump_io();
	while (!(flags & L_O_NONBLOCK) &&
	       (reader ? !pp->writers && pp->writer_opens == seen :
			 !pp->readers && pp->reader_opens == seen))
		if ((r = exos_wait_change(&SHARED->io_events,
					  SHARED->io_events, 0))) {
			if (!--SHARED->files[file].refs)
				exos_pipe_close(&SHARED->files[file]);
			SHARED->files[file].kind = FILE_FREE;
			return r;
		}
	return file;
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
	const uint8_t *data = ring(p);

	while ((size_t)n < len && p->rpos != p->wpos) {
		uint64_t at = p->rpos % EXOS_PIPE_SIZE;
		uint64_t chunk = EXOS_PIPE_SIZE - at;

		if (chunk > p->wpos - p->rpos)
			chunk = p->wpos - p->rpos;
		if (chunk > len - (size_t)n)
			chunk = len - (size_t)n;
		memcpy((char *)buf + n, data + at, chunk);
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
		memcpy(ring(p) + at, (const char *)buf + n, chunk);
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
