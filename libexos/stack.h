/*
 * stack: the initial stack of a new program, laid out exactly as Linux
 * lays it out on x86-64 — argc, the argv and envp pointer arrays, the
 * auxiliary vector, then the strings and AT_RANDOM's 16 bytes above.
 * Pure logic on a buffer, so host tests check it byte by byte.
 */
#ifndef LIBEXOS_STACK_H
#define LIBEXOS_STACK_H

#include <stddef.h>
#include <stdint.h>

/* Strings packed one after another, each NUL-terminated. */
struct strvec {
	const char *bytes;
	size_t size;  /* bytes used */
	unsigned n;   /* strings */
};

struct auxv {
	uint64_t type, value;
};

/*
 * Builds the stack in `buf`, whose last byte is at address top - 1 in the
 * new program. `aux` (n_aux entries, without AT_NULL; AT_RANDOM and
 * AT_EXECFN are added here, pointing at the 16 `random` bytes and at
 * `execfn`) is copied as given. Returns the initial %rsp (16-byte
 * aligned, pointing at argc), or 0 if it does not fit in `size` bytes.
 */
uint64_t stack_build(uint8_t *buf, size_t size, uint64_t top,
		     const struct strvec *argv, const struct strvec *envp,
		     const struct auxv *aux, unsigned n_aux,
		     const uint8_t random[16], const char *execfn);

#endif
