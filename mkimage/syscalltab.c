/*
 * syscalltab: the parser and writers behind mkimage/gensyscalls.
 */
#include "syscalltab.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct systab *tab;
	int line;
	char *err;
	size_t errlen;
	char doc[SYSTAB_DOC_MAX]; /* comment block being collected */
};

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %d: ", p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Removes leading and trailing blanks in place; returns the start. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits "const char *buf" into type "const char *" and name "buf". */
static int parse_arg(struct parser *p, char *text, struct systab_arg *arg)
{
	char *s = trim(text), *name = s + strlen(s), *type;

	while (name > s && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
		name--;
	if (name == s || !is_ident(name))
		return fail(p, "argument '%s' needs a type and a name", s);
	if (strlen(name) >= SYSTAB_NAME_MAX)
		return fail(p, "argument name '%s' is too long", name);
	strcpy(arg->name, name);
	*name = '\0';
	type = trim(s);
	if (strlen(type) >= SYSTAB_TYPE_MAX)
		return fail(p, "argument type '%s' is too long", type);
	strcpy(arg->type, type);
	return 0;
}

static int parse_args(struct parser *p, char *text, struct systab_call *c)
{
	char *s = trim(text);

	if (!*s)
		return fail(p, "'%s' has no argument list (write void)", c->name);
	if (!strcmp(s, "void"))
		return 0;
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (c->nargs == SYSTAB_MAX_ARGS)
			return fail(p, "'%s' has more than %d arguments",
				    c->name, SYSTAB_MAX_ARGS);
		if (parse_arg(p, tok, &c->args[c->nargs++]))
			return -1;
	}
	return 0;
}

static int parse_base(struct parser *p, char *rest)
{
	char *end;
	unsigned long v = strtoul(trim(rest), &end, 0);

	if (*trim(rest) == '\0' || *end)
		return fail(p, "@base needs a number");
	if (v < SYSTAB_LINUX_LIMIT || v + SYSTAB_MAX_CALLS > SYSTAB_X32_BIT)
		return fail(p, "@base %#lx would collide with Linux numbers",
			    v);
	p->tab->base = (uint32_t)v;
	return 0;
}

static int parse_include(struct parser *p, char *rest)
{
	char *h = trim(rest);
	size_t n = strlen(h);

	if (n < 3 || h[0] != '<' || h[n - 1] != '>' || strchr(h + 1, '<') ||
	    strchr(h, '>') != h + n - 1)
		return fail(p, "@include needs a <header>");
	if (n >= SYSTAB_TYPE_MAX || p->tab->nincludes == SYSTAB_MAX_INCLUDES)
		return fail(p, "too many or too long @include lines");
	strcpy(p->tab->includes[p->tab->nincludes++], h);
	return 0;
}

static int check_unique(struct parser *p, const struct systab_call *c)
{
	const struct systab *t = p->tab;

	for (unsigned i = 0; i < t->ncalls; i++) {
		if (t->calls[i].index == c->index)
			return fail(p, "index %u is used twice", c->index);
		if (!c->retired && !strcmp(t->calls[i].name, c->name))
			return fail(p, "name '%s' is used twice", c->name);
	}
	return 0;
}

static int parse_entry(struct parser *p, char *line)
{
	struct systab_call c = { 0 };
	char *end, *name, *rest;
	unsigned long idx = strtoul(line, &end, 10);

	if (end == line || !isspace((unsigned char)*end))
		return fail(p, "an entry starts with its index");
	if (idx >= SYSTAB_MAX_CALLS)
		return fail(p, "index %lu is above %d", idx,
			    SYSTAB_MAX_CALLS - 1);
	c.index = (unsigned)idx;
	name = trim(end);
	rest = name;
	while (*rest && !isspace((unsigned char)*rest))
		rest++;
	if (*rest)
		*rest++ = '\0';
	if (!strcmp(name, "retired")) {
		c.retired = 1;
	} else {
		if (!is_ident(name) || strlen(name) >= SYSTAB_NAME_MAX)
			return fail(p, "'%s' is not a valid call name", name);
		strcpy(c.name, name);
		if (parse_args(p, rest, &c))
			return -1;
		strcpy(c.doc, p->doc);
	}
	if (check_unique(p, &c))
		return -1;
	if (p->tab->ncalls == SYSTAB_MAX_CALLS)
		return fail(p, "too many entries");
	p->tab->calls[p->tab->ncalls++] = c;
	return 0;
}

static void add_doc(struct parser *p, const char *comment)
{
	size_t n = strlen(p->doc);

	if (*comment == ' ')
		comment++;
	snprintf(p->doc + n, sizeof(p->doc) - n, "%s\n", comment);
}

static int by_index(const void *a, const void *b)
{
	const struct systab_call *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

int systab_parse(const char *text, struct systab *tab, char *err,
		 size_t errlen)
{
	struct parser p = { tab, 0, err, errlen, "" };
	char *copy = strdup(text), *line = copy;
	int rc = 0;

	memset(tab, 0, sizeof(*tab));
	while (line && !rc) {
		char *nl = strchr(line, '\n'), *s;

		if (nl)
			*nl = '\0';
		p.line++;
		s = trim(line);
		if (*s == '#')
			add_doc(&p, s + 1);
		else if (!*s)
			p.doc[0] = '\0'; /* a blank line ends a comment block */
		else if (!strncmp(s, "@base", 5))
			rc = parse_base(&p, s + 5), p.doc[0] = '\0';
		else if (!strncmp(s, "@include", 8))
			rc = parse_include(&p, s + 8), p.doc[0] = '\0';
		else
			rc = parse_entry(&p, s), p.doc[0] = '\0';
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (!rc && !tab->base)
		rc = fail(&p, "the table has no @base line");
	if (rc)
		return -1;
	qsort(tab->calls, tab->ncalls, sizeof(tab->calls[0]), by_index);
	tab->nslots = tab->ncalls ? tab->calls[tab->ncalls - 1].index + 1 : 0;
	return 0;
}

static void write_doc(const struct systab_call *c, FILE *out)
{
	const char *s = c->doc;

	if (!*s)
		return;
	fputs("/*\n", out);
	while (*s) {
		const char *nl = strchr(s, '\n');
		int len = (int)(nl - s);

		fprintf(out, len ? " * %.*s\n" : " *\n", len, s);
		s = nl + 1;
	}
	fputs(" */\n", out);
}

static void write_includes(const struct systab *tab, FILE *out)
{
	for (unsigned i = 0; i < tab->nincludes; i++)
		fprintf(out, "#include %s\n", tab->includes[i]);
	fputs("\n", out);
}

static void write_params(const struct systab_call *c, FILE *out)
{
	if (!c->nargs)
		fputs("void", out);
	for (unsigned i = 0; i < c->nargs; i++) {
		const char *t = c->args[i].type;
		int star = t[strlen(t) - 1] == '*';

		fprintf(out, "%s%s%s%s", i ? ", " : "", t, star ? "" : " ",
			c->args[i].name);
	}
}

void systab_write_numbers(const struct systab *tab, FILE *out)
{
	fputs("/* Generated from xok/syscalls.tab by mkimage/gensyscalls. */\n"
	      "#ifndef XOK_SYSNUM_H\n#define XOK_SYSNUM_H\n\n", out);
	fprintf(out, "#define XOK_SYSCALL_BASE %#xu\n", tab->base);
	fprintf(out, "#define XOK_NSYSCALLS %u\n\n", tab->nslots);
	for (unsigned i = 0; i < tab->ncalls; i++)
		if (!tab->calls[i].retired)
			fprintf(out, "#define XOK_SYS_%s (XOK_SYSCALL_BASE + %u)\n",
				tab->calls[i].name, tab->calls[i].index);
	fputs("\n#endif\n", out);
}

void systab_write_stubs(const struct systab *tab, FILE *out)
{
	fputs("/* Generated from xok/syscalls.tab by mkimage/gensyscalls. */\n"
	      "#ifndef XOK_SYSCALL_H\n#define XOK_SYSCALL_H\n\n"
	      "#include <stdint.h>\n#include <xok/syscall_asm.h>\n"
	      "#include <xok/sysnum.h>\n", out);
	write_includes(tab, out);
	for (unsigned i = 0; i < tab->ncalls; i++) {
		const struct systab_call *c = &tab->calls[i];

		if (c->retired)
			continue;
		write_doc(c, out);
		fprintf(out, "static inline int64_t xok_%s(", c->name);
		write_params(c, out);
		fprintf(out, ")\n{\n\treturn xok_syscall%u(XOK_SYS_%s", c->nargs,
			c->name);
		for (unsigned a = 0; a < c->nargs; a++)
			fprintf(out, ", (uint64_t)(%s)", c->args[a].name);
		fputs(");\n}\n\n", out);
	}
	fputs("#endif\n", out);
}

void systab_write_kernel_decls(const struct systab *tab, FILE *out)
{
	fputs("/* Generated from xok/syscalls.tab by mkimage/gensyscalls. */\n"
	      "#ifndef KERN_SYSCALL_DECLS_H\n#define KERN_SYSCALL_DECLS_H\n\n"
	      "#include <stdint.h>\n", out);
	write_includes(tab, out);
	for (unsigned i = 0; i < tab->ncalls; i++) {
		const struct systab_call *c = &tab->calls[i];

		if (c->retired)
			continue;
		fprintf(out, "int64_t sys_%s(", c->name);
		write_params(c, out);
		fputs(");\n", out);
	}
	fputs("\n#endif\n", out);
}

void systab_write_kernel_table(const struct systab *tab, FILE *out)
{
	fputs("/* Generated from xok/syscalls.tab by mkimage/gensyscalls. */\n"
	      "#include \"syscall_decls.h\"\n#include \"syscall_table.h\"\n\n",
	      out);
	/* One thunk per call turns the six raw registers into its types. */
	for (unsigned i = 0; i < tab->ncalls; i++) {
		const struct systab_call *c = &tab->calls[i];

		if (c->retired)
			continue;
		fprintf(out,
			"static int64_t thunk_%s(const uint64_t *a)\n{\n"
			"\t(void)a;\n\treturn sys_%s(", c->name, c->name);
		for (unsigned a = 0; a < c->nargs; a++)
			fprintf(out, "%s(%s)a[%u]", a ? ", " : "",
				c->args[a].type, a);
		fputs(");\n}\n\n", out);
	}
	fprintf(out, "const struct syscall_entry syscall_table[%u] = {\n",
		tab->nslots ? tab->nslots : 1);
	for (unsigned i = 0; i < tab->ncalls; i++)
		if (!tab->calls[i].retired)
			fprintf(out, "\t[%u] = { \"%s\", thunk_%s },\n",
				tab->calls[i].index, tab->calls[i].name,
				tab->calls[i].name);
	fprintf(out, "};\n\nconst unsigned syscall_table_size = %u;\n",
		tab->nslots);
}
