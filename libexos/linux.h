/*
 * linux: the parts of Linux's x86-64 user ABI that ExOS speaks — errno
 * values, flags and the structures programs pass to system calls — in
 * Linux's own layout, since unmodified binaries read them byte for byte.
 * (System call numbers come from the kernel headers: see gen-sysnames.sh.)
 */
#ifndef LIBEXOS_LINUX_H
#define LIBEXOS_LINUX_H

#include <stdint.h>

#define L_EPERM   1
#define L_ENOENT  2
#define L_ESRCH   3
#define L_EINTR   4
#define L_EIO     5
#define L_ENXIO   6
#define L_E2BIG   7
#define L_ENOEXEC 8
#define L_EBADF   9
#define L_ECHILD  10
#define L_EAGAIN  11
#define L_ENOMEM  12
#define L_EACCES  13
#define L_EFAULT  14
#define L_EBUSY   16
#define L_EEXIST  17
#define L_EXDEV   18
#define L_ENODEV  19
#define L_ENOTDIR 20
#define L_EISDIR  21
#define L_EINVAL  22
#define L_ENFILE  23
#define L_EMFILE  24
#define L_ENOTTY  25
#define L_EFBIG   27
#define L_ENOSPC  28
#define L_ESPIPE  29
#define L_EROFS   30
#define L_EMLINK  31
#define L_EPIPE   32
#define L_ERANGE  34
#define L_ENAMETOOLONG 36
#define L_ENOSYS  38
#define L_ENOTEMPTY 39
#define L_ELOOP   40

/* open flags */
#define L_O_ACCMODE   03
#define L_O_RDONLY    00
#define L_O_WRONLY    01
#define L_O_RDWR      02
#define L_O_CREAT     0100
#define L_O_EXCL      0200
#define L_O_NOCTTY    0400
#define L_O_TRUNC     01000
#define L_O_APPEND    02000
#define L_O_NONBLOCK  04000
#define L_O_DIRECTORY 0200000
#define L_O_NOFOLLOW  0400000
#define L_O_CLOEXEC   02000000
#define L_O_PATH      010000000
#define L_AT_FDCWD    (-100)
#define L_AT_SYMLINK_NOFOLLOW 0x100
#define L_AT_REMOVEDIR 0x200
#define L_AT_EMPTY_PATH 0x1000

/* fcntl */
#define L_F_DUPFD 0
#define L_F_GETFD 1
#define L_F_SETFD 2
#define L_F_GETFL 3
#define L_F_SETFL 4
#define L_F_DUPFD_CLOEXEC 1030
#define L_FD_CLOEXEC 1

/* file types in st_mode (the same as C-FFS's) */
#define L_S_IFMT   0170000
#define L_S_IFIFO  0010000
#define L_S_IFCHR  0020000
#define L_S_IFBLK  0060000
#define L_S_IFSOCK 0140000
#define L_S_IFDIR  0040000
#define L_S_IFREG  0100000
#define L_S_IFLNK  0120000

struct l_timespec {
	int64_t tv_sec, tv_nsec;
};

struct l_timeval {
	int64_t tv_sec, tv_usec;
};

struct l_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct l_timespec st_atim, st_mtim, st_ctim;
	int64_t unused[3];
};

struct l_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec, pad;
};

struct l_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad1;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct l_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define L_STATX_BASIC_STATS 0x7ffu

struct l_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
#define L_DT_FIFO 1
#define L_DT_CHR  2
#define L_DT_DIR  4
#define L_DT_REG  8
#define L_DT_LNK  10

struct l_iovec {
	uint64_t base, len;
};

struct l_utsname {
	char sysname[65], nodename[65], release[65], version[65],
		machine[65], domainname[65];
};

struct l_rlimit {
	uint64_t cur, max;
};
#define L_RLIM_INFINITY (~0ull)
#define L_RLIMIT_STACK  3
#define L_RLIMIT_NOFILE 7

/* mmap */
#define L_PROT_READ  1
#define L_PROT_WRITE 2
#define L_PROT_EXEC  4
#define L_MAP_SHARED    0x01
#define L_MAP_PRIVATE   0x02
#define L_MAP_FIXED     0x10
#define L_MAP_ANONYMOUS 0x20
#define L_MAP_FIXED_NOREPLACE 0x100000

/* signals */
#define L_NSIG 64
#define L_SIGHUP  1
#define L_SIGINT  2
#define L_SIGQUIT 3
#define L_SIGILL  4
#define L_SIGTRAP 5
#define L_SIGABRT 6
#define L_SIGBUS  7
#define L_SIGFPE  8
#define L_SIGKILL 9
#define L_SIGUSR1 10
#define L_SIGSEGV 11
#define L_SIGUSR2 12
#define L_SIGPIPE 13
#define L_SIGALRM 14
#define L_SIGTERM 15
#define L_SIGCHLD 17
#define L_SIGCONT 18
#define L_SIGSTOP 19
#define L_SIGTSTP 20
#define L_SIGTTIN 21
#define L_SIGTTOU 22
#define L_SIGWINCH 28
#define L_SIG_DFL 0
#define L_SIG_IGN 1
#define L_SA_SIGINFO  0x4
#define L_SA_RESTORER 0x04000000
#define L_SA_ONSTACK  0x08000000
#define L_SA_RESTART  0x10000000
#define L_SA_NODEFER  0x40000000
#define L_SA_RESETHAND 0x80000000u
#define L_SIG_BLOCK   0
#define L_SIG_UNBLOCK 1
#define L_SIG_SETMASK 2

struct l_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct l_siginfo {
	int32_t signo, errnum, code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status;
		} chld;
		uint64_t addr;
		uint8_t bytes[112];
	} u;
};

/* wait */
#define L_WNOHANG   1
#define L_WUNTRACED 2
#define L_WCONTINUED 8

/* ioctl */
#define L_TCGETS     0x5401
#define L_TCSETS     0x5402
#define L_TCSETSW    0x5403
#define L_TCSETSF    0x5404
#define L_TIOCGPGRP  0x540f
#define L_TIOCSPGRP  0x5410
#define L_TIOCGWINSZ 0x5413
#define L_TIOCSWINSZ 0x5414
#define L_FIONREAD   0x541b

struct l_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[19];
};
#define L_VINTR  0
#define L_VQUIT  1
#define L_VERASE 2
#define L_VKILL  3
#define L_VEOF   4
#define L_VTIME  5
#define L_VMIN   6
#define L_VSUSP  10
/* iflag */
#define L_ICRNL 0000400
/* oflag */
#define L_OPOST 0000001
#define L_ONLCR 0000004
/* lflag */
#define L_ISIG   0000001
#define L_ICANON 0000002
#define L_ECHO   0000010
#define L_ECHOE  0000020
#define L_ECHOK  0000040
#define L_ECHOCTL 0001000
#define L_IEXTEN 0100000

struct l_winsize {
	uint16_t row, col, xpixel, ypixel;
};

/* poll */
struct l_pollfd {
	int32_t fd;
	int16_t events, revents;
};
#define L_POLLIN   0x001
#define L_POLLPRI  0x002
#define L_POLLOUT  0x004
#define L_POLLERR  0x008
#define L_POLLHUP  0x010
#define L_POLLNVAL 0x020

/* arch_prctl */
#define L_ARCH_SET_FS 0x1002
#define L_ARCH_GET_FS 0x1003

/* auxiliary vector */
#define L_AT_NULL   0
#define L_AT_PHDR   3
#define L_AT_PHENT  4
#define L_AT_PHNUM  5
#define L_AT_PAGESZ 6
#define L_AT_BASE   7
#define L_AT_FLAGS  8
#define L_AT_ENTRY  9
#define L_AT_UID    11
#define L_AT_EUID   12
#define L_AT_GID    13
#define L_AT_EGID   14
#define L_AT_PLATFORM 15
#define L_AT_HWCAP  16
#define L_AT_MINSIGSTKSZ 51
#define L_AT_CLKTCK 17
#define L_AT_SECURE 23
#define L_AT_RANDOM 25
#define L_AT_EXECFN 31

/* clocks */
#define L_CLOCK_REALTIME  0
#define L_CLOCK_MONOTONIC 1

#endif
