/*
 * ipc: protected control transfer (ipc.c); the calls themselves are in
 * xok/syscalls.tab.
 */
#ifndef XOK_IPC_H
#define XOK_IPC_H

/* A slice of `owner` starts: if that is the second since it made a
 * brief call still waiting for its reply, the call is cut (the caller
 * resumes with E_TIMEOUT and runs in this slice; see ipc_call_brief). */
void ipc_slice_starts(struct env *owner);

#endif
