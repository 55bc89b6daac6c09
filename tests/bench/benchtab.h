/*
 * benchtab: the table of `make bench`, from the BENCH lines of two serial
 * logs (Xok's and Linux's) to text, CSV and JSON. Pure logic: the only
 * I/O is on FILE streams the caller opens.
 *
 * A figure line is, alone on its line (a trailing \r is ignored):
 *   BENCH <name> <unit> <median> <min> <max> <batches>
 * name [a-z0-9_], unit [a-z], numbers decimal without sign, with
 * min <= median <= max and batches >= 1; any other line is ignored. A
 * line "BENCH-MODE icount" says the side ran under QEMU's -icount (else
 * it ran on the wall clock). If a log repeats a name, its last line wins:
 * a rerun supersedes.
 */
#ifndef TESTS_BENCH_BENCHTAB_H
#define TESTS_BENCH_BENCHTAB_H

#include <stdint.h>
#include <stdio.h>

#define BENCH_NAME_MAX 32	/* bytes, with the NUL */
#define BENCH_UNIT_MAX 16
#define BENCH_MAX_ROWS 32	/* fixed rows and the ones logs add */

enum bench_side { BENCH_XOK, BENCH_LINUX, BENCH_NSIDES };

/* One side's figure for one row. */
struct bench_figure {
	int present;
	int icount;	/* measured under -icount (else wall clock) */
	char unit[BENCH_UNIT_MAX];
	uint64_t median, min, max, batches;
};

/* One parsed BENCH line. */
struct bench_line {
	char name[BENCH_NAME_MAX];
	struct bench_figure fig;
};

struct bench_row {
	char name[BENCH_NAME_MAX];
	struct bench_figure side[BENCH_NSIDES];
};

struct bench_table {
	struct bench_row rows[BENCH_MAX_ROWS];
	int nrows;
	int dropped[BENCH_NSIDES];	/* new names past BENCH_MAX_ROWS */
};

/* The fixed rows, in table order; names logs add follow them. */
extern const char *const bench_fixed_rows[];
extern const int bench_nfixed_rows;

/* Parses one line; returns 1 and fills *out for a valid figure line,
 * 0 for any other line. */
int bench_parse_line(const char *line, struct bench_line *out);

/* Returns 1 for the line "BENCH-MODE icount", 0 for "BENCH-MODE wall",
 * -1 for any other line. A mode line applies to the figures after it. */
int bench_parse_mode(const char *line);

/* Empties the table down to the fixed rows, with no figures. */
void bench_table_init(struct bench_table *t);

/* Records one side's figure: in its row, a new row after the others if
 * the name is new, or nowhere if the table is full (counted in dropped). */
void bench_table_add(struct bench_table *t, enum bench_side side,
		     const struct bench_line *l);

/* Reads one side's serial log into the table; returns how many figure
 * lines it took. */
int bench_read_log(struct bench_table *t, enum bench_side side, FILE *log);

/* Writes the ratio Xok/Linux of a row's medians, rounded to 2 decimals,
 * into buf ("-" if a side is missing, units differ or Linux's is 0);
 * returns 1 if it is a number. */
int bench_ratio(const struct bench_row *r, char *buf, size_t size);

/* The row's clock: the mode its figures were measured in, "icount/wall"
 * style (Xok/Linux) if the sides differ, "-" if neither has it. */
const char *bench_row_mode(const struct bench_row *r);

/* Prints the aligned text table (without the nesting rows, below). */
void bench_print_table(const struct bench_table *t, FILE *out);

/*
 * Fluke's nesting experiment: Xok's rows nest_layers_<figure>_<n>, the
 * cost of a figure with n nesters between the root and the programs
 * (bin/nest's layer_slowdown): "call", one protocol call, and "suite",
 * the test programs' whole run. Prints them as a table of each figure
 * with its slowdown over no nester and over n - 1 (the layer's own);
 * nothing if there are none.
 */
#define BENCH_LAYERS_PREFIX "nest_layers_"
#define BENCH_MAX_LAYERS 8
void bench_print_layers(const struct bench_table *t, FILE *out);

/* Writes the table as CSV (missing values "-"), or as JSON (null). */
void bench_write_csv(const struct bench_table *t, FILE *out);
void bench_write_json(const struct bench_table *t, FILE *out);

#endif
