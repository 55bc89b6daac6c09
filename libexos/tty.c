/*
 * tty: the console terminal — Xok's serial console with a line
 * discipline: echo, erase, kill (^U), end of file (^D), and ^C, ^\, ^Z
 * turned into signals for the foreground process group. Canonical mode
 * hands out whole lines; raw mode (ICANON off) each byte as it comes.
 *
 * Typed characters are taken from Xok by whichever process gets to them
 * first — a reader, or init, which watches the console so that ^C
 * reaches a program that is not reading — and kept in the shared
 * struct exos_tty.
 */
#include <xok/error.h>
#include <xok/sched.h>
#include <xok/syscall.h>

#include "../lib/string.h"
#include "exos.h"

#define TTY (&SHARED->tty)
#define CLOCK ((const volatile struct xok_clock *)XOK_UCLOCK)
#define CTRL(c) ((c) & 0x1f)

void exos_tty_init(void)
{
	struct l_termios *t = &TTY->termios;

	memset(TTY, 0, sizeof(*TTY));
	t->iflag = L_ICRNL;
	t->oflag = L_OPOST | L_ONLCR;
	t->cflag = 0277; /* CS8 | CREAD | B38400, what stty expects */
	t->lflag = L_ISIG | L_ICANON | L_ECHO | L_ECHOE | L_ECHOK | L_IEXTEN |
		   L_ECHOCTL;
	t->cc[L_VINTR] = CTRL('C');
	t->cc[L_VQUIT] = CTRL('\\');
	t->cc[L_VERASE] = 0x7f;
	t->cc[L_VKILL] = CTRL('U');
	t->cc[L_VEOF] = CTRL('D');
	t->cc[L_VSUSP] = CTRL('Z');
	t->cc[L_VMIN] = 1;
	TTY->winsize = (struct l_winsize){ 24, 80, 0, 0 };
	TTY->fg_pgid = 1;
}

static void echo(const char *s, size_t n)
{
	if (TTY->termios.lflag & L_ECHO)
		xok_cputs(s, n);
}

static void signal_group(int32_t pgid, int sig)
{
	for (int i = 0; i < EXOS_NPROC; i++)
		if (SHARED->procs[i].state == PROC_ALIVE &&
		    SHARED->procs[i].pgid == pgid)
			exos_signal_send(&SHARED->procs[i], sig);
}

/* One typed character through the line discipline (the lock held). */
static void input(char c)
{
	const struct l_termios *t = &TTY->termios;
	int canon = (t->lflag & L_ICANON) != 0;

	if (c == '\r' && (t->iflag & L_ICRNL))
		c = '\n';
	if (t->lflag & L_ISIG) {
		int sig = c == t->cc[L_VINTR] ? L_SIGINT :
			  c == t->cc[L_VQUIT] ? L_SIGQUIT :
			  c == t->cc[L_VSUSP] ? L_SIGTSTP : 0;

		if (sig) {
			char e[3] = { '^', (char)(c + '@'), '\n' };

			echo(e, 3);
			TTY->len = TTY->ready; /* the unfinished line is gone */
			signal_group(TTY->fg_pgid, sig);
			return;
		}
	}
	if (canon && c == t->cc[L_VERASE]) {
		if (TTY->len > TTY->ready) {
			TTY->len--;
			echo("\b \b", 3);
		}
		return;
	}
	if (canon && c == t->cc[L_VKILL]) {
		while (TTY->len > TTY->ready) {
			TTY->len--;
			echo("\b \b", 3);
		}
		return;
	}
	if (canon && c == t->cc[L_VEOF]) {
		/* On an empty line: an end of file, read after the lines
		 * before it and before those typed after it. */
		if (TTY->len == TTY->ready && !TTY->eof)
			TTY->eof = TTY->ready + 1;
		TTY->ready = TTY->len;
		return;
	}
	TTY->line[TTY->len++] = c;
	echo(&c, 1);
	if (!canon || c == '\n')
		TTY->ready = TTY->len;
}

/* Takes the characters Xok holds while there is room (the lock held):
 * what does not fit stays in Xok's ring and the UART, not lost. */
static void drain(void)
{
	int64_t c;
	int any = 0;

	while (TTY->len < EXOS_TTY_LINE && (c = xok_cgetc()) != E_AGAIN) {
		input((char)c);
		any = 1;
	}
	if (any)
		exos_bump_io();
}

void exos_tty_serve(void)
{
	exos_lock();
	drain();
	exos_unlock();
}

int exos_tty_readable(void)
{
	return TTY->ready > 0 || TTY->eof || CLOCK->cons_in;
}

/* A process of a background job may not read the terminal: its job is
 * stopped by SIGTTIN (the read starts again once it is continued in the
 * foreground), or, ignoring or blocking SIGTTIN, it gets EIO (the lock
 * held). 0 for a process in the foreground. */
static int background_read(void)
{
	struct exos_proc *me = exos_proc_self();
	uint64_t ttin = 1ull << (L_SIGTTIN - 1);

	if (me->pgid == TTY->fg_pgid)
		return 0;
	if ((SELF->sigmask & ttin) ||
	    SELF->sig[L_SIGTTIN - 1].handler == L_SIG_IGN)
		return -L_EIO;
	signal_group(me->pgid, L_SIGTTIN);
	return -L_EINTR;
}

long exos_tty_read(char *buf, size_t len, int nonblock)
{
	size_t n;
	int r;

	exos_lock();
	if ((r = background_read())) {
		exos_unlock();
		return r;
	}
	for (;;) {
		drain();
		if (TTY->ready || TTY->eof)
			break;
		if (nonblock) {
			exos_unlock();
			return -L_EAGAIN;
		}
		struct exos_watch w[2] = {
			{ &CLOCK->cons_in, 0, 1 },
			{ &SHARED->io_events, SHARED->io_events, 0 },
		};

		if ((r = exos_wait_any(w, 2, 0))) {
			exos_unlock();
			return r;
		}
	}
	uint32_t avail = TTY->eof ? TTY->eof - 1 : TTY->ready;

	if (!avail) {
		TTY->eof = 0;
		exos_unlock();
		return 0;
	}
	n = avail < len ? avail : len;
	if (TTY->termios.lflag & L_ICANON) /* one line at most */
		for (size_t i = 0; i < n; i++)
			if (TTY->line[i] == '\n') {
				n = i + 1;
				break;
			}
	memcpy(buf, TTY->line, n);
	memmove(TTY->line, TTY->line + n, TTY->len - n);
	TTY->len -= (uint32_t)n;
	TTY->ready -= (uint32_t)n;
	if (TTY->eof)
		TTY->eof -= (uint32_t)n;
	exos_unlock();
	return (long)n;
}

long exos_tty_write(const char *buf, size_t len)
{
	return xok_cputs(buf, len) < 0 ? -L_EFAULT : (long)len;
}

int exos_tty_ioctl(uint64_t req, uint64_t arg)
{
	switch (req) {
	case L_TCGETS:
		if (exos_uaccess(arg, sizeof(struct l_termios), 1))
			return -L_EFAULT;
		*(struct l_termios *)arg = TTY->termios;
		return 0;
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		if (exos_uaccess(arg, sizeof(struct l_termios), 0))
			return -L_EFAULT;
		exos_lock();
		TTY->termios = *(const struct l_termios *)arg;
		if (req == L_TCSETSF)
			TTY->len = TTY->ready = TTY->eof = 0;
		else if (!(TTY->termios.lflag & L_ICANON))
			TTY->ready = TTY->len;
		exos_unlock();
		return 0;
	case L_TIOCGWINSZ:
		if (exos_uaccess(arg, sizeof(struct l_winsize), 1))
			return -L_EFAULT;
		*(struct l_winsize *)arg = TTY->winsize;
		return 0;
	case L_TIOCSWINSZ:
		if (exos_uaccess(arg, sizeof(struct l_winsize), 0))
			return -L_EFAULT;
		TTY->winsize = *(const struct l_winsize *)arg;
		return 0;
	case L_TIOCGPGRP:
		if (exos_uaccess(arg, 4, 1))
			return -L_EFAULT;
		*(int32_t *)arg = TTY->fg_pgid;
		return 0;
	case L_TIOCSPGRP:
		if (exos_uaccess(arg, 4, 0))
			return -L_EFAULT;
		TTY->fg_pgid = *(const int32_t *)arg;
		return 0;
	case L_FIONREAD:
		if (exos_uaccess(arg, 4, 1))
			return -L_EFAULT;
		*(int32_t *)arg = (int32_t)TTY->ready;
		return 0;
	default:
		return -L_ENOTTY;
	}
}
