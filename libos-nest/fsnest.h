/*
 * fsnest: a nester's file service — the FileSystem and FileDescription
 * calls of its subtree served from a folder of the C-FFS on XN's disk
 * (fs.h), and its own (its main environment's) from the whole C-FFS. The
 * server mounts C-FFS at the first call (root "files", as cffs-mkfs and
 * ExOS make it); only a capability that opens XN's disk does (the root
 * environment's). A nester serves files by passing nest_fsnest_serve to
 * nester_start; it sees every other call as nester_default does.
 *
 * For the checkpointer, the main environment asks its server for a
 * child's open handles (they go with its checkpoint) and gives a child
 * made again from a checkpoint its handles back.
 */
#ifndef NEST_FSNEST_H
#define NEST_FSNEST_H

#include <stdint.h>

#include "fs.h"
#include "nester.h"

/* Where the server keeps its C-FFS instance, and XN's mapping window. */
#define NEST_FS_STATE_VA  0x0000310000000000ull
#define NEST_FS_WINDOW_VA 0x0000320000000000ull

/* Main-only calls to the nester's own server (as NEST_RESTORE). */
#define NEST_FILES_SAVE  NEST_OP(0, 2) /* a1 = child: its records in data */
#define NEST_FILES_ADOPT NEST_OP(0, 3) /* a1 = child, a2 = records in data */

/* Makes this environment a nester (nester_start) whose subtree sees
 * `folder` (absolute) and whose main environment's own file calls
 * (file.h) go to its server; E_INVAL if the folder is not absolute or
 * too long, or nester_start's error. */
int nest_fsnest_start(const char *folder, uint32_t quota);

int64_t nest_fsnest_serve(struct nester *n, struct nest_req *rq);

/* File calls the server has taken from the subtree (the main
 * environment's own not counted): how far the children got, whatever the
 * time they were given (the checkpointer saves after so many). */
extern volatile uint64_t nest_fsnest_calls;

/* From the main environment: environment `id`'s open handles into `out`
 * (at most `max`): how many, or an error; and handing records back to
 * `id`, a child or in a child's subtree (nest_fs_adopt's results; E_INVAL
 * for another). */
int64_t nest_fsnest_save(uint64_t id, struct nest_fs_rec *out, unsigned max);
int64_t nest_fsnest_adopt(uint64_t id, const struct nest_fs_rec *in,
			  unsigned n);

#endif
