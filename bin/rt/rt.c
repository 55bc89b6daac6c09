/*
 * rt: printf through the Xok console call, and the self-test driver.
 */
#include "rt.h"

#include <stdarg.h>

#include "../../lib/fmt.h"
#include "../../lib/selftest.h"

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xok_cputs(buf, strlen(buf));
	return n;
}

void rt_exit(int64_t status)
{
	xok_exit(status);
	for (;;)
		; /* exit never returns; this keeps the compiler sure of it */
}

extern const struct selftest __start_selftests[] __attribute__((weak));
extern const struct selftest __stop_selftests[] __attribute__((weak));

int rt_run_selftests(const char *select)
{
	static const struct selftest_env env = { .print = printf };

	return selftest_run(__start_selftests, __stop_selftests,
			    *select ? select : "all", &env) != 0;
}
