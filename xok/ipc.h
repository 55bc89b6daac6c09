/*
 * ipc: protected control transfer (ipc.c); the calls themselves are in
 * xok/syscalls.tab.
 */
#ifndef XOK_IPC_H
#define XOK_IPC_H

/* A slice of `owner`, which made a brief call (brief_call), starts: if
 * that is the second since the call and it still waits for the reply,
 * the call is cut (the caller resumes with E_TIMEOUT and runs in this
 * slice; see ipc_call_brief). */
void ipc_slice_starts(struct env *owner);

#endif
