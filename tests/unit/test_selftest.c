/*
 * lib/selftest: the in-guest test runner, run here over tests registered
 * in this host binary's own "selftests" section.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/selftest.h"
#include "unit.h"

static char out[4096];
static long resources;

static int capture(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(out);
	int r;

	va_start(ap, fmt);
	r = vsnprintf(out + n, sizeof(out) - n, fmt, ap);
	va_end(ap);
	return r;
}

static long count_resources(void)
{
	return resources;
}

SELFTEST(host_passes)
{
	CHECK(1 + 1 == 2);
	return 0;
}

SELFTEST(host_fails_check)
{
	CHECK_EQ(2 + 2, 5);
	return 0;
}

SELFTEST(host_leaks)
{
	resources--;
	return 0;
}

extern const struct selftest __start_selftests[], __stop_selftests[];

static int run(const char *select, int leak_check)
{
	struct selftest_env env = { .print = capture };

	if (leak_check) {
		env.resource_count = count_resources;
		env.resource_name = "widgets";
	}
	out[0] = '\0';
	return selftest_run(__start_selftests, __stop_selftests, select, &env);
}

static void runs_selected_tests_only(void)
{
	CU_ASSERT_EQUAL(run("host_passes", 0), 0);
	CU_ASSERT_STRING_EQUAL(out, "test host_passes: ok\n");
}

static void reports_failure_with_values(void)
{
	CU_ASSERT_EQUAL(run("host_fails_check,host_passes", 0), 1);
	CU_ASSERT(strstr(out, "test host_passes: ok\n") != NULL);
	CU_ASSERT(strstr(out, "test host_fails_check: FAILED (") != NULL);
	CU_ASSERT(strstr(out, "2 + 2 == 5: 4 != 5)") != NULL);
}

static void detects_leaks(void)
{
	CU_ASSERT_EQUAL(run("host_leaks", 0), 0);
	CU_ASSERT_EQUAL(run("host_leaks", 1), 1);
	CU_ASSERT(strstr(out, "test host_leaks: FAILED (leaked 1 widgets)") != NULL);
}

static void all_runs_everything(void)
{
	CU_ASSERT_EQUAL(run("all", 0), 1); /* host_fails_check fails */
	CU_ASSERT(strstr(out, "host_passes: ok") && strstr(out, "host_leaks: ok"));
}

static void unknown_name_is_an_error(void)
{
	CU_ASSERT_EQUAL(run("host_passes,no_such_test", 0), -1);
	CU_ASSERT(strstr(out, "unknown test") != NULL);
	CU_ASSERT_EQUAL(run("host_pass", 0), -1); /* a prefix is not a name */
}

void add_selftest_tests(void)
{
	static const struct unit_test tests[] = {
		{ "runs_selected_tests_only", runs_selected_tests_only },
		{ "reports_failure_with_values", reports_failure_with_values },
		{ "detects_leaks", detects_leaks },
		{ "all_runs_everything", all_runs_everything },
		{ "unknown_name_is_an_error", unknown_name_is_an_error },
		{ 0, 0 },
	};
	add_suite("selftest", tests);
}
