/*
 * sys: the Linux system calls ExOS implements. Each takes the call's six
 * argument registers and the caller's saved registers (which fork, exec,
 * sigreturn and exit need), and returns the result or -errno.
 */
#ifndef LIBEXOS_SYS_H
#define LIBEXOS_SYS_H

#include <stdint.h>
#include <xok/trapframe.h>

struct sysargs {
	uint64_t a[6];
	struct xok_trapframe *tf;
};

/* L_SYS_<name>: the numbers, from the kernel headers. */
enum {
#define SYSCALL(name, nr) L_SYS_##name = nr,
#include "sysnames.h"
#undef SYSCALL
};

#define SYS(name) int64_t sys_##name(const struct sysargs *a)

/* Every implemented call, by file: each line is one SYS() in it. */
#define EXOS_SYSCALLS(X) \
	/* fd.c */ X(read) X(write) X(readv) X(writev) X(pread64) \
	X(pwrite64) X(close) X(dup) X(dup2) X(dup3) X(fcntl) X(ioctl) \
	X(lseek) X(sendfile) X(pipe) X(pipe2) X(poll) X(select) X(pselect6) X(ppoll) \
	/* vfs.c */ X(open) X(openat) X(stat) X(fstat) X(lstat) \
	X(newfstatat) X(statx) X(getdents64) X(mkdir) X(mkdirat) X(rmdir) \
	X(mknod) X(mknodat) \
	X(unlink) X(unlinkat) X(rename) X(renameat) X(renameat2) X(link) \
	X(linkat) X(symlink) X(symlinkat) X(readlink) X(readlinkat) \
	X(chmod) X(fchmod) X(fchmodat) X(chown) X(fchown) X(lchown) \
	X(fchownat) X(utimensat) X(truncate) X(ftruncate) X(fsync) \
	X(fdatasync) X(sync) X(access) X(faccessat) X(faccessat2) \
	X(getcwd) X(chdir) X(fchdir) X(umask) X(creat) X(statfs) X(fstatfs) \
	/* proc.c */ X(fork) X(vfork) X(clone) X(clone3) X(execve) X(exit) \
	X(exit_group) X(wait4) X(getpid) X(getppid) X(gettid) X(getpgid) \
	X(setpgid) X(getpgrp) X(getsid) X(setsid) X(kill) X(tgkill) X(tkill) \
	X(set_tid_address) X(sched_yield) \
	/* mem.c */ X(brk) X(mmap) X(munmap) X(mprotect) X(mremap) \
	X(madvise) \
	/* signal.c */ X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) \
	X(sigaltstack) X(rt_sigsuspend) X(pause) X(alarm) X(setitimer) \
	X(getitimer) \
	/* misc.c */ X(arch_prctl) X(prctl) X(set_robust_list) X(rseq) X(prlimit64) \
	X(getrlimit) X(setrlimit) X(uname) X(getrandom) X(getuid) \
	X(geteuid) X(getgid) X(getegid) X(setuid) X(setgid) X(getgroups) \
	X(setgroups) X(setresuid) X(setresgid) X(getresuid) X(getresgid) \
	X(clock_gettime) X(clock_settime) X(settimeofday) X(clock_getres) \
	X(gettimeofday) X(time) X(syslog) X(mount) X(umount2) X(chroot) \
	X(nanosleep) X(clock_nanosleep) X(sysinfo) X(times) X(getrusage) \
	X(setpriority) X(getpriority) X(sched_getaffinity) X(reboot) X(futex)

#define DECLARE(name) SYS(name);
EXOS_SYSCALLS(DECLARE)
#undef DECLARE

#endif
