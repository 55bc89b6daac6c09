/*
 * fd: file descriptors and open-file descriptions. A descriptor (private
 * to the process, copied on fork) names a description in the shared
 * table; the description holds the offset and flags every descriptor
 * duplicated from it shares, across processes.
 */
#include <xok/sched.h>
#include <xok/syscall.h>

#include "../lib/string.h"
#include "exos.h"
#include "sys.h"

int exos_file_alloc(unsigned kind, uint32_t flags)
{
	for (int i = 0; i < EXOS_NFILE; i++)
		if (SHARED->files[i].kind == FILE_FREE) {
			SHARED->files[i] = (struct exos_file){
				.refs = 1, .kind = (uint16_t)kind,
				.flags = flags };
			return i;
		}
	return -L_ENFILE;
}

/* Drops one reference to description `file` (the lock held). */
static void file_unref_locked(int file)
{
	struct exos_file *f = &SHARED->files[file];

	if (--f->refs)
		return;
	if (f->kind == FILE_PIPE_R || f->kind == FILE_PIPE_W)
		exos_pipe_close(f);
	f->kind = FILE_FREE;
}

void exos_file_unref(int file)
{
	exos_lock();
	file_unref_locked(file);
	exos_unlock();
}

void exos_fd_drop_holds(struct exos_proc *p)
{
	/* Each count goes down before its reference: if this process
	 * vanished in between, a reference would leak, not go twice. */
	for (int file = 0; file < EXOS_NFILE; file++)
		while (p->holds[file]) {
			p->holds[file]--;
			file_unref_locked(file);
		}
}

/* Descriptor `fd` names description `file` now (file < 0: nothing),
 * counted in the process's shared entry. */
static void fd_set(int fd, int file, int cloexec)
{
	struct exos_proc *me = exos_proc_self();

	if (SELF->fd[fd].file >= 0)
		me->holds[SELF->fd[fd].file]--;
	if (file >= 0)
		me->holds[file]++;
	SELF->fd[fd] = (struct exos_fd){ .file = (int16_t)file,
					 .cloexec = (uint8_t)!!cloexec };
}

/* The lowest free descriptor at or above `from`, or -EMFILE. */
static int fd_free(int from)
{
	for (int fd = from; fd < EXOS_NFD; fd++)
		if (SELF->fd[fd].file < 0)
			return fd;
	return -L_EMFILE;
}

int exos_fd_install(int file, int cloexec)
{
	int fd = fd_free(0);

	if (fd >= 0)
		fd_set(fd, file, cloexec);
	return fd;
}

struct exos_file *exos_fd_get(int fd)
{
	if (fd < 0 || fd >= EXOS_NFD || SELF->fd[fd].file < 0)
		return 0;
	return &SHARED->files[SELF->fd[fd].file];
}

int exos_fd_close(int fd)
{
	int file;

	if (fd < 0 || fd >= EXOS_NFD || (file = SELF->fd[fd].file) < 0)
		return -L_EBADF;
	fd_set(fd, -1, 0);
	uint16_t kind = SHARED->files[file].kind;
	uint32_t pipe = SHARED->files[file].pipe;

	exos_file_unref(file);
	if (kind == FILE_PIPE_R || kind == FILE_PIPE_W)
		exos_pipe_let_go(pipe);
	return 0;
}

void exos_fd_close_all(int only_cloexec)
{
	for (int fd = 0; fd < EXOS_NFD; fd++)
		if (SELF->fd[fd].file >= 0 &&
		    (!only_cloexec || SELF->fd[fd].cloexec))
			exos_fd_close(fd);
}

/* Makes `newfd` (or the lowest free at or above `from` if newfd < 0)
 * name `oldfd`'s description. */
static int fd_dup(int oldfd, int newfd, int from, int cloexec)
{
	struct exos_file *f = exos_fd_get(oldfd);

	if (!f)
		return -L_EBADF;
	if (newfd < 0) {
		if ((newfd = fd_free(from)) < 0)
			return newfd;
	} else if (newfd >= EXOS_NFD) {
		return -L_EBADF;
	} else if (newfd == oldfd) {
		return newfd;
	} else {
		exos_fd_close(newfd);
	}
	exos_lock();
	f->refs++;
	exos_unlock();
	fd_set(newfd, SELF->fd[oldfd].file, cloexec);
	return newfd;
}

/* ---- Reading and writing a description ---- */

static int readable(const struct exos_file *f)
{
	return (f->flags & L_O_ACCMODE) != L_O_WRONLY;
}

static int writable(const struct exos_file *f)
{
	return (f->flags & L_O_ACCMODE) != L_O_RDONLY;
}

/* read or write through descriptor `fd`; `off` < 0: at (and moving) the
 * description's offset. */
static long fd_io(int fd, void *buf, size_t len, int64_t off, int write)
{
	struct exos_file *f = exos_fd_get(fd);

	if (!f)
		return -L_EBADF;
	if (write ? !writable(f) : !readable(f))
		return -L_EBADF;
	if (len > (1ull << 31))
		len = 1ull << 31;
	if (exos_uaccess((uint64_t)buf, len, !write))
		return -L_EFAULT;
	return write ? exos_file_write(f, buf, len, off) :
		       exos_file_read(f, buf, len, off);
}

SYS(read)
{
	return fd_io((int)a->a[0], (void *)a->a[1], a->a[2], -1, 0);
}

SYS(write)
{
	return fd_io((int)a->a[0], (void *)a->a[1], a->a[2], -1, 1);
}

static int positional(int fd)
{
	struct exos_file *f = exos_fd_get(fd);

	if (!f)
		return -L_EBADF;
	return f->kind == FILE_CFFS ? 0 : -L_ESPIPE;
}

SYS(pread64)
{
	int r = positional((int)a->a[0]);

	if (r || (int64_t)a->a[3] < 0)
		return r ? r : -L_EINVAL;
	return fd_io((int)a->a[0], (void *)a->a[1], a->a[2],
		     (int64_t)a->a[3], 0);
}

SYS(pwrite64)
{
	int r = positional((int)a->a[0]);

	if (r || (int64_t)a->a[3] < 0)
		return r ? r : -L_EINVAL;
	return fd_io((int)a->a[0], (void *)a->a[1], a->a[2],
		     (int64_t)a->a[3], 1);
}

/* readv and writev: one call per vector entry, stopping at a short one. */
static long vector_io(int fd, const struct l_iovec *iov, uint64_t n,
		      int write)
{
	long total = 0;

	if (n > 1024)
		return -L_EINVAL;
	if (exos_uaccess((uint64_t)iov, n * sizeof(*iov), 0))
		return -L_EFAULT;
	for (uint64_t i = 0; i < n; i++) {
		long r;

		if (!iov[i].len)
			continue;
		r = fd_io(fd, (void *)iov[i].base, iov[i].len, -1, write);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return total;
}

SYS(readv)
{
	return vector_io((int)a->a[0], (const void *)a->a[1], a->a[2], 0);
}

SYS(writev)
{
	return vector_io((int)a->a[0], (const void *)a->a[1], a->a[2], 1);
}

/* sendfile: a read and write loop through a buffer of ExOS's own. */
SYS(sendfile)
{
	struct exos_file *out = exos_fd_get((int)a->a[0]),
			 *in = exos_fd_get((int)a->a[1]);
	int64_t *uoff = (int64_t *)a->a[2];
	int64_t off = -1;
	uint64_t left = a->a[3], done = 0;
	char buf[4096];

	if (!out || !in || !writable(out) || !readable(in))
		return -L_EBADF;
	/* From a file only, as on Linux (a terminal's or a pipe's reads
	 * end short, and a program falls back to read and write). */
	if (in->kind != FILE_CFFS)
		return -L_EINVAL;
	if (uoff) {
		if (exos_uaccess((uint64_t)uoff, 8, 1))
			return -L_EFAULT;
		if ((off = *uoff) < 0)
			return -L_EINVAL;
	}
	while (left) {
		long got = exos_file_read(in, buf, left < sizeof(buf) ?
					  left : sizeof(buf), off), put;

		if (got <= 0) {
			if (!done && got < 0)
				return got;
			break;
		}
		if ((put = exos_file_write(out, buf, (size_t)got, -1)) < 0)
			return done ? (int64_t)done : put;
		done += (uint64_t)put;
		left -= (uint64_t)put;
		if (off >= 0)
			off += put;
		if (put < got)
			break;
	}
	if (uoff)
		*uoff = off;
	return (int64_t)done;
}

SYS(close)
{
	return exos_fd_close((int)a->a[0]);
}

SYS(dup)
{
	return fd_dup((int)a->a[0], -1, 0, 0);
}

SYS(dup2)
{
	if (!exos_fd_get((int)a->a[0]))
		return -L_EBADF;
	return fd_dup((int)a->a[0], (int)a->a[1], 0, 0);
}

SYS(dup3)
{
	if (a->a[0] == a->a[1] || (a->a[2] & ~(uint64_t)L_O_CLOEXEC))
		return -L_EINVAL;
	return fd_dup((int)a->a[0], (int)a->a[1], 0,
		      (a->a[2] & L_O_CLOEXEC) != 0);
}

SYS(fcntl)
{
	int fd = (int)a->a[0];
	struct exos_file *f = exos_fd_get(fd);
	uint64_t arg = a->a[2];

	if (!f)
		return -L_EBADF;
	switch (a->a[1]) {
	case L_F_DUPFD:
	case L_F_DUPFD_CLOEXEC:
		if (arg >= EXOS_NFD)
			return -L_EINVAL;
		return fd_dup(fd, -1, (int)arg, a->a[1] == L_F_DUPFD_CLOEXEC);
	case L_F_GETFD:
		return SELF->fd[fd].cloexec ? L_FD_CLOEXEC : 0;
	case L_F_SETFD:
		SELF->fd[fd].cloexec = (arg & L_FD_CLOEXEC) != 0;
		return 0;
	case L_F_GETFL:
		return f->flags;
	case L_F_SETFL:
		f->flags = (f->flags & ~(uint32_t)(L_O_APPEND | L_O_NONBLOCK)) |
			   (uint32_t)(arg & (L_O_APPEND | L_O_NONBLOCK));
		return 0;
	default:
		return -L_EINVAL;
	}
}

SYS(ioctl)
{
	struct exos_file *f = exos_fd_get((int)a->a[0]);

	if (!f)
		return -L_EBADF;
	if (f->kind == FILE_DEV && exos_dev_is_tty(f->dev))
		return exos_tty_ioctl(a->a[1], a->a[2]);
	if (a->a[1] == L_FIONREAD && (f->kind == FILE_PIPE_R)) {
		if (exos_uaccess(a->a[2], 4, 1))
			return -L_EFAULT;
		struct exos_pipe *p = &SHARED->pipes[f->pipe];

		*(int32_t *)a->a[2] = (int32_t)(p->wpos - p->rpos);
		return 0;
	}
	return -L_ENOTTY;
}

SYS(lseek)
{
	struct exos_file *f = exos_fd_get((int)a->a[0]);
	int64_t off = (int64_t)a->a[1], base;

	if (!f)
		return -L_EBADF;
	if (f->kind == FILE_PIPE_R || f->kind == FILE_PIPE_W ||
	    (f->kind == FILE_DEV && exos_dev_is_tty(f->dev)))
		return -L_ESPIPE;
	switch (a->a[2]) {
	case 0: base = 0; break;
	case 1: base = (int64_t)f->off; break;
	case 2: base = exos_file_size(f); break;
	default: return -L_EINVAL;
	}
	if (base < 0)
		return base;
	if (off < -base)
		return -L_EINVAL;
	f->off = (uint64_t)(base + off);
	return (int64_t)f->off;
}

SYS(pipe2)
{
	int32_t *fds = (int32_t *)a->a[0];
	int pair[2], r;

	if (a->a[1] & ~(uint64_t)(L_O_CLOEXEC | L_O_NONBLOCK))
		return -L_EINVAL;
	if (exos_uaccess((uint64_t)fds, 8, 1))
		return -L_EFAULT;
	if ((r = exos_pipe_create(pair, (int)a->a[1])))
		return r;
	fds[0] = pair[0];
	fds[1] = pair[1];
	return 0;
}

SYS(pipe)
{
	struct sysargs b = { { a->a[0], 0 }, a->tf };

	return sys_pipe2(&b);
}

/* ---- poll and select ---- */

/* The poll events `fd` is ready for now, of those asked. */
static int ready(int fd, int events)
{
	struct exos_file *f = exos_fd_get(fd);

	if (!f)
		return L_POLLNVAL;
	switch (f->kind) {
	case FILE_PIPE_R:
	case FILE_PIPE_W:
		return exos_pipe_poll(f, events);
	case FILE_DEV:
		if (exos_dev_is_tty(f->dev))
			return (events & L_POLLOUT) |
			       (exos_tty_readable() ? events & L_POLLIN : 0);
		return events & (L_POLLIN | L_POLLOUT);
	default:
		return events & (L_POLLIN | L_POLLOUT);
	}
}

/* Does `fds` wait for the terminal to be readable? */
static int polls_terminal(const struct l_pollfd *fds, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct exos_file *f = fds[i].fd < 0 ? 0 : exos_fd_get(fds[i].fd);

		if (f && f->kind == FILE_DEV && exos_dev_is_tty(f->dev) &&
		    (fds[i].events & L_POLLIN))
			return 1;
	}
	return 0;
}

/* Waits until something changes that could make a descriptor ready:
 * any pipe, a signal, the terminal's line, or (`keys`) a key typed at
 * the console that no process has taken into the line yet (init does
 * when it waits, but it may be busy). */
static int wait_any(uint64_t ns, int keys)
{
	const volatile struct xok_clock *clock = (const void *)XOK_UCLOCK;
	struct exos_watch w[2] = {
		{ &SHARED->io_events, SHARED->io_events, 0 },
		{ &clock->cons_in, 0, 1 },
	};

	return exos_wait_any(w, keys ? 2 : 1, ns);
}

/* poll over `fds`, in ExOS's memory or checked user memory. */
static long do_poll(struct l_pollfd *fds, uint64_t n, int64_t timeout_ns)
{
	int64_t deadline = timeout_ns > 0 ? exos_now_ns() + timeout_ns : 0;

	for (;;) {
		long count = 0;
		int r;

		for (uint64_t i = 0; i < n; i++) {
			fds[i].revents = fds[i].fd < 0 ? 0 :
				(int16_t)ready(fds[i].fd, fds[i].events);
			count += fds[i].revents != 0;
		}
		if (count || !timeout_ns)
			return count;
		int64_t left = deadline ? deadline - exos_now_ns() : 0;

		if (deadline && left <= 0)
			return 0;
		exos_lock();
		r = wait_any((uint64_t)left, polls_terminal(fds, n));
		exos_unlock();
		if (r)
			return r;
	}
}

/* poll and ppoll: `fds` is the program's. */
static long poll_user(uint64_t fds, uint64_t n, int64_t timeout_ns)
{
	if (n > EXOS_NFD)
		return -L_EINVAL;
	if (exos_uaccess(fds, n * sizeof(struct l_pollfd), 1))
		return -L_EFAULT;
	return do_poll((struct l_pollfd *)fds, n, timeout_ns);
}

SYS(poll)
{
	int64_t ms = (int32_t)a->a[2];

	return poll_user(a->a[0], a->a[1], ms < 0 ? -1 : ms * 1000000);
}

static int64_t timespec_ns(uint64_t uaddr, int64_t none)
{
	const struct l_timespec *ts = (const void *)uaddr;

	if (!uaddr)
		return none;
	if (exos_uaccess(uaddr, sizeof(*ts), 0))
		return -2;
	return ts->tv_sec * 1000000000 + ts->tv_nsec;
}

SYS(ppoll)
{
	int64_t ns = timespec_ns(a->a[2], -1);

	if (ns == -2)
		return -L_EFAULT;
	return poll_user(a->a[0], a->a[1], ns);
}

/* select over poll: the three sets become poll requests and back. */
static long do_select(int n, uint64_t *rd, uint64_t *wr, uint64_t *ex,
		      int64_t ns)
{
	struct l_pollfd fds[EXOS_NFD];
	unsigned k = 0;
	long r, count = 0;

	if (n < 0 || n > EXOS_NFD)
		return -L_EINVAL;
	for (uint64_t *set, i = 0; i < 3; i++)
		if ((set = i == 0 ? rd : i == 1 ? wr : ex) &&
		    exos_uaccess((uint64_t)set, ((uint64_t)n + 63) / 64 * 8, 1))
			return -L_EFAULT;
	for (int fd = 0; fd < n; fd++) {
		int16_t ev = 0;

		if (rd && (rd[fd / 64] >> (fd % 64) & 1))
			ev |= L_POLLIN;
		if (wr && (wr[fd / 64] >> (fd % 64) & 1))
			ev |= L_POLLOUT;
		if (ev)
			fds[k++] = (struct l_pollfd){ fd, ev, 0 };
	}
	if ((r = do_poll(fds, k, ns)) < 0)
		return r;
	for (uint64_t *set, i = 0; i < 3; i++)
		if ((set = i == 0 ? rd : i == 1 ? wr : ex))
			memset(set, 0, ((uint64_t)n + 63) / 64 * 8);
	for (unsigned i = 0; i < k; i++) {
		int fd = fds[i].fd;

		if (fds[i].revents & L_POLLNVAL)
			return -L_EBADF;
		if (rd && (fds[i].revents & (L_POLLIN | L_POLLHUP | L_POLLERR))) {
			rd[fd / 64] |= 1ull << (fd % 64);
			count++;
		}
		if (wr && (fds[i].revents & (L_POLLOUT | L_POLLERR))) {
			wr[fd / 64] |= 1ull << (fd % 64);
			count++;
		}
	}
	return count;
}

SYS(select)
{
	const struct l_timeval *tv = (const void *)a->a[4];
	int64_t ns = -1;

	if (tv) {
		if (exos_uaccess((uint64_t)tv, sizeof(*tv), 0))
			return -L_EFAULT;
		ns = tv->tv_sec * 1000000000 + tv->tv_usec * 1000;
	}
	return do_select((int)a->a[0], (void *)a->a[1], (void *)a->a[2],
			 (void *)a->a[3], ns);
}

SYS(pselect6)
{
	int64_t ns = timespec_ns(a->a[4], -1);

	if (ns == -2)
		return -L_EFAULT;
	return do_select((int)a->a[0], (void *)a->a[1], (void *)a->a[2],
			 (void *)a->a[3], ns);
}
