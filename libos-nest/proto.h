/*
 * proto: the Common Protocols (Fluke) that a nested program speaks to its
 * parent by protected control transfer, so that any nester between the
 * two can interpose on any call.
 *
 * A call is xok_ipc_call(parent server, op, a1, a2, a3). The reply's
 * first word is the result (>= 0, or a negative Xok error); the other
 * three, where an op has them, arrive in the caller's u-area. What does
 * not fit in words (names, data) travels in the caller's message page,
 * struct nest_msg, which the parent maps (nester.c): every nested program
 * has one, at the same address in each (it is in the image).
 */
#ifndef NEST_PROTO_H
#define NEST_PROTO_H

#include <stdint.h>
#include <xok/memlayout.h>

/* op = protocol << 8 | operation */
#define NEST_OP(proto, n) ((uint64_t)(proto) << 8 | (n))
#define NEST_PROTO_OF(op) ((op) >> 8)

#define NEST_PARENT  1
#define NEST_PROCESS 2
#define NEST_MEMORY  3
#define NEST_FS      4
#define NEST_FD      5

/* Parent: which environment serves each protocol for the caller (today
 * always the parent's own server). Result: that environment's id. */
#define NEST_GET_PROCESS NEST_OP(NEST_PARENT, 1)
#define NEST_GET_MEMORY  NEST_OP(NEST_PARENT, 2)
#define NEST_GET_FS      NEST_OP(NEST_PARENT, 3)

/* Process, served by the caller's parent for its own children:
 * CREATE starts msg.path ("PROG" or "PROG:ARG", a program of the image)
 *   as a new child of the parent's; result: its id. E_INVAL: no such
 *   program. E_AGAIN: the parent has no room for another child.
 * EXEC replaces the caller, a child of the parent's, with msg.path
 *   ("PROG" or "PROG:ARG"): the same id, capability and entry (WAIT by
 *   its creator sees the new program's status), fresh memory (the image
 *   copied anew, new stacks; heap, segments and file maps unmapped;
 *   open files stay). No reply on success: the new program starts.
 *   E_INVAL: no such program. E_STATE: the caller has environments of its
 *   own (a nester). E_PERM: the caller is not the parent's child. If the
 *   parent runs out of memory once the old memory is gone, the caller
 *   ends with that error as its status.
 * WAIT a1 = an id CREATE returned to the caller: its exit status, or
 *   E_AGAIN while it runs. E_BADENV: not the caller's child.
 * EXIT a1 = status: recorded for WAIT; the caller then exits. */
#define NEST_PROC_CREATE NEST_OP(NEST_PROCESS, 1)
#define NEST_PROC_EXEC   NEST_OP(NEST_PROCESS, 2)
#define NEST_PROC_WAIT   NEST_OP(NEST_PROCESS, 3)
#define NEST_PROC_EXIT   NEST_OP(NEST_PROCESS, 4)

/* Memory, for msg.subject (the caller or one of its descendants):
 * GROW a1 = va, a2 = pages: zeroed writable pages at [va, va + pages)
 *   within [NEST_HEAP_BASE, NEST_HEAP_TOP), from the parent's pool and
 *   counted against the caller's quota. Result 0. E_NOMEM: over quota.
 *   E_INVAL: outside the heap. E_PERM: subject not in the caller's
 *   subtree.
 * FAULT a1 = va: the subject touched heap page va, which it does not
 *   have: a zeroed writable page there (demand paging; child.c asks from
 *   its fault upcall), from the pool of the nearest memory manager above
 *   (bin/nest.c's mm) or the root's, counted against the quota. Result
 *   0 (also if the page is there by now). Errors as GROW's.
 * CREATE_SEGMENT a1 = key, a2 = pages, a3 = partner: a segment of
 *   zeroed pages from the pool (segment.h), counted against the
 *   caller's quota while the subject or the partner lives, known by
 *   `key` (non-zero, unique among live segments), given to the subject
 *   and to `partner` (0: nobody else; else an environment with the
 *   subject's parent, a sibling). Result 0. E_INVAL: key 0, pages 0 or
 *   over NEST_SEG_PAGES, a partner that is not a sibling. E_STATE: the
 *   key is taken (not E_BUSY: nest_call takes that for a busy
 *   server). E_NOMEM: over quota. E_AGAIN: no free segment. E_PERM as
 *   GROW's.
 * MAP a1 = key, a2 = va, a3 = NEST_PROT_*: the segment's frames (the
 *   same for both holders) at [va, va + its pages), inside
 *   [NEST_MAP_BASE, NEST_MAP_TOP), readable, writable with
 *   NEST_PROT_WRITE. Result 0. E_INVAL: no live segment has the key, a
 *   bad va or protection. E_PERM: the segment was not given to the
 *   subject, or GROW's. */
#define NEST_MEM_CREATE_SEGMENT NEST_OP(NEST_MEMORY, 1)
#define NEST_MEM_GROW           NEST_OP(NEST_MEMORY, 2)
#define NEST_MEM_MAP            NEST_OP(NEST_MEMORY, 3)
#define NEST_MEM_FAULT          NEST_OP(NEST_MEMORY, 4)

/* FileSystem, for msg.subject (the caller or one of its descendants),
 * served by the nearest nester above that serves files (fsnest.h) from
 * its folder: msg.path is read inside that folder ("/" is the folder;
 * ".." never leaves it). File-system errors arrive as NEST_FS_ERR of the
 * C-FFS (Linux errno) value; protocol errors as Xok errors (E_INVAL: a
 * bad handle, flag, length or path; E_PERM: subject not in the caller's
 * subtree; E_AGAIN: no free handle; E_NOSYS: nobody serves files).
 * OPEN a1 = NEST_O_* flags: a handle (>= 0) for the subject, its offset
 *   0 (end with NEST_O_APPEND). CREATE makes a missing regular file,
 *   TRUNC empties it (with WRITE). A directory cannot be opened.
 * CLOSE a1 = handle.
 * MKDIR a1 = permission bits.
 * STAT: struct nest_stat in msg.data (msg.len set).
 * SYNC: everything written so far reaches the disk. */
#define NEST_FS_OPEN  NEST_OP(NEST_FS, 1)
#define NEST_FS_CLOSE NEST_OP(NEST_FS, 2)
#define NEST_FS_MKDIR NEST_OP(NEST_FS, 3)
#define NEST_FS_STAT  NEST_OP(NEST_FS, 4)
#define NEST_FS_SYNC  NEST_OP(NEST_FS, 5)

#define NEST_O_READ   0x1
#define NEST_O_WRITE  0x2
#define NEST_O_CREATE 0x4
#define NEST_O_TRUNC  0x8
#define NEST_O_APPEND 0x10
#define NEST_O_ALL    0x1f

#define NEST_FS_ERR(cffs_err) ((int64_t)(cffs_err) - 1000)

struct nest_stat {
	uint64_t size;
	uint32_t mode; /* type and permission bits, as C-FFS keeps them */
	uint32_t nlink;
	int64_t mtime_ns;
};

/* FileDescription, on a handle OPEN gave the subject:
 * READ a1 = handle, a2 = bytes (at most sizeof msg.data): into msg.data
 *   from the handle's offset, which advances; result and msg.len: bytes
 *   read (0 at the end).
 * WRITE a1 = handle, a2 = bytes of msg.data: written at the offset (the
 *   end, for APPEND), which advances; result: bytes written.
 * SEEK a1 = handle, a2 = offset, a3 = NEST_SEEK_*: the new offset.
 * MAP a1 = handle (opened with READ), a2 = va, a3 = pages: a private,
 *   read-only copy of the file's pages from the handle's offset (a
 *   multiple of the page size; the offset does not move) at [va, va +
 *   pages) inside [NEST_MAP_BASE, NEST_MAP_TOP), past its end zeroed,
 *   counted against the caller's quota. Result: the file's bytes mapped.
 *   E_INVAL: a bad handle, offset, va or pages (1..NEST_SEG_PAGES).
 *   E_PERM: not opened for reading. E_NOMEM: over quota. */
#define NEST_FD_READ  NEST_OP(NEST_FD, 1)
#define NEST_FD_WRITE NEST_OP(NEST_FD, 2)
#define NEST_FD_SEEK  NEST_OP(NEST_FD, 3)
#define NEST_FD_MAP   NEST_OP(NEST_FD, 4)

#define NEST_SEEK_SET 0
#define NEST_SEEK_CUR 1
#define NEST_SEEK_END 2

/* Where a nested program's heap may be (Memory GROW). */
#define NEST_HEAP_BASE 0x0000200000000000ull
#define NEST_HEAP_TOP  0x0000200040000000ull

/* Where segments and files may be mapped (Memory MAP, FileDescription
 * MAP), and how. */
#define NEST_MAP_BASE 0x0000210000000000ull
#define NEST_MAP_TOP  0x0000210040000000ull
#define NEST_PROT_READ  0x1
#define NEST_PROT_WRITE 0x2

#define NEST_PATH_MAX 240

/* The message page. The header and path always travel with a forwarded
 * call; data only as far as an op says. */
struct nest_msg {
	uint64_t subject; /* whom a Memory op is for (the caller sets it) */
	uint64_t len;     /* bytes of data in use */
	char path[NEST_PATH_MAX];
	uint8_t data[XOK_PAGE_SIZE - 256];
};
#define NEST_MSG_HEADER 256 /* subject, len and path */

_Static_assert(sizeof(struct nest_msg) == XOK_PAGE_SIZE, "one page");

/* "PROCESS.CREATE" and so on, for logs ("?" if unknown). */
const char *nest_op_name(uint64_t op);

/* This program's message page (page-aligned, in its image). */
extern struct nest_msg nest_msg;

#endif
