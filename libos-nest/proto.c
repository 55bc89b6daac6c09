/*
 * proto: the names of the Common Protocols' operations, for logs.
 */
#include "proto.h"

#include <stddef.h>

static const char *const names[][6] = {
	[NEST_PARENT] = { 0, "PARENT.GET_PROCESS", "PARENT.GET_MEMORY",
			  "PARENT.GET_FS" },
	[NEST_PROCESS] = { 0, "PROCESS.CREATE", "PROCESS.EXEC", "PROCESS.WAIT",
			   "PROCESS.EXIT" },
	[NEST_MEMORY] = { 0, "MEMORY.CREATE_SEGMENT", "MEMORY.GROW",
			  "MEMORY.MAP", "MEMORY.FAULT" },
	[NEST_FS] = { 0, "FS.OPEN", "FS.CLOSE", "FS.MKDIR", "FS.STAT",
		      "FS.SYNC" },
	[NEST_FD] = { 0, "FD.READ", "FD.WRITE", "FD.SEEK", "FD.MAP" },
};

const char *nest_op_name(uint64_t op)
{
	uint64_t proto = NEST_PROTO_OF(op), n = op & 0xff;
	const char *name = 0;

	if (proto < sizeof(names) / sizeof(names[0]) &&
	    n < sizeof(names[0]) / sizeof(names[0][0]))
		name = names[proto][n];
	return name ? name : "?";
}
