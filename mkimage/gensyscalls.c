/*
 * gensyscalls: reads xok/syscalls.tab and writes one generated file.
 *   gensyscalls numbers|stubs|kernel-decls|kernel-table TABLE OUT
 */
#include "syscalltab.h"

#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	static struct systab tab;
	static const struct {
		const char *what;
		void (*write)(const struct systab *, FILE *);
	} outputs[] = {
		{ "numbers", systab_write_numbers },
		{ "stubs", systab_write_stubs },
		{ "kernel-decls", systab_write_kernel_decls },
		{ "kernel-table", systab_write_kernel_table },
	};
	char err[256], *text;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: %s numbers|stubs|kernel-decls|"
				"kernel-table TABLE OUT\n", argv[0]);
		return 2;
	}
	if (!(text = read_file(argv[2]))) {
		perror(argv[2]);
		return 1;
	}
	int bad = systab_parse(text, &tab, err, sizeof(err));
	free(text);
	if (bad) {
		fprintf(stderr, "%s: %s\n", argv[2], err);
		return 1;
	}
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		if (strcmp(argv[1], outputs[i].what))
			continue;
		if (!(out = fopen(argv[3], "w"))) {
			perror(argv[3]);
			return 1;
		}
		outputs[i].write(&tab, out);
		return fclose(out) ? 1 : 0;
	}
	fprintf(stderr, "%s: unknown output '%s'\n", argv[0], argv[1]);
	return 2;
}
