/*
 * mkimage/syscalltab: the system call table parser and generators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mkimage/syscalltab.h"
#include "unit.h"

static struct systab tab;
static char err[256];

static int parse(const char *text)
{
	err[0] = '\0';
	return systab_parse(text, &tab, err, sizeof(err));
}

/* Runs a writer into a string (freed by the caller). */
static char *render(void (*write)(const struct systab *, FILE *))
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	write(&tab, f);
	fclose(f);
	return out;
}

static void parses_the_real_table(void)
{
	FILE *f = fopen("xok/syscalls.tab", "r");
	char text[16384];
	size_t n;

	CU_ASSERT_FATAL(f != NULL);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	CU_ASSERT_EQUAL_FATAL(parse(text), 0);
	CU_ASSERT(tab.base >= SYSTAB_LINUX_LIMIT);
	CU_ASSERT(tab.ncalls >= 5);
	CU_ASSERT_STRING_EQUAL(tab.calls[0].name, "cputs");
	CU_ASSERT_EQUAL(tab.calls[0].nargs, 2);
	CU_ASSERT_STRING_EQUAL(tab.calls[0].args[0].type, "const char *");
	CU_ASSERT_STRING_EQUAL(tab.calls[0].args[0].name, "buf");
	CU_ASSERT(strstr(tab.calls[0].doc, "E_FAULT") != NULL);
}

static void entries_sorted_with_docs(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("@base 0x10000\n"
				    "# second call\n"
				    "# more doc\n"
				    "2 two int a, uint64_t b\n"
				    "\n"
				    "# orphan comment\n"
				    "\n"
				    "0 zero void\n"), 0);
	CU_ASSERT_EQUAL(tab.ncalls, 2);
	CU_ASSERT_EQUAL(tab.nslots, 3);
	CU_ASSERT_STRING_EQUAL(tab.calls[0].name, "zero");
	CU_ASSERT_STRING_EQUAL(tab.calls[0].doc, ""); /* blank line cut it */
	CU_ASSERT_STRING_EQUAL(tab.calls[1].doc, "second call\nmore doc\n");
	CU_ASSERT_STRING_EQUAL(tab.calls[1].args[1].type, "uint64_t");
}

static void refuses_malformed_tables(void)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "0 a void\n", "no @base" },
		{ "@base 0x10000\n0 a void\n0 b void\n", "index 0 is used twice" },
		{ "@base 0x10000\n0 a void\n1 a void\n", "name 'a' is used twice" },
		{ "@base 0x10000\n0 9bad void\n", "not a valid call name" },
		{ "@base 0x10000\n0 a\n", "no argument list" },
		{ "@base 0x10000\n0 a int\n", "needs a type and a name" },
		{ "@base 0x10000\n0 a int a,int b,int c,int d,int e,int f,int g\n",
		  "more than 6 arguments" },
		{ "@base 0x10000\nx a void\n", "starts with its index" },
		{ "@base 0x10000\n9999 a void\n", "is above" },
		{ "@base 39\n0 a void\n", "collide with Linux" },
		{ "@base 0x40000000\n0 a void\n", "collide with Linux" },
		{ "@base\n0 a void\n", "needs a number" },
		{ "@base 0x10000\n@include xok/env.h\n", "needs a <header>" },
		{ "@base 0x10000\n@include <a<b>\n", "needs a <header>" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(parse(bad[i].text), -1);
		if (!strstr(err, bad[i].why))
			fprintf(stderr, "\n  '%s' gave '%s'\n", bad[i].text, err);
		CU_ASSERT(strstr(err, bad[i].why) != NULL);
	}
}

static void error_names_the_line(void)
{
	CU_ASSERT_EQUAL(parse("@base 0x10000\n\n# doc\n3 a void\n3 b void\n"), -1);
	CU_ASSERT(strncmp(err, "line 5:", 7) == 0);
}

static void retired_index_keeps_its_number(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("@base 0x10000\n0 a void\n1 retired\n"
				    "2 c void\n"), 0);
	CU_ASSERT_EQUAL(parse("@base 0x10000\n1 retired\n1 b void\n"), -1);
	CU_ASSERT_EQUAL_FATAL(parse("@base 0x10000\n0 a void\n1 retired\n"
				    "2 c void\n"), 0);
	char *nums = render(systab_write_numbers);
	CU_ASSERT(strstr(nums, "XOK_SYS_c (XOK_SYSCALL_BASE + 2)") != NULL);
	CU_ASSERT(strstr(nums, "XOK_NSYSCALLS 3") != NULL);
	free(nums);
	char *table = render(systab_write_kernel_table);
	CU_ASSERT(strstr(table, "[2] = { \"c\", thunk_c }") != NULL);
	CU_ASSERT(strstr(table, "[1]") == NULL);
	free(table);
}

static void generated_code_is_typed(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("@base 0x10000\n@include <xok/env.h>\n"
				    "# Writes.\n"
				    "0 put const char *buf, uint64_t len\n"), 0);
	char *stubs = render(systab_write_stubs);
	CU_ASSERT(strstr(stubs, " * Writes.\n") != NULL);
	CU_ASSERT(strstr(stubs, "#include <xok/env.h>\n") != NULL);
	CU_ASSERT(strstr(stubs, "static inline int64_t xok_put(const char *buf, "
				"uint64_t len)") != NULL);
	CU_ASSERT(strstr(stubs, "xok_syscall2(XOK_SYS_put, (uint64_t)(buf), "
				"(uint64_t)(len))") != NULL);
	free(stubs);
	char *decls = render(systab_write_kernel_decls);
	CU_ASSERT(strstr(decls, "int64_t sys_put(const char *buf, uint64_t len);")
		  != NULL);
	free(decls);
	char *table = render(systab_write_kernel_table);
	CU_ASSERT(strstr(table, "sys_put((const char *)a[0], (uint64_t)a[1])")
		  != NULL);
	free(table);
	char *nums = render(systab_write_numbers);
	CU_ASSERT(strstr(nums, "#define XOK_SYSCALL_BASE 0x10000u") != NULL);
	free(nums);
}

void add_syscalltab_tests(void)
{
	static const struct unit_test tests[] = {
		{ "parses_the_real_table", parses_the_real_table },
		{ "entries_sorted_with_docs", entries_sorted_with_docs },
		{ "refuses_malformed_tables", refuses_malformed_tables },
		{ "error_names_the_line", error_names_the_line },
		{ "retired_index_keeps_its_number", retired_index_keeps_its_number },
		{ "generated_code_is_typed", generated_code_is_typed },
		{ 0, 0 },
	};
	add_suite("syscalltab", tests);
}
