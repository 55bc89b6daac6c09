/*
 * The CUnit host tests: each test_*.c adds one suite through add_suite().
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

/* Registers a suite of tests ending with a { 0, 0 } entry. */
void add_suite(const char *name, const struct unit_test *tests);

void add_fmt_tests(void);
void add_string_tests(void);
void add_page_tests(void);
void add_syscalltab_tests(void);
void add_elf_tests(void);
void add_cmdline_tests(void);
void add_selftest_tests(void);
void add_cap_tests(void);
void add_wk_tests(void);
void add_benchtab_tests(void);
void add_udf_tests(void);
void add_xn_tests(void);
void add_xnimage_tests(void);
void add_xnreg_tests(void);
void add_xnpair_tests(void);
void add_xnmemo_tests(void);
void add_cffs_template_tests(void);
void add_cffs_tests(void);
void add_cffs_truncate_tests(void);
void add_cffs_reclaim_tests(void);
void add_cffs_random_tests(void);
void add_cffs_dindex_tests(void);
void add_cffs_rename_tests(void);
void add_exos_start_tests(void);
void add_cffsimage_tests(void);
void add_nest_sched_tests(void);
void add_nest_fs_tests(void);
void add_nest_seg_tests(void);

#endif
