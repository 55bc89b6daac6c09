/*
 * syscall_table: the dispatch table generated from xok/syscalls.tab.
 */
#ifndef XOK_SYSCALL_TABLE_H
#define XOK_SYSCALL_TABLE_H

#include <stdint.h>

struct syscall_entry {
	const char *name;
	int64_t (*fn)(const uint64_t *args); /* 0 for a retired index */
};

extern const struct syscall_entry syscall_table[];
extern const unsigned syscall_table_size;

#endif
