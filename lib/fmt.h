/*
 * fmt: printf-style formatting with no libc underneath.
 * Freestanding; built into the kernel, native user programs and host tests.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives formatted output one character at a time. */
typedef void (*fmt_putc_fn)(int c, void *arg);

/*
 * Formats `fmt` to `putc`. Supports %d %i %u %x %X %o %p %s %c %%, the flags
 * '-' and '0', a width and a precision (both may be '*'), and the length
 * modifiers hh h l ll z. An unknown conversion is printed literally.
 * Returns the number of characters produced.
 */
int fmt_vformat(fmt_putc_fn putc, void *arg, const char *fmt, va_list ap);

/* Like C's vsnprintf: always NUL-terminates when size > 0, returns the
 * length the whole output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
