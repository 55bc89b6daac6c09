/*
 * uprintf: see uprintf.c (user space only: it makes a Xok call).
 */
#ifndef LIB_UPRINTF_H
#define LIB_UPRINTF_H

#include <stdarg.h>

/* Formats into a 512-byte buffer (longer output is cut) and writes it to
 * the console; returns what fmt_vsnprintf returns. */
int xok_vprintf(const char *fmt, va_list ap);

#endif
