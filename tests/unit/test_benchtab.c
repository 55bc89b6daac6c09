/*
 * tests/bench/benchtab: BENCH line parsing, the Xok/Linux table, its
 * ratios and its CSV and JSON forms, the nesting table.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/benchtab.h"
#include "unit.h"

/* Reads a log held in a string into one side of the table. */
static int read_string(struct bench_table *t, enum bench_side side,
		       const char *log)
{
	FILE *f = fmemopen((void *)log, strlen(log), "r");
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = bench_read_log(t, side, f);
	fclose(f);
	return n;
}

/* Runs one of the writers into a string the caller frees. */
static char *write_string(void (*writer)(const struct bench_table *, FILE *),
			  const struct bench_table *t)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	writer(t, f);
	fclose(f);
	return buf;
}

/* The table's row of that name, or NULL. */
static const struct bench_row *row(const struct bench_table *t,
				   const char *name)
{
	for (int i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

static void parses_valid_lines(void)
{
	struct bench_line l;

	CU_ASSERT_EQUAL(bench_parse_line("BENCH null_call cycles 344 340 370 15", &l), 1);
	CU_ASSERT_STRING_EQUAL(l.name, "null_call");
	CU_ASSERT_STRING_EQUAL(l.fig.unit, "cycles");
	CU_ASSERT_EQUAL(l.fig.median, 344);
	CU_ASSERT_EQUAL(l.fig.min, 340);
	CU_ASSERT_EQUAL(l.fig.max, 370);
	CU_ASSERT_EQUAL(l.fig.batches, 15);
	CU_ASSERT_EQUAL(l.fig.present, 1);
	/* The serial port's \r\n, and several blanks between fields. */
	CU_ASSERT_EQUAL(bench_parse_line("BENCH ipc_roundtrip  cycles\t7 7 7 1\r\n", &l), 1);
	CU_ASSERT_STRING_EQUAL(l.name, "ipc_roundtrip");
	CU_ASSERT_EQUAL(l.fig.median, 7);
	CU_ASSERT_EQUAL(bench_parse_line("BENCH ipc_roundtrip cycles 7 7 7 1   ", &l), 1);
	/* The whole range of 64 bits; min = median = max is a batch. */
	CU_ASSERT_EQUAL(bench_parse_line("BENCH x cycles 18446744073709551615 "
					 "0 18446744073709551615 1", &l), 1);
	CU_ASSERT_EQUAL(l.fig.median, UINT64_MAX);
	CU_ASSERT_EQUAL(bench_parse_line("BENCH boot_to_prompt ms 0 0 0 3", &l), 1);
	CU_ASSERT_STRING_EQUAL(l.fig.unit, "ms");
	CU_ASSERT_EQUAL(bench_parse_mode("BENCH-MODE icount\r\n"), 1);
	CU_ASSERT_EQUAL(bench_parse_mode("BENCH-MODE wall"), 0);
	CU_ASSERT_EQUAL(bench_parse_mode("BENCH-MODE icount x"), -1);
}

static void ignores_malformed_lines(void)
{
	static const char *const bad[] = {
		"",
		"BENCH",
		"BENCH null_call cycles 1 1 1",		/* too few fields */
		"BENCH null_call cycles 1 1 1 1 1",	/* too many */
		"BENCH null_call cycles -1 1 1 1",	/* negative */
		"BENCH null_call cycles 1 -1 1 1",
		"BENCH null_call cycles +1 1 1 1",
		"BENCH null_call cycles 1.5 1 2 1",	/* not integers */
		"BENCH null_call cycles 0x10 1 20 1",
		"BENCH null_call cycles 12a 1 200 1",
		"BENCH null_call cycles ten 1 20 1",
		"BENCH null_call cycles 18446744073709551616 1 18446744073709551616 1",
		"BENCH null_call cycles 5 6 7 1",	/* median below min */
		"BENCH null_call cycles 8 6 7 1",	/* above max */
		"BENCH null_call cycles 5 5 5 0",	/* no batch */
		"BENCH Null_call cycles 1 1 1 1",	/* name characters */
		"BENCH null-call cycles 1 1 1 1",
		"BENCH null_call CYCLES 1 1 1 1",	/* unit characters */
		"BENCH null_call 5 1 1 1 1",
		" BENCH null_call cycles 1 1 1 1",	/* not at the start */
		"[    1.2] BENCH null_call cycles 1 1 1 1",
		"BENCHnull_call cycles 1 1 1 1 1",
		"BENCH-MODE icount",
		"bench null_call cycles 1 1 1 1",
		"BENCH a_name_far_longer_than_thirty_two_bytes cycles 1 1 1 1",
		"\x01\xff garbage \x7f",
	};
	struct bench_line l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = bench_parse_line(bad[i], &l);

		CU_ASSERT_EQUAL(r, 0);
		if (r)
			fprintf(stderr, "\naccepted: '%s'\n", bad[i]);
	}
}

static void reads_logs_among_other_output(void)
{
	/* Kernel messages, \r\n, a BENCH line after other text, a bad one,
	 * one cut by a NUL, one too long (its trailing blanks would be fine
	 * in a short one), and a last line with no \n. */
	static const char log[] =
		"Xok exokernel (x86-64)\r\n"
		"BENCH null_call cycles 163 163 163 15\r\n"
		"garbage \x02\x03 BENCH fault_roundtrip cycles 1 1 1 1\r\n"
		"BENCH fault_roundtrip cycles 1394 1390 1400 15\r\n"
		"BENCH ipc_roundtrip cycles -4 1 1 1\r\n"
		"BENCH ipc_roundtrip cycles 5 5 5 5\0 and more\n"
		"BENCH yield_roundtrip cycles 5 5 5 5"
		"                                                                "
		"                                                                "
		"                                                                "
		"                                                                \n"
		"BENCH fork_exit_wait cycles 10 9 11 3";
	struct bench_table t;
	FILE *f = fmemopen((void *)log, sizeof(log) - 1, "r");
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	bench_table_init(&t);
	n = bench_read_log(&t, BENCH_XOK, f);
	fclose(f);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(row(&t, "null_call")->side[BENCH_XOK].median, 163);
	CU_ASSERT_EQUAL(row(&t, "fault_roundtrip")->side[BENCH_XOK].median, 1394);
	CU_ASSERT_FALSE(row(&t, "ipc_roundtrip")->side[BENCH_XOK].present);
	CU_ASSERT_FALSE(row(&t, "yield_roundtrip")->side[BENCH_XOK].present);
	CU_ASSERT_EQUAL(row(&t, "fork_exit_wait")->side[BENCH_XOK].median, 10);
	CU_ASSERT_FALSE(row(&t, "null_call")->side[BENCH_LINUX].present);
	CU_ASSERT_EQUAL(row(&t, "null_call")->side[BENCH_XOK].icount, 0);
	CU_ASSERT_EQUAL(t.nrows, bench_nfixed_rows);
}

static void fixed_rows_in_order(void)
{
	static const char *const want[] = {
		"null_call", "fault_roundtrip", "ipc_roundtrip",
		"yield_roundtrip", "fork_exit_wait", "fork_exec_wait",
		"shell_loop_2000", "pipe_64mib", "files_1000_small",
		"file_64mib", "boot_to_prompt",
	};
	struct bench_table t;

	bench_table_init(&t);
	CU_ASSERT_EQUAL_FATAL(t.nrows, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < t.nrows; i++) {
		CU_ASSERT_STRING_EQUAL(t.rows[i].name, want[i]);
		CU_ASSERT_FALSE(t.rows[i].side[BENCH_XOK].present);
		CU_ASSERT_FALSE(t.rows[i].side[BENCH_LINUX].present);
	}
	/* Lines in another order land in their rows; a new name follows. */
	read_string(&t, BENCH_LINUX,
		    "BENCH extra_row cycles 1 1 1 1\n"
		    "BENCH yield_roundtrip cycles 4 4 4 1\n"
		    "BENCH null_call cycles 3 3 3 1\n");
	CU_ASSERT_EQUAL(t.rows[0].side[BENCH_LINUX].median, 3);
	CU_ASSERT_EQUAL(t.rows[3].side[BENCH_LINUX].median, 4);
	CU_ASSERT_EQUAL_FATAL(t.nrows, bench_nfixed_rows + 1);
	CU_ASSERT_STRING_EQUAL(t.rows[bench_nfixed_rows].name, "extra_row");
}

static void last_duplicate_wins(void)
{
	struct bench_table t;

	bench_table_init(&t);
	CU_ASSERT_EQUAL(read_string(&t, BENCH_LINUX,
				    "BENCH null_call cycles 300 300 300 15\n"
				    "BENCH null_call cycles 344 340 350 15\n"
				    "BENCH null_call cycles 1 2 3 4\n"), 2);
	CU_ASSERT_EQUAL(row(&t, "null_call")->side[BENCH_LINUX].median, 344);
	CU_ASSERT_EQUAL(row(&t, "null_call")->side[BENCH_LINUX].min, 340);
	CU_ASSERT_EQUAL(t.nrows, bench_nfixed_rows);
}

static void full_table_drops_new_names(void)
{
	struct bench_table t;
	struct bench_line l;
	char line[64];

	bench_table_init(&t);
	for (int i = 0; i < BENCH_MAX_ROWS + 3; i++) {
		snprintf(line, sizeof(line), "BENCH new_%d cycles 1 1 1 1", i);
		CU_ASSERT_EQUAL_FATAL(bench_parse_line(line, &l), 1);
		bench_table_add(&t, BENCH_XOK, &l);
	}
	CU_ASSERT_EQUAL(t.nrows, BENCH_MAX_ROWS);
	CU_ASSERT_EQUAL(t.dropped[BENCH_XOK],
			bench_nfixed_rows + 3);
	/* A known name still finds its row. */
	CU_ASSERT_EQUAL(bench_parse_line("BENCH null_call cycles 9 9 9 1", &l), 1);
	bench_table_add(&t, BENCH_XOK, &l);
	CU_ASSERT_EQUAL(t.rows[0].side[BENCH_XOK].median, 9);
}

/* Sets a row's medians (0: that side is missing) in the cycles unit. */
static void set_row(struct bench_row *r, uint64_t xok, uint64_t linux_)
{
	memset(r->side, 0, sizeof(r->side));
	if (xok) {
		r->side[BENCH_XOK].present = 1;
		strcpy(r->side[BENCH_XOK].unit, "cycles");
		r->side[BENCH_XOK].median = xok;
	}
	if (linux_) {
		r->side[BENCH_LINUX].present = 1;
		strcpy(r->side[BENCH_LINUX].unit, "cycles");
		r->side[BENCH_LINUX].median = linux_;
	}
}

static void ratio_arithmetic(void)
{
	struct bench_row r = { .name = "x" };
	char buf[32];

	set_row(&r, 163, 344);
	CU_ASSERT_EQUAL(bench_ratio(&r, buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "0.47");	/* 0.4738 */
	set_row(&r, 344, 344);
	bench_ratio(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1.00");
	set_row(&r, 1, 8);
	bench_ratio(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0.13");	/* 0.125 rounds up */
	set_row(&r, 1, 200);
	bench_ratio(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0.01");	/* 0.005 rounds up */
	set_row(&r, 1, 201);
	bench_ratio(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0.00");
	set_row(&r, 12696, 402);
	bench_ratio(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "31.58");	/* 31.582 */
	set_row(&r, UINT64_MAX, 1);
	bench_ratio(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "18446744073709551615.00");

	/* Missing sides, a zero Linux figure, different units: no ratio. */
	set_row(&r, 0, 344);
	CU_ASSERT_EQUAL(bench_ratio(&r, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "-");
	set_row(&r, 163, 0);
	CU_ASSERT_EQUAL(bench_ratio(&r, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "-");
	set_row(&r, 163, 1);
	r.side[BENCH_LINUX].median = 0;
	CU_ASSERT_EQUAL(bench_ratio(&r, buf, sizeof(buf)), 0);
	set_row(&r, 163, 344);
	strcpy(r.side[BENCH_LINUX].unit, "ns");
	CU_ASSERT_EQUAL(bench_ratio(&r, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "-");
}

static void modes_per_row(void)
{
	struct bench_table t;

	bench_table_init(&t);
	read_string(&t, BENCH_LINUX,
		    "BENCH-MODE icount\nBENCH null_call cycles 344 344 344 15\n"
		    "BENCH ipc_roundtrip cycles 9 9 9 1\n");
	read_string(&t, BENCH_XOK,
		    "BENCH null_call cycles 163 163 163 15\n"
		    "BENCH fault_roundtrip cycles 9 9 9 1\n");
	CU_ASSERT_EQUAL(row(&t, "null_call")->side[BENCH_LINUX].icount, 1);
	CU_ASSERT_EQUAL(row(&t, "null_call")->side[BENCH_XOK].icount, 0);
	CU_ASSERT_STRING_EQUAL(bench_row_mode(row(&t, "null_call")), "wall/icount");
	CU_ASSERT_STRING_EQUAL(bench_row_mode(row(&t, "fault_roundtrip")), "wall");
	CU_ASSERT_STRING_EQUAL(bench_row_mode(row(&t, "ipc_roundtrip")), "icount");
	CU_ASSERT_STRING_EQUAL(bench_row_mode(row(&t, "pipe_64mib")), "-");
	/* A mode line applies to the figures after it, in the same log. */
	read_string(&t, BENCH_XOK,
		    "BENCH-MODE icount\nBENCH null_call cycles 163 163 163 15\n"
		    "BENCH-MODE wall\nBENCH disk_read mibps 40 38 41 5\n");
	CU_ASSERT_STRING_EQUAL(bench_row_mode(row(&t, "null_call")), "icount");
	CU_ASSERT_STRING_EQUAL(bench_row_mode(row(&t, "disk_read")), "wall");
	CU_ASSERT_EQUAL(bench_parse_mode("BENCH-MODE wall\r\n"), 0);
	CU_ASSERT_EQUAL(bench_parse_mode("BENCH-MODE icount"), 1);
	CU_ASSERT_EQUAL(bench_parse_mode("BENCH-MODE fast"), -1);
}

/* A table with Linux's four primitives and Xok's first two. */
static void sample_table(struct bench_table *t)
{
	bench_table_init(t);
	read_string(t, BENCH_LINUX,
		    "BENCH-MODE icount\n"
		    "BENCH null_call cycles 344 344 370 15\n"
		    "BENCH fault_roundtrip cycles 3079 3077 3081 15\n"
		    "BENCH ipc_roundtrip cycles 12696 10289 12715 15\n"
		    "BENCH yield_roundtrip cycles 4160 4155 4194 15\n");
	read_string(t, BENCH_XOK,
		    "BENCH-MODE icount\n"
		    "BENCH null_call cycles 163 163 163 15\n"
		    "BENCH fault_roundtrip cycles 1394 1394 1394 15\n");
}

static void text_table(void)
{
	struct bench_table t;
	char *s;

	sample_table(&t);
	s = write_string(bench_print_table, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"figure             Xok  Linux  ratio Xok/Linux  mode\n"
		"null_call          163    344             0.47  icount\n"
		"fault_roundtrip   1394   3079             0.45  icount\n"
		"ipc_roundtrip        -  12696                -  icount\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"boot_to_prompt       -      -                -  -\n"));
	free(s);
}

static void csv_output(void)
{
	struct bench_table t;
	char *s;

	sample_table(&t);
	s = write_string(bench_write_csv, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(strncmp(s,
		"figure,unit,xok_median,xok_min,xok_max,xok_batches,"
		"linux_median,linux_min,linux_max,linux_batches,"
		"ratio_xok_linux,mode\n"
		"null_call,cycles,163,163,163,15,344,344,370,15,0.47,icount\n"
		"fault_roundtrip,cycles,1394,1394,1394,15,3079,3077,3081,15,0.45,icount\n"
		"ipc_roundtrip,cycles,-,-,-,-,12696,10289,12715,15,-,icount\n",
		strlen("figure,unit,xok_median,xok_min,xok_max,xok_batches,"
		       "linux_median,linux_min,linux_max,linux_batches,"
		       "ratio_xok_linux,mode\n"
		       "null_call,cycles,163,163,163,15,344,344,370,15,0.47,icount\n"
		       "fault_roundtrip,cycles,1394,1394,1394,15,3079,3077,3081,15,0.45,icount\n"
		       "ipc_roundtrip,cycles,-,-,-,-,12696,10289,12715,15,-,icount\n")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\nboot_to_prompt,-,-,-,-,-,-,-,-,-,-,-\n"));
	free(s);
}

static void json_output(void)
{
	struct bench_table t;
	char *s;

	sample_table(&t);
	s = write_string(bench_write_json, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(strncmp(s, "{\n  \"rows\": [\n", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"{\"figure\": \"null_call\", \"unit\": \"cycles\", "
		"\"xok\": {\"median\": 163, \"min\": 163, \"max\": 163, \"batches\": 15}, "
		"\"linux\": {\"median\": 344, \"min\": 344, \"max\": 370, \"batches\": 15}, "
		"\"ratio_xok_linux\": 0.47, \"mode\": \"icount\"},\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"{\"figure\": \"ipc_roundtrip\", \"unit\": \"cycles\", \"xok\": null, "
		"\"linux\": {\"median\": 12696, \"min\": 10289, \"max\": 12715, \"batches\": 15}, "
		"\"ratio_xok_linux\": null, \"mode\": \"icount\"},\n"));
	/* The last row has no comma after it; the document closes. */
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"{\"figure\": \"boot_to_prompt\", \"unit\": null, \"xok\": null, "
		"\"linux\": null, \"ratio_xok_linux\": null, \"mode\": null}\n  ]\n}\n"));
	free(s);
}

/* The nesting rows make a table of their own: each layer's figures and
 * slowdowns over no nester and over the layer below; the main table
 * leaves them out. */
static void layers_table(void)
{
	struct bench_table t;
	char *s;

	bench_table_init(&t);
	CU_ASSERT_EQUAL(read_string(&t, BENCH_XOK,
		"BENCH-MODE icount\n"
		"BENCH nest_layers_call_0 cycles 1000 1000 1000 3\n"
		"BENCH nest_layers_suite_0 cycles 20000 20000 20000 3\n"
		"BENCH nest_layers_call_1 cycles 2000 2000 2000 3\n"
		"BENCH nest_layers_suite_1 cycles 20500 20500 20500 3\n"
		"BENCH nest_layers_call_2 cycles 2900 2900 2900 3\n"), 5);
	s = write_string(bench_print_layers, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Xok cycles, icount\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"     0           1000            -          -          20000"
		"            -          -\n"
		"     1           2000      +100.0%    +100.0%          20500"
		"        +2.5%      +2.5%\n"
		"     2           2900      +190.0%     +45.0%              -"
		"            -          -\n"));
	free(s);
	s = write_string(bench_print_table, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NULL(strstr(s, BENCH_LAYERS_PREFIX));
	free(s);
	bench_table_init(&t);
	s = write_string(bench_print_layers, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, ""); /* no nesting rows: nothing */
	free(s);
}

void add_benchtab_tests(void)
{
	static const struct unit_test tests[] = {
		{ "parses_valid_lines", parses_valid_lines },
		{ "ignores_malformed_lines", ignores_malformed_lines },
		{ "reads_logs_among_other_output", reads_logs_among_other_output },
		{ "fixed_rows_in_order", fixed_rows_in_order },
		{ "last_duplicate_wins", last_duplicate_wins },
		{ "full_table_drops_new_names", full_table_drops_new_names },
		{ "ratio_arithmetic", ratio_arithmetic },
		{ "modes_per_row", modes_per_row },
		{ "text_table", text_table },
		{ "csv_output", csv_output },
		{ "json_output", json_output },
		{ "layers_table", layers_table },
		{ 0, 0 },
	};
	add_suite("benchtab", tests);
}
