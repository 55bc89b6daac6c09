/*
 * benchtab XOKLOG LINUXLOG OUTDIR: the table of `make bench`. Reads the
 * BENCH lines of the two serial logs, prints the Xok/Linux table and
 * writes OUTDIR/bench.csv and OUTDIR/bench.json. A missing log is a side
 * that did not run: its column is all "-".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "benchtab.h"

/* Reads one side's log if it exists; returns its number of figures. */
static int read_side(struct bench_table *t, enum bench_side side,
		     const char *path)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f) {
		fprintf(stderr, "benchtab: %s: %s (that column stays empty)\n",
			path, strerror(errno));
		return 0;
	}
	n = bench_read_log(t, side, f);
	fclose(f);
	return n;
}

/* Writes OUTDIR/NAME with one of the writers; returns 0 or -1. */
static int write_file(const char *dir, const char *name,
		      void (*writer)(const struct bench_table *, FILE *),
		      const struct bench_table *t)
{
	char path[4096];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		fprintf(stderr, "benchtab: %s: path too long\n", dir);
		return -1;
	}
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "benchtab: %s: %s\n", path, strerror(errno));
		return -1;
	}
	writer(t, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "benchtab: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct bench_table t;
	static const char *const side_label[BENCH_NSIDES] = { "Xok", "Linux" };
	int n[BENCH_NSIDES];

	if (argc != 4) {
		fprintf(stderr, "usage: benchtab XOKLOG LINUXLOG OUTDIR\n");
		return 2;
	}
	bench_table_init(&t);
	n[BENCH_XOK] = read_side(&t, BENCH_XOK, argv[1]);
	n[BENCH_LINUX] = read_side(&t, BENCH_LINUX, argv[2]);
	for (int s = 0; s < BENCH_NSIDES; s++) {
		if (n[s] == 0)
			fprintf(stderr, "benchtab: no BENCH line in the %s log\n",
				side_label[s]);
		if (t.dropped[s])
			fprintf(stderr, "benchtab: %d %s figures past %d rows left out\n",
				t.dropped[s], side_label[s], BENCH_MAX_ROWS);
	}

	bench_print_table(&t, stdout);
	printf("(median of batches, per operation or per whole run as"
	       " tests/bench/README.md defines each figure;\n"
	       " ratio < 1: Xok is faster; \"-\": not measured)\n");
	bench_print_layers(&t, stdout);

	if (mkdir(argv[3], 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "benchtab: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	if (write_file(argv[3], "bench.csv", bench_write_csv, &t) < 0 ||
	    write_file(argv[3], "bench.json", bench_write_json, &t) < 0)
		return 1;
	return 0;
}
