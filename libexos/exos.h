/*
 * exos: ExOS's internal interfaces — where its state lives, and what each
 * file offers the others.
 *
 * A process is one Xok environment for its whole life: fork makes a new
 * one (created under init's environment, so it outlives its creator), exec
 * replaces the program inside the same one, exit ends it. Its ExOS state
 * is in two places:
 *  - private (struct exos_self at EXOS_SELF): descriptors, cwd, signal
 *    actions; copied on fork, partly kept across exec;
 *  - shared by every process (struct exos_shared at EXOS_SHARED, the same
 *    frames in every process): the process table, open-file descriptions,
 *    pipes, the terminal. One lock guards it.
 * Every ExOS process holds the capability init holds, so ExOS's processes
 * trust each other as Unix processes of one user do (each may control the
 * others' environments); protection is between libOSes and users of
 * different capabilities, which Xok enforces below.
 */
#ifndef LIBEXOS_EXOS_H
#define LIBEXOS_EXOS_H

#include <stddef.h>
#include <stdint.h>
#include <xok/env.h>
#include <xok/memlayout.h>
#include <xok/page.h>
#include <xok/trapframe.h>

#include "../libfs-cffs/cffs.h"
#include "../libfs-cffs/dindex.h"
#include "linux.h"

/* ---- Addresses: ExOS's own, in the part of the user half Xok leaves to
 * libOSes above the program (see <xok/memlayout.h>). ---- */
#define EXOS_SHARED     0x00007e0000000000ull /* struct exos_shared */
#define EXOS_SELF       0x00007e0800000000ull /* struct exos_self */
#define EXOS_PIPEBUF    0x00007e1000000000ull /* pipe i's ring at + i * size */
#define EXOS_STACK_TOP  0x00007e2000000000ull /* ExOS's own stack (lazy) */
#define EXOS_STACK_MAX  (1ull << 20)
#define EXOS_XSTACK_TOP 0x00007e2800000000ull /* Xok's exception stack */
#define EXOS_SCRATCH    0x00007e3000000000ull /* transient mappings */
#define EXOS_PAGECACHE  0x00007e5000000000ull /* init: the page cache's frames */
#define EXOS_XN_WINDOW  0x00007e6000000000ull /* C-FFS's cache window */
#define EXOS_USER_TOP   EXOS_SHARED /* a program's memory ends here */
#define EXOS_USTACK_TOP XOK_USTACK_TOP
#define EXOS_USTACK_MAX (8ull << 20)
#define EXOS_MMAP_TOP   (EXOS_USTACK_TOP - EXOS_USTACK_MAX - (1ull << 30))
/* Nothing is ever mapped below this (null pointers fault). */
#define EXOS_USER_BOTTOM 0x10000ull
#define EXOS_PIE_BASE   0x0000555555554000ull /* static-PIE load bias */

/* The libOS's PTE bits (Xok's three software bits). */
#define EXOS_PTE_COW    0x200ull /* write fault: copy the page */
#define EXOS_PTE_SHARED 0x400ull /* fork shares it writable */

#define EXOS_NPROC 64
#define EXOS_NFILE 256
#define EXOS_NPIPE 32
#define EXOS_NFD   256
#define EXOS_PATH  1024
#define EXOS_PIPE_SIZE 65536
#define EXOS_TTY_LINE 4096
/* Linux's system call numbers below this are told apart (syscall.c). */
#define EXOS_NSYSCALLS 1024

/* Processes one lock-holding can signal by call (more: their next slice
 * takes it). */
#define EXOS_NCALLS 16

/* Xok's exported environment table. */
#define ENVS ((const volatile struct xok_env *)XOK_UENVS)

/* ---- Shared state ---- */
#define PROC_FREE   0
#define PROC_ALIVE  1
#define PROC_ZOMBIE 2
#define REPORT_STOP 1 /* it stopped (wait4 with WUNTRACED) */
#define REPORT_CONT 2 /* it continued (WCONTINUED) */

struct exos_proc {
	int32_t pid, ppid, pgid, sid;
	uint64_t env;
	uint32_t state;      /* PROC_* */
	int32_t wstatus;     /* for wait: exit code << 8, or the signal */
	uint64_t pending;    /* signals sent and not yet delivered, bit n-1 */
	uint64_t ignored;    /* signals it ignores (senders may drop them) */
	uint32_t stopped;    /* stopped by a signal (job control) */
	uint32_t report;     /* REPORT_*: changes its parent's wait4 sees */
	int32_t stopsig;     /* what stopped it */
	int32_t nice;        /* setpriority's value, -20..19 (kept, not used:
			      * every process runs one slice) */
	volatile uint64_t events; /* bumped on each signal or child change */
	/* Non-zero: its slices start in ExOS (Xok's prologue upcall, made
	 * only while this word says so): a signal was sent to it or an
	 * alarm is armed. Cleared by the prologue that looked. */
	volatile uint64_t attention;
	char comm[16];
	char exe[128];     /* the program's path, for /proc/<pid>/exe */
	char cmdline[256]; /* argv, NUL-separated, cut to fit */
	uint32_t cmdline_len;
	int64_t start_ns;
	/* How many of its descriptors name each open-file description, so
	 * that if its environment vanishes (Xok destroyed it, or it left
	 * without ExOS's exit) its references can be dropped for it. */
	uint16_t holds[EXOS_NFILE];
};

/* What a path names (vfs.c). */
#define NODE_CFFS     1 /* a C-FFS file: loc, ino */
#define NODE_DEV      2 /* a device: dev */
#define NODE_DEVDIR   3 /* /dev */
#define NODE_PROCDIR  4 /* /proc */
#define NODE_PROCPID  5 /* /proc/<pid>: pid */
#define NODE_PROCFILE 6 /* /proc/<pid>/<file>: pid, dev = which */
#define NODE_PROCLINK 7 /* /proc/self, /proc/<pid>/exe: pid, dev */
#define NODE_PIPE     8 /* (fstat of a pipe) */

struct exos_node {
	int kind;
	int dev;
	int32_t pid;
	struct cffs_loc loc;
	struct cffs_inode ino;
};

#define FILE_FREE    0
#define FILE_CFFS    1
#define FILE_PIPE_R  2
#define FILE_PIPE_W  3
#define FILE_DEV     4
#define FILE_PROC    5 /* /dev, /proc and their files */

struct exos_file {
	uint32_t refs;   /* descriptors naming it, in every process */
	uint16_t kind;   /* FILE_* */
	uint16_t dev;    /* FILE_DEV: which device */
	uint32_t flags;  /* O_ACCMODE, O_APPEND, O_NONBLOCK */
	uint32_t pipe;   /* FILE_PIPE_*: index */
	uint64_t off;
	struct cffs_loc loc;   /* FILE_CFFS */
	struct exos_node node; /* what was opened */
	char path[256];        /* its absolute path, "" if longer */
};

#define EXOS_PIPE_PAGES (EXOS_PIPE_SIZE / 4096)
struct exos_pipe {
	uint32_t readers, writers; /* open descriptions of each end */
	volatile uint64_t rpos, wpos; /* bytes ever read / written */
	uint64_t pfn[EXOS_PIPE_PAGES]; /* the frames of its ring (pipe.c) */
	struct cffs_loc fifo; /* the named pipe it serves; block 0: none */
	uint32_t reader_opens, writer_opens; /* ever: a FIFO's open waits */
};

struct exos_tty {
	struct l_termios termios;
	struct l_winsize winsize;
	int32_t fg_pgid;
	uint32_t len;             /* bytes of `line` being edited */
	uint32_t ready;           /* bytes of `line` a reader may take */
	uint32_t eof;             /* ^D typed at the start of a line: 1 +
				   * the ready bytes before it; 0: none */
	char line[EXOS_TTY_LINE];
};

/* A file as it was when mapped: where its inode is, its size and times
 * (a file that changed is not the one mapped any more). */
struct exos_file_id {
	struct cffs_loc loc;
	uint64_t size;
	int64_t mtime_ns, ctime_ns;
};

/* Memory filled from a file on first touch (lazy.c): the pages [lo, hi)
 * show the file's bytes [off, off + filesz) from address va, zeros
 * elsewhere, with protection `perm`. hi == 0: a free record. */
struct exos_lazy {
	uint64_t lo, hi;
	uint64_t va, off, filesz;
	uint64_t perm;
	struct exos_file_id file;
};
#define EXOS_NLAZY 16

/* A page of a file in the page cache (pagecache.c): the frame holding
 * the file's bytes [index * 4096, +4096); pfn 0: a free slot. */
struct exos_page_key {
	struct exos_file_id file;
	uint64_t index;
};
struct exos_cached_page {
	struct exos_page_key key;
	uint64_t pfn;
};
#define EXOS_NCACHED 1024

struct exos_shared {
	uint64_t magic;
	volatile uint64_t lock;  /* env id of the holder, or 0 */
	volatile uint64_t io_events; /* bumped by every pipe and tty change */
	uint64_t init_env;
	int64_t clock_offset_ns; /* the wall clock set (time.c) */
	int32_t next_pid;
	uint32_t pad;
	/* Unknown system calls said on the console, a bit each (syscall.c;
	 * numbers from EXOS_NSYSCALLS - 1 on share the last bit). */
	uint8_t unknown_said[EXOS_NSYSCALLS / 8];
	struct exos_proc procs[EXOS_NPROC];
	struct exos_file files[EXOS_NFILE];
	struct exos_tty tty;
	struct exos_pipe pipes[EXOS_NPIPE];
	/* C-FFS's name index, one for every process (each process's own
	 * C-FFS instance points to it): like Linux's dentry cache, what one
	 * process looked up the next finds, a forked child included. Only
	 * hints, checked against the disk's entries and generations. */
	struct cffs_dindex fs_index;
	struct exos_cached_page pages[EXOS_NCACHED];
};
/* The magic numbers carry the structures' sizes: ExOS code built for
 * another layout (an old /lib/exos on a disk) sees a mismatch and says
 * so, instead of misreading the state. */
#define EXOS_SHARED_MAGIC \
	(0x5348534f584521ull ^ ((uint64_t)sizeof(struct exos_shared) << 24))
#define SHARED ((struct exos_shared *)EXOS_SHARED)

/* ---- Private state ---- */
struct exos_fd {
	int16_t file;     /* index into SHARED->files, or -1: closed */
	uint8_t cloexec;
	uint8_t pad;
};


struct exos_self {
	uint64_t magic;
	uint64_t env;     /* the environment this copy belongs to */
	int32_t pid;
	uint32_t slot;    /* where pid was last found in the process table */
	uint32_t umask;
	uint64_t sigmask;
	uint64_t mask_after;  /* sigsuspend: the mask its handler restores */
	uint32_t restore_mask;
	uint32_t in_exos;     /* running ExOS code, not the program's */
	uint32_t ncalls;      /* sigpct.c: processes to call, in calls[] */
	/* Handler frames set up for signals without SA_RESTART: a native
	 * call sees whether its EINTR must stand (native.c). */
	uint64_t interrupting;
	uint64_t calls[EXOS_NCALLS];
	uint64_t alarm_ns;    /* when SIGALRM is due (wall clock), or 0 */
	uint64_t alarm_every_ns; /* setitimer's interval after it, or 0 */
	uint64_t altstack_sp, altstack_size; /* sigaltstack; size 0: none */
	uint64_t brk_start, brk;
	uint64_t mmap_next;   /* mappings are placed below this */
	uint64_t clear_tid;   /* set_tid_address */
	uint64_t entry;       /* the program's entry, for a fresh image */
	uint64_t ustack;      /* its initial %rsp */
	struct exos_fd fd[EXOS_NFD];
	struct l_sigaction sig[L_NSIG];
	struct exos_lazy lazy[EXOS_NLAZY];
	char cwd[EXOS_PATH];
	char exe[EXOS_PATH];
};
#define EXOS_SELF_MAGIC \
	(0x464c45534f584521ull ^ ((uint64_t)sizeof(struct exos_self) << 24))
#define SELF ((struct exos_self *)EXOS_SELF)
#define EXOS_SELF_PAGES ((sizeof(struct exos_self) + 4095) / 4096)
#define EXOS_SHARED_PAGES ((sizeof(struct exos_shared) + 4095) / 4096)

/* ---- What each file offers ---- */

/* lib/resume.S: resumes the interrupted code from `tf`. */
void xok_resume(const struct xok_trapframe *tf) __attribute__((noreturn));

/* start.c */
void exos_init_upcalls(void);
void exos_map_stacks(void);
uint64_t exos_first_stack(const char *arg, uint64_t rsp);
void exos_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
int exos_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void exos_fs_ready(void);
extern struct cffs_blk *exos_root_fs;

/* lock.c: the shared lock. */
void exos_lock(void);
void exos_unlock(void);
/* Sleeps until *word != seen (or a signal is pending for us, or `ns` of
 * time passed if ns != 0), with the lock released; retakes it. Returns
 * 0, or -L_EINTR if a signal is pending. */
int exos_wait_change(const volatile uint64_t *word, uint64_t seen,
		     uint64_t ns);
/* The same for up to three words (32- or 64-bit). */
struct exos_watch {
	const volatile void *addr;
	uint64_t seen;
	int is32;
};
int exos_wait_any(const struct exos_watch *w, unsigned nw, uint64_t ns);
/* Sleeps until the caller's event count changes, whatever signals are
 * pending (a stopped process waits so for SIGCONT). */
void exos_wait_events(void);

/* mem.c. A batch of PTE changes to one environment (0: the caller). */
struct exos_batch {
	uint64_t env;
	unsigned n;
	struct xok_pte_op ops[64];
};
int exos_batch_add(struct exos_batch *b, uint64_t va, uint64_t pfn,
		   uint64_t perm);
int exos_batch_flush(struct exos_batch *b);
/* Calls fn on every mapped page in [lo, hi) until it returns nonzero. */
int exos_walk(uint64_t lo, uint64_t hi,
	      int (*fn)(uint64_t va, uint64_t pte, void *arg), void *arg);
/* Calls fn on every page table present for [lo, hi), with the first
 * address of the range it maps there (lo itself for the first, which may
 * start inside it) and the entry pointing to it. */
int exos_walk_tables(uint64_t lo, uint64_t hi,
		     int (*fn)(uint64_t va, uint64_t pde, void *arg),
		     void *arg);
int exos_unmap_range(uint64_t lo, uint64_t hi);
int exos_uaccess(uint64_t va, uint64_t len, int write);
int exos_ustring(const char *s, char *out, size_t size);
int exos_map_fresh(uint64_t va, uint64_t perm);
uint64_t exos_pte(uint64_t va);
int exos_resolve_fault(uint64_t va, int write);
void exos_mem_exec_reset(uint64_t brk_start);
int exos_unmap_program(void);

/* lazy.c. Records a region (-L_ENOMEM: no room); forgets the regions'
 * pages in [lo, hi) (exos_unmap_range does, for the program's range);
 * fills the absent region pages of [lo, hi) (0 or a negative errno,
 * -L_EIO if the file changed); resolves a fault at va: 1 if no region
 * covers it, else as exos_lazy_fill, with the pages around it; is va in
 * a region? */
int exos_lazy_add(const struct exos_lazy *r);
void exos_lazy_forget(uint64_t lo, uint64_t hi);
int exos_lazy_fill(uint64_t lo, uint64_t hi);
int exos_lazy_fault(uint64_t va);
int exos_lazy_covers(uint64_t va);

/* pagecache.c, the lock held. The frame of a file's page, or 0; keeps
 * a frame as that page; forgets every page. */
uint64_t exos_pagecache_find(const struct exos_page_key *k);
void exos_pagecache_add(const struct exos_page_key *k, uint64_t pfn);
void exos_pagecache_drop(void);

/* proc.c */
struct exos_proc *exos_proc_self(void);
struct exos_proc *exos_proc_find(int32_t pid);
void exos_exit(int32_t wstatus) __attribute__((noreturn));
/* A new process, a copy-on-write copy of this one; its child starts
 * with the stack pointer `child_sp` (0: the caller's) and its pid
 * stored at `child_tid` (0: nowhere). */
int64_t exos_fork(const struct xok_trapframe *tf, uint64_t child_sp,
		  uint64_t child_tid);
void exos_fork_child(struct xok_trapframe *tf, uint64_t sp, uint64_t tid) __attribute__((noreturn));
/* Makes the caller process 1; its heap starts at brk_start. */
int exos_proc_first(uint64_t brk_start);
/* Ends, as if by SIGKILL, every process whose environment is gone
 * without ExOS's exit: its descriptors closed, its children given to
 * init, its parent told (the lock held). */
void exos_proc_bury_vanished(void);
/* How often process 1 looks for them, whatever it sleeps in (a look
 * from anyone else's sleep would cost every scheduling decision a wakeup
 * term more); a parent waiting for one hears from process 1. */
#define EXOS_VANISHED_CHECK_NS 1000000000ull

/* signal.c */
int exos_signal_send(struct exos_proc *p, int sig);
void exos_signal_deliver(struct xok_trapframe *tf, int64_t restart);
void exos_signal_fault(struct xok_trapframe *tf, int sig, uint64_t addr);
int exos_signal_pending(void);
void exos_signal_exec_reset(void);
void exos_signal_update_ignored(void);
/* Can signals be taken in the code `tf` interrupted: is it the
 * program's, not ExOS's or ExOS's way in or out? */
int exos_signal_can_take(const struct xok_trapframe *tf);
/* Takes the pending signals there (the attention word cleared). */
void exos_signal_take(struct xok_trapframe *tf);
/* The room a handler's frame takes on a stack (AT_MINSIGSTKSZ). */
uint64_t exos_signal_frame_size(void);

/* sigpct.c: signals to other processes by protected control transfer.
 * Notes process environment `env` as sent a signal: it is called when the
 * lock is let go (exos_signal_calls, from exos_unlock). */
void exos_signal_call_later(uint64_t env);
void exos_signal_calls(void);

/* fd.c */
int exos_fd_install(int file, int cloexec);
struct exos_file *exos_fd_get(int fd);
int exos_file_alloc(unsigned kind, uint32_t flags);
void exos_file_unref(int file);
/* Drops the references process `p`'s descriptors hold (the lock held). */
void exos_fd_drop_holds(struct exos_proc *p);
int exos_fd_close(int fd);
void exos_fd_close_all(int only_cloexec);

/* vfs.c */
int exos_node_lookup(const char *abs, struct exos_node *n);
int exos_open(const char *abs, int flags, uint32_t mode);
long exos_file_read(struct exos_file *f, void *buf, size_t len, int64_t off);
long exos_file_write(struct exos_file *f, const void *buf, size_t len,
		     int64_t off);
int64_t exos_file_size(struct exos_file *f);
int exos_dirent_put(uint8_t *buf, size_t size, size_t *used, uint64_t ino,
		    int64_t next, uint32_t mode, const char *name);
int exos_sync(void);
/* Resolves `path` (ExOS's memory; relative to the cwd) to an absolute
 * path, following links (the last one only if `follow`). */
int exos_resolve_path(const char *path, int follow, char *abs);

/* synth.c: /dev and /proc. A lookup returns 1 if `abs` is not theirs. */
int exos_dev_lookup(const char *abs, struct exos_node *n);
int exos_proc_lookup(const char *abs, struct exos_node *n);
uint32_t exos_synthetic_mode(const struct exos_node *n);
uint64_t exos_synthetic_ino(const struct exos_node *n);
uint64_t exos_synthetic_rdev(const struct exos_node *n);
long exos_synthetic_getdents(struct exos_file *f, uint8_t *buf, size_t size);
long exos_proc_readlink(const struct exos_node *n, char *buf, size_t size);
long exos_proc_read(struct exos_file *f, void *buf, size_t len, int64_t off);
int exos_dev_is_tty(int dev);
long exos_dev_read(struct exos_file *f, void *buf, size_t len);
long exos_dev_write(struct exos_file *f, const void *buf, size_t len);

/* pipe.c: pipes and the terminal bump SHARED->io_events on a change. */
void exos_bump_io(void);

/* tty.c (exos_tty_serve: takes what was typed; init calls it) */
void exos_tty_serve(void);
long exos_tty_read(char *buf, size_t len, int nonblock);
long exos_tty_write(const char *buf, size_t len);
int exos_tty_ioctl(uint64_t req, uint64_t arg);
int exos_tty_readable(void);
void exos_tty_init(void);

/* pipe.c */
int exos_pipe_create(int fds[2], int flags);
long exos_pipe_read(struct exos_file *f, void *buf, size_t len);
long exos_pipe_write(struct exos_file *f, const void *buf, size_t len);
void exos_pipe_close(struct exos_file *f);
/* Opens the named pipe whose inode is at `loc` for reading or writing
 * (the lock held; it may sleep until the other side opens): a new
 * open-file description, or a negative errno. */
int exos_fifo_open(const struct cffs_loc *loc, int flags);
/* This process closed a descriptor of pipe p: if it holds no other, it
 * unmaps the pipe's ring. */
void exos_pipe_let_go(uint32_t p);
int exos_pipe_poll(struct exos_file *f, int events);

/* synth.c: pseudo-random numbers (/dev/urandom, getrandom, AT_RANDOM) */
uint64_t exos_random(void);
void exos_random_fill(uint8_t *buf, size_t len);
void exos_fs_forget(void);
/* Drops the buffer-cache mappings a finished operation left (start.c). */
void exos_fs_trim(void);
void exos_drop_caches(void);
/* entry.S: save and restore the x87/SSE state (512 bytes, 16-aligned). */
void exos_fxsave(void *area);
void exos_fxrstor(const void *area);

/* time.c */
int64_t exos_now_ns(void);
/* Sets the wall clock (every process's, until the next boot). */
void exos_set_now_ns(int64_t ns);

#endif
