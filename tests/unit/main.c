/*
 * run-unit: runs every CUnit suite and ends with "unit: N passed, N failed".
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

void add_suite(const char *name, const struct unit_test *tests)
{
	CU_pSuite suite = CU_add_suite(name, NULL, NULL);

	if (!suite) {
		fprintf(stderr, "cannot add suite %s\n", name);
		exit(2);
	}
	for (; tests->name; tests++)
		CU_add_test(suite, tests->name, tests->fn);
}

int main(void)
{
	unsigned run, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	add_fmt_tests();
	add_string_tests();
	add_page_tests();
	add_syscalltab_tests();
	add_elf_tests();
	add_cmdline_tests();
	add_selftest_tests();
	add_cap_tests();
	add_wk_tests();
	add_benchtab_tests();
	add_udf_tests();
	add_xn_tests();
	add_xnimage_tests();
	add_xnreg_tests();
	add_xnpair_tests();
	add_xnmemo_tests();
	add_cffs_template_tests();
	add_cffs_tests();
	add_cffs_truncate_tests();
	add_cffs_reclaim_tests();
	add_cffs_random_tests();
	add_cffs_dindex_tests();
	add_cffs_rename_tests();
	add_exos_start_tests();
	add_cffsimage_tests();
	add_nest_sched_tests();
	add_nest_fs_tests();
	add_nest_seg_tests();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	printf("\nunit: %u passed, %u failed\n", run - failed, failed);
	return failed ? 1 : 0;
}
