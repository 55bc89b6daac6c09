/*
 * syscall_table: the dispatch table generated from xok/syscalls.tab.
 */
#ifndef KERN_SYSCALL_TABLE_H
#define KERN_SYSCALL_TABLE_H

#include <stdint.h>

struct syscall_entry {
	const char *name;
	int64_t (*fn)(const uint64_t *args); /* 0 for a retired index */
};

/* Numbers from XOK_SYSCALL_BASE up to this far above it are Xok's (the
 * table's limit, mkimage/syscalltab.h); any other is a foreign call. */
#define XOK_SYSCALL_SPAN 512

extern const struct syscall_entry syscall_table[];
extern const unsigned syscall_table_size;

#endif
