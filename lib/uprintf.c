/*
 * uprintf: formatted output to Xok's console from user space, for the
 * runtimes of native programs (bin/rt) and libOSes (libexos) alike.
 */
#include "uprintf.h"

#include <xok/syscall.h>

#include "fmt.h"
#include "string.h"

int xok_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	xok_cputs(buf, strlen(buf));
	return n;
}
