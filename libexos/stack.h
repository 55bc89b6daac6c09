/*
 * stack: the initial stack of a new program, laid out exactly as Linux
 * lays it out on x86-64 — argc, the argv and envp pointer arrays, the
 * auxiliary vector, then AT_RANDOM's 16 bytes, the platform's name and
 * the strings above. Linux's entries, in its order, but AT_SYSINFO_EHDR:
 * there is no vDSO (a program reads the clock page or makes the call).
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
 * new program. `aux` (n_aux entries: Linux's up to AT_SECURE) is copied
 * as given; then come AT_RANDOM (the 16 `random` bytes), AT_HWCAP2,
 * AT_EXECFN (`execfn`), AT_PLATFORM ("x86_64") and AT_NULL. Returns the
 * initial %rsp (16-byte aligned, pointing at argc), or 0 if it does not
 * fit in `size` bytes.
 */
uint64_t stack_build(uint8_t *buf, size_t size, uint64_t top,
		     const struct strvec *argv, const struct strvec *envp,
		     const struct auxv *aux, unsigned n_aux,
		     const uint8_t random[16], const char *execfn);

#endif
