/*
 * benchtab: parsing BENCH lines and building the Xok/Linux table of
 * `make bench` (see benchtab.h for the line format and the rules).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "benchtab.h"

const char *const bench_fixed_rows[] = {
	/* The primitives: what Xok can measure today. */
	"null_call",
	"fault_roundtrip",
	"ipc_roundtrip",
	"yield_roundtrip",
	/* Unix rows: "-" until ExOS and the harness report them. */
	"fork_exit_wait",
	"fork_exec_wait",
	"shell_loop_2000",
	"pipe_64mib",
	"files_1000_small",
	"file_64mib",
	"boot_to_prompt",
};
const int bench_nfixed_rows =
	sizeof(bench_fixed_rows) / sizeof(bench_fixed_rows[0]);

static const char *const side_names[BENCH_NSIDES] = { "xok", "linux" };

/* Returns 1 if c separates fields. */
static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Copies the next field of *p into buf (NUL-terminated) and moves *p past
 * it; returns its length, or -1 if it does not fit. Leading blanks are
 * skipped; a field ends at a blank or the end of the line. */
static int next_field(const char **p, char *buf, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (is_blank(*s))
		s++;
	while (*s && !is_blank(*s)) {
		if (n + 1 >= size)
			return -1;
		buf[n++] = *s++;
	}
	buf[n] = 0;
	*p = s;
	return (int)n;
}

/* Returns 1 if the field is non-empty and made only of characters that
 * `allowed` accepts. Names stay safe to print in CSV and JSON unquoted. */
static int all_of(const char *s, int (*allowed)(char))
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!allowed(*s))
			return 0;
	return 1;
}

/* Returns 1 for a character a figure's name may hold. */
static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Returns 1 for a character a unit may hold. */
static int unit_char(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Parses a decimal number without sign; returns 0 on anything else,
 * including a value past 2^64 - 1. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9')
			return 0;
		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	*v = x;
	return 1;
}

/* Copies a line without its line ending (\n, and \r from the serial
 * port); returns 0 if it is too long to be a BENCH line at all. */
static int strip_line(const char *line, char *buf, size_t size)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n >= size)
		return 0;
	memcpy(buf, line, n);
	buf[n] = 0;
	return 1;
}

int bench_parse_line(const char *line, struct bench_line *out)
{
	char buf[256], field[32], numbers[4][32];
	struct bench_line l;
	const char *p = buf + 5;
	uint64_t v[4];

	if (!strip_line(line, buf, sizeof(buf)))
		return 0;
	/* "BENCH" opens the line: text before it is some other output that
	 * ran into ours, and the line cannot be trusted. */
	if (strncmp(buf, "BENCH", 5) || !is_blank(buf[5]))
		return 0;
	memset(&l, 0, sizeof(l));
	if (next_field(&p, l.name, sizeof(l.name)) < 0 ||
	    !all_of(l.name, name_char))
		return 0;
	if (next_field(&p, l.fig.unit, sizeof(l.fig.unit)) < 0 ||
	    !all_of(l.fig.unit, unit_char))
		return 0;
	for (int i = 0; i < 4; i++)
		if (next_field(&p, numbers[i], sizeof(numbers[i])) < 0 ||
		    !parse_u64(numbers[i], &v[i]))
			return 0;
	if (next_field(&p, field, sizeof(field)) != 0)
		return 0; /* an eighth field */
	if (v[1] > v[0] || v[0] > v[2] || v[3] == 0)
		return 0; /* not a median of batches */
	l.fig.present = 1;
	l.fig.median = v[0];
	l.fig.min = v[1];
	l.fig.max = v[2];
	l.fig.batches = v[3];
	*out = l;
	return 1;
}

int bench_parse_mode(const char *line)
{
	char buf[64];

	if (!strip_line(line, buf, sizeof(buf)))
		return -1;
	if (!strcmp(buf, "BENCH-MODE icount"))
		return 1;
	return strcmp(buf, "BENCH-MODE wall") ? -1 : 0;
}

void bench_table_init(struct bench_table *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < bench_nfixed_rows; i++)
		strcpy(t->rows[i].name, bench_fixed_rows[i]);
	t->nrows = bench_nfixed_rows;
}

void bench_table_add(struct bench_table *t, enum bench_side side,
		     const struct bench_line *l)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, l->name))
			break;
	if (i == t->nrows) {
		if (t->nrows == BENCH_MAX_ROWS) {
			t->dropped[side]++;
			return;
		}
		memset(&t->rows[i], 0, sizeof(t->rows[i]));
		strcpy(t->rows[i].name, l->name);
		t->nrows++;
	}
	t->rows[i].side[side] = l->fig; /* last line wins */
}

int bench_read_log(struct bench_table *t, enum bench_side side, FILE *log)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	struct bench_line l;
	int n = 0, icount = 0, mode;

	while ((len = getline(&line, &size, log)) >= 0) {
		/* A NUL from the serial port would hide the rest of the line
		 * from the parser, which could then take half a line. */
		if (strlen(line) != (size_t)len)
			continue;
		if ((mode = bench_parse_mode(line)) >= 0)
			icount = mode;
		else if (bench_parse_line(line, &l)) {
			l.fig.icount = icount;
			bench_table_add(t, side, &l);
			n++;
		}
	}
	free(line);
	return n;
}

/* The unit of a row: the first side's that has the figure, or NULL. */
static const char *row_unit(const struct bench_row *r)
{
	for (int s = 0; s < BENCH_NSIDES; s++)
		if (r->side[s].present)
			return r->side[s].unit;
	return NULL;
}

int bench_ratio(const struct bench_row *r, char *buf, size_t size)
{
	const struct bench_figure *x = &r->side[BENCH_XOK];
	const struct bench_figure *l = &r->side[BENCH_LINUX];
	unsigned __int128 hundredths;

	if (!x->present || !l->present || strcmp(x->unit, l->unit) ||
	    l->median == 0) {
		snprintf(buf, size, "-");
		return 0;
	}
	/* In integers, rounding half up: no binary fraction to misround. */
	hundredths = ((unsigned __int128)x->median * 200 + l->median) /
		     ((unsigned __int128)l->median * 2);
	snprintf(buf, size, "%llu.%02llu",
		 (unsigned long long)(hundredths / 100),
		 (unsigned long long)(hundredths % 100));
	return 1;
}

const char *bench_row_mode(const struct bench_row *r)
{
	int x = r->side[BENCH_XOK].present, l = r->side[BENCH_LINUX].present;
	int xi = r->side[BENCH_XOK].icount, li = r->side[BENCH_LINUX].icount;

	if (!x && !l)
		return "-";
	if (x && l && xi != li)
		return xi ? "icount/wall" : "wall/icount";
	return (x ? xi : li) ? "icount" : "wall";
}

/* Writes a row's figure label: the name, with its unit unless cycles. */
static void row_label(const struct bench_row *r, char *buf, size_t size)
{
	const char *unit = row_unit(r);

	if (unit && strcmp(unit, "cycles"))
		snprintf(buf, size, "%s (%s)", r->name, unit);
	else
		snprintf(buf, size, "%s", r->name);
}

/* Writes a side's median, or "-". */
static void median_text(const struct bench_figure *f, char *buf, size_t size)
{
	if (f->present)
		snprintf(buf, size, "%llu", (unsigned long long)f->median);
	else
		snprintf(buf, size, "-");
}

/* Returns the larger of a column's width so far and a cell's length. */
static int widen(int width, const char *cell)
{
	int n = (int)strlen(cell);

	return n > width ? n : width;
}

void bench_print_table(const struct bench_table *t, FILE *out)
{
	static const char *const head[5] = {
		"figure", "Xok", "Linux", "ratio Xok/Linux", "mode"
	};
	char cell[5][64];
	int w[5];

	for (int c = 0; c < 5; c++)
		w[c] = (int)strlen(head[c]);
	/* Two passes over the rows: measure the columns, then print. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			fprintf(out, "%-*s  %*s  %*s  %*s  %s\n", w[0], head[0],
				w[1], head[1], w[2], head[2], w[3], head[3],
				head[4]);
		for (int i = 0; i < t->nrows; i++) {
			const struct bench_row *r = &t->rows[i];

			if (!strncmp(r->name, BENCH_LAYERS_PREFIX,
				     strlen(BENCH_LAYERS_PREFIX)))
				continue; /* bench_print_layers */
			row_label(r, cell[0], sizeof(cell[0]));
			median_text(&r->side[BENCH_XOK], cell[1], sizeof(cell[1]));
			median_text(&r->side[BENCH_LINUX], cell[2],
				    sizeof(cell[2]));
			bench_ratio(r, cell[3], sizeof(cell[3]));
			snprintf(cell[4], sizeof(cell[4]), "%s",
				 bench_row_mode(r));
			if (pass == 0) {
				for (int c = 0; c < 5; c++)
					w[c] = widen(w[c], cell[c]);
				continue;
			}
			fprintf(out, "%-*s  %*s  %*s  %*s  %s\n", w[0], cell[0],
				w[1], cell[1], w[2], cell[2], w[3], cell[3],
				cell[4]);
		}
	}
}

/* Xok's figure nest_layers_<fig>_<n>, or null. */
static const struct bench_figure *layer_figure(const struct bench_table *t,
					       const char *fig, int n)
{
	char name[BENCH_NAME_MAX];

	snprintf(name, sizeof(name), BENCH_LAYERS_PREFIX "%s_%d", fig, n);
	for (int i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, name))
			return t->rows[i].side[BENCH_XOK].present ?
				       &t->rows[i].side[BENCH_XOK] : NULL;
	return NULL;
}

/* Writes how much `a` is over `b` ("+95.9%"), or "-" if either is
 * missing. */
static void percent_over(const struct bench_figure *a,
			 const struct bench_figure *b, char *buf, size_t size)
{
	long long d;

	if (!a || !b || !b->median) {
		snprintf(buf, size, "-");
		return;
	}
	d = ((long long)a->median - (long long)b->median) * 1000 /
	    (long long)b->median;
	snprintf(buf, size, "%c%lld.%lld%%", d < 0 ? '-' : '+', llabs(d) / 10,
		 llabs(d) % 10);
}

void bench_print_layers(const struct bench_table *t, FILE *out)
{
	static const char *const fig[2] = { "call", "suite" };
	const struct bench_figure *f[BENCH_MAX_LAYERS][2];
	char cell[6][32];
	int n = 0;

	for (; n < BENCH_MAX_LAYERS; n++) {
		f[n][0] = layer_figure(t, fig[0], n);
		f[n][1] = layer_figure(t, fig[1], n);
		if (!f[n][0] && !f[n][1])
			break;
	}
	if (!n)
		return;
	fprintf(out, "\nNesting (Fluke's experiment): the same programs under n "
		"nesters, Xok cycles, %s\n", f[0][0] && f[0][0]->icount ?
		"icount" : "wall");
	fprintf(out, "%6s  %13s  %11s  %9s  %13s  %11s  %9s\n", "layers",
		"protocol call", "over direct", "the layer", "suite",
		"over direct", "the layer");
	for (int l = 0; l < n; l++) {
		for (int k = 0; k < 2; k++) {
			median_text(f[l][k] ? f[l][k] : &(struct bench_figure){ 0 },
				    cell[3 * k], sizeof(cell[0]));
			percent_over(f[l][k], l ? f[0][k] : NULL,
				     cell[3 * k + 1], sizeof(cell[0]));
			percent_over(f[l][k], l ? f[l - 1][k] : NULL,
				     cell[3 * k + 2], sizeof(cell[0]));
		}
		fprintf(out, "%6d  %13s  %11s  %9s  %13s  %11s  %9s\n", l,
			cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]);
	}
}

void bench_write_csv(const struct bench_table *t, FILE *out)
{
	char ratio[32];

	fprintf(out, "figure,unit");
	for (int s = 0; s < BENCH_NSIDES; s++)
		fprintf(out, ",%s_median,%s_min,%s_max,%s_batches",
			side_names[s], side_names[s], side_names[s],
			side_names[s]);
	fprintf(out, ",ratio_xok_linux,mode\n");
	for (int i = 0; i < t->nrows; i++) {
		const struct bench_row *r = &t->rows[i];
		const char *unit = row_unit(r);

		fprintf(out, "%s,%s", r->name, unit ? unit : "-");
		for (int s = 0; s < BENCH_NSIDES; s++) {
			const struct bench_figure *f = &r->side[s];

			if (f->present)
				fprintf(out, ",%llu,%llu,%llu,%llu",
					(unsigned long long)f->median,
					(unsigned long long)f->min,
					(unsigned long long)f->max,
					(unsigned long long)f->batches);
			else
				fprintf(out, ",-,-,-,-");
		}
		bench_ratio(r, ratio, sizeof(ratio));
		fprintf(out, ",%s,%s\n", ratio, bench_row_mode(r));
	}
}

/* Writes a JSON string value or null; the strings written here come from
 * checked names and fixed words, which need no escaping. */
static void json_string(FILE *out, const char *s)
{
	if (s)
		fprintf(out, "\"%s\"", s);
	else
		fprintf(out, "null");
}

void bench_write_json(const struct bench_table *t, FILE *out)
{
	char ratio[32];

	fprintf(out, "{\n  \"rows\": [\n");
	for (int i = 0; i < t->nrows; i++) {
		const struct bench_row *r = &t->rows[i];
		const char *mode = bench_row_mode(r);

		fprintf(out, "    {\"figure\": \"%s\", \"unit\": ", r->name);
		json_string(out, row_unit(r));
		for (int s = 0; s < BENCH_NSIDES; s++) {
			const struct bench_figure *f = &r->side[s];

			fprintf(out, ", \"%s\": ", side_names[s]);
			if (f->present)
				fprintf(out,
					"{\"median\": %llu, \"min\": %llu, "
					"\"max\": %llu, \"batches\": %llu}",
					(unsigned long long)f->median,
					(unsigned long long)f->min,
					(unsigned long long)f->max,
					(unsigned long long)f->batches);
			else
				fprintf(out, "null");
		}
		fprintf(out, ", \"ratio_xok_linux\": %s, \"mode\": ",
			bench_ratio(r, ratio, sizeof(ratio)) ? ratio : "null");
		json_string(out, strcmp(mode, "-") ? mode : NULL);
		fprintf(out, "}%s\n", i + 1 < t->nrows ? "," : "");
	}
	fprintf(out, "  ]\n}\n");
}
