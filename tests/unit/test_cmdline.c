/*
 * xok/cmdline: key=value lookup on the kernel command line.
 */
#include "../../xok/cmdline.h"
#include "unit.h"

static void finds_values(void)
{
	char v[32];

	CU_ASSERT_EQUAL(cmdline_get("init=hello ktest=all", "init", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "hello");
	CU_ASSERT_EQUAL(cmdline_get("init=hello ktest=all", "ktest", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "all");
	CU_ASSERT_EQUAL(cmdline_get("  init=a,b:c  ", "init", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "a,b:c");
	CU_ASSERT_EQUAL(cmdline_get("init=", "init", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "");
}

static void quoted_values_keep_spaces(void)
{
	char v[32];

	CU_ASSERT_EQUAL(cmdline_get("a=1 init=\"init:cat /x /y\" b=2", "init",
				    v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "init:cat /x /y");
	CU_ASSERT_EQUAL(cmdline_get("a=1 init=\"init:cat /x /y\" b=2", "b",
				    v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "2");
	CU_ASSERT_EQUAL(cmdline_get("k=\"unterminated x=1", "x", v, sizeof(v)), 0);
	CU_ASSERT_EQUAL(cmdline_get("k=\"\"", "k", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "");
}

static void last_word_wins(void)
{
	char v[32];

	CU_ASSERT_EQUAL(cmdline_get("init=a init=b", "init", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "b");
}

static void absent_and_prefix_keys(void)
{
	char v[32] = "untouched";

	CU_ASSERT_EQUAL(cmdline_get("", "init", v, sizeof(v)), 0);
	CU_ASSERT_EQUAL(cmdline_get("initrd=x xinit=y init", "init", v, sizeof(v)), 0);
	CU_ASSERT_EQUAL(cmdline_get("in=x", "init", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "untouched");
}

static void too_long_is_refused(void)
{
	char v[4];

	CU_ASSERT_EQUAL(cmdline_get("init=abcd", "init", v, sizeof(v)), -1);
	CU_ASSERT_EQUAL(cmdline_get("init=abc", "init", v, sizeof(v)), 1);
	CU_ASSERT_STRING_EQUAL(v, "abc");
}

void add_cmdline_tests(void)
{
	static const struct unit_test tests[] = {
		{ "finds_values", finds_values },
		{ "last_word_wins", last_word_wins },
		{ "quoted_values_keep_spaces", quoted_values_keep_spaces },
		{ "absent_and_prefix_keys", absent_and_prefix_keys },
		{ "too_long_is_refused", too_long_is_refused },
		{ 0, 0 },
	};
	add_suite("cmdline", tests);
}
