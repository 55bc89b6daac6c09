/*
 * call: protected control transfer to a server that has no CPU time of
 * its own and lives on its callers' (a Fluke-style server: its work is
 * charged to whoever asked for it).
 */
#ifndef NEST_CALL_H
#define NEST_CALL_H

#include <stdint.h>

/* Calls `server` with a0..a3 (xok_ipc_call) and returns its first reply
 * word, or a Xok error other than E_BUSY (a reply word may look like one,
 * as with xok_ipc_call). A server busy with another caller is lent this
 * caller's time to finish (priority inheritance through the server).
 * The server should reply with xok_ipc_return: it may never get time of
 * its own to leave its handler. */
int64_t nest_call(uint64_t server, uint64_t a0, uint64_t a1, uint64_t a2,
		  uint64_t a3);

#endif
