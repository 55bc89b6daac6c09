/*
 * lib/fmt: the formatter the kernel and user programs print with.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "../../lib/fmt.h"
#include "unit.h"

static char buf[128];

/* Formats without the compiler's printf checks, for deliberately bad
 * formats and a null %s argument. */
static int unchecked(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return n;
}

#define FMT_IS(expect, ...)                                                  \
	do {                                                                 \
		int n_ = fmt_snprintf(buf, sizeof(buf), __VA_ARGS__);        \
		CU_ASSERT_STRING_EQUAL(buf, expect);                         \
		CU_ASSERT_EQUAL(n_, (int)strlen(expect));                    \
	} while (0)

static void integers(void)
{
	FMT_IS("0 -1 42", "%d %i %u", 0, -1, 42u);
	FMT_IS("-2147483648", "%d", INT_MIN);
	FMT_IS("-9223372036854775808", "%lld", LLONG_MIN);
	FMT_IS("18446744073709551615", "%lu", ULONG_MAX);
	FMT_IS("4294967295", "%u", UINT_MAX);
	FMT_IS("-1 255", "%hhd %hhu", 255, 255);
	FMT_IS("123", "%zu", (size_t)123);
}

static void hex_octal_pointer(void)
{
	FMT_IS("ff FF 17", "%x %X %o", 255, 255, 15);
	FMT_IS("0xff 0XFF 017 0", "%#x %#X %#o %#x", 255, 255, 15, 0);
	FMT_IS("ffffffffffffffff", "%lx", ~0ul);
	FMT_IS("0x1000", "%p", (void *)0x1000);
	FMT_IS("0x0", "%p", (void *)0);
}

static void widths_and_flags(void)
{
	FMT_IS("   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
	FMT_IS("-0042", "%05d", -42);
	FMT_IS("0x00ff", "%#06x", 255);
	FMT_IS("  ab|ab  ", "%4s|%-4s", "ab", "ab");
	FMT_IS("   7", "%*d", 4, 7);
	FMT_IS("7   |", "%*d|", -4, 7);
	FMT_IS("12345", "%3d", 12345); /* width is a minimum */
}

static void strings_and_chars(void)
{
	CU_ASSERT_EQUAL(unchecked("%s", (char *)NULL), 6);
	CU_ASSERT_STRING_EQUAL(buf, "(null)");
	FMT_IS("abc", "%.3s", "abcdef");
	FMT_IS("ab", "%.*s", 2, "abcdef");
	FMT_IS("x  y", "%-3cy", 'x');
	FMT_IS("100%", "%d%%", 100);
}

static void unknown_conversion_is_visible(void)
{
	CU_ASSERT_EQUAL(unchecked("a %q b"), 6);
	CU_ASSERT_STRING_EQUAL(buf, "a %q b");
	CU_ASSERT_EQUAL(unchecked("end %"), 5);
	CU_ASSERT_STRING_EQUAL(buf, "end %");
}

static void truncation(void)
{
	char small[6];

	CU_ASSERT_EQUAL(fmt_snprintf(small, sizeof(small), "%s", "abcdefgh"), 8);
	CU_ASSERT_STRING_EQUAL(small, "abcde");
	CU_ASSERT_EQUAL(fmt_snprintf(small, 1, "%d", 12345), 5);
	CU_ASSERT_STRING_EQUAL(small, "");
	small[0] = 'z';
	CU_ASSERT_EQUAL(fmt_snprintf(small, 0, "abc"), 3);
	CU_ASSERT_EQUAL(small[0], 'z'); /* size 0 writes nothing */
}

void add_fmt_tests(void)
{
	static const struct unit_test tests[] = {
		{ "integers", integers },
		{ "hex_octal_pointer", hex_octal_pointer },
		{ "widths_and_flags", widths_and_flags },
		{ "strings_and_chars", strings_and_chars },
		{ "unknown_conversion_is_visible", unknown_conversion_is_visible },
		{ "truncation", truncation },
		{ 0, 0 },
	};
	add_suite("fmt", tests);
}
