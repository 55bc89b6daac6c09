/*
 * nestmem: the nested programs of bin/nest.c's image that use Memory
 * segments, file maps and Process EXEC (bin/nestmem.c), and what they
 * take from bin/nest.c.
 */
#ifndef BIN_NESTMEM_H
#define BIN_NESTMEM_H

#include <stdint.h>

/* nest.c: a decimal number at the start of `s`. */
uint64_t parse_u64(const char *s);

/* Programs (child.h's nest_prog mains). */
int segtest(const char *arg);
int segpeer(const char *arg);
int segpeek(const char *arg);
int fmaptest(const char *arg);
int exectest(const char *arg);
int execer(const char *arg);
int execed(const char *arg);
int execnester(const char *arg);

#endif
