/*
 * programs: the user programs built from bin/ and embedded in the kernel
 * image (the build generates the table), so the kernel can start its first
 * environments before any disk or libOS exists.
 */
#ifndef KERN_PROGRAMS_H
#define KERN_PROGRAMS_H

#include <stdint.h>

struct embedded_prog {
	const char *name;
	const uint8_t *start, *end;
};

/* The embedded program called `name`, or 0. */
const struct embedded_prog *program_find(const char *name, uint64_t len);

#endif
