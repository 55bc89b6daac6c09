/*
 * syscalltab: parses xok/syscalls.tab and writes what the build generates
 * from it. Pure host logic, unit-tested in tests/unit/test_syscalltab.c.
 */
#ifndef MKIMAGE_SYSCALLTAB_H
#define MKIMAGE_SYSCALLTAB_H

#include <stdint.h>
#include <stdio.h>

#define SYSTAB_MAX_CALLS 512
#define SYSTAB_MAX_ARGS 6
#define SYSTAB_NAME_MAX 32
#define SYSTAB_TYPE_MAX 64
#define SYSTAB_DOC_MAX 2048
/* Linux x86-64 numbers stay far below this; the base must be above it. */
#define SYSTAB_LINUX_LIMIT 1024u
/* The x32 ABI marks its calls with this bit; the base range must avoid it. */
#define SYSTAB_X32_BIT 0x40000000u

struct systab_arg {
	char type[SYSTAB_TYPE_MAX]; /* C type, e.g. "const char *" */
	char name[SYSTAB_NAME_MAX];
};

struct systab_call {
	unsigned index;
	int retired;
	char name[SYSTAB_NAME_MAX];
	unsigned nargs;
	struct systab_arg args[SYSTAB_MAX_ARGS];
	char doc[SYSTAB_DOC_MAX]; /* comment block above the entry, '#' removed */
};

#define SYSTAB_MAX_INCLUDES 16

struct systab {
	uint32_t base;
	/* Headers the generated code includes ("<xok/env.h>"), for the
	 * types the calls take. */
	unsigned nincludes;
	char includes[SYSTAB_MAX_INCLUDES][SYSTAB_TYPE_MAX];
	unsigned ncalls; /* entries, sorted by index */
	struct systab_call calls[SYSTAB_MAX_CALLS];
	unsigned nslots; /* highest index + 1 */
};

/*
 * Parses the table text: "@base N", "@include <header>", comment blocks
 * and entries. Returns 0, or -1 with a message "line N: why" in `err`
 * (duplicate index or name, bad identifier, too many arguments, missing or
 * out-of-range base, malformed include, ...).
 */
int systab_parse(const char *text, struct systab *tab, char *err,
		 size_t errlen);

/* <xok/sysnum.h>: XOK_SYSCALL_BASE, XOK_SYS_<name>, XOK_NSYSCALLS. */
void systab_write_numbers(const struct systab *tab, FILE *out);
/* <xok/syscall.h>: documented static inline stubs xok_<name>(...). */
void systab_write_stubs(const struct systab *tab, FILE *out);
/* Kernel: prototypes of the sys_<name> handlers. */
void systab_write_kernel_decls(const struct systab *tab, FILE *out);
/* Kernel: the dispatch table of thunks and the table of call names. */
void systab_write_kernel_table(const struct systab *tab, FILE *out);

#endif
