/*
 * selftest: the runner behind SELFTEST(). Freestanding.
 */
#include "selftest.h"

#include <stddef.h>

#include "fmt.h"

const struct selftest_env *selftest_current;

/* Why the running test failed; printed on its line after it returns, so
 * whatever the test itself printed never splits "test NAME: verdict". */
static char failure[256];

void selftest_fail(const char *file, int line, const char *what)
{
	fmt_snprintf(failure, sizeof(failure), "%s:%d: %s", file, line, what);
}

void selftest_fail_eq(const char *file, int line, const char *a,
		      const char *b, long long va, long long vb)
{
	fmt_snprintf(failure, sizeof(failure), "%s:%d: %s == %s: %lld != %lld",
		     file, line, a, b, va, vb);
}

/* Is `name` one of the comma-separated entries of `list`? */
static int selected(const char *list, const char *name)
{
	const char *p = list;

	if (p[0] == 'a' && p[1] == 'l' && p[2] == 'l' && (!p[3] || p[3] == ','))
		return 1;
	while (*p) {
		const char *n = name;

		while (*p && *p != ',' && *p == *n)
			p++, n++;
		if ((!*p || *p == ',') && !*n)
			return 1;
		while (*p && *p != ',')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Does every entry of `list` (other than "all") name a test? */
static int all_names_known(const struct selftest *begin,
			   const struct selftest *end, const char *list)
{
	for (const char *p = list; *p;) {
		const char *q = p;
		int found = 0;

		while (*q && *q != ',')
			q++;
		for (const struct selftest *t = begin; t < end && !found; t++) {
			size_t i = 0;

			while (p + i < q && t->name[i] == p[i])
				i++;
			found = p + i == q && !t->name[i];
		}
		if (!found && !(q - p == 3 && p[0] == 'a' && p[1] == 'l' &&
				p[2] == 'l'))
			return 0;
		p = *q ? q + 1 : q;
	}
	return 1;
}

int selftest_run(const struct selftest *begin, const struct selftest *end,
		 const char *select, const struct selftest_env *env)
{
	int failed = 0;

	selftest_current = env;
	if (!all_names_known(begin, end, select)) {
		env->print("selftest: unknown test in '%s'\n", select);
		return -1;
	}
	for (const struct selftest *t = begin; t < end; t++) {
		long before = 0, after;

		if (!selected(select, t->name))
			continue;
		if (env->resource_count)
			before = env->resource_count();
		failure[0] = '\0';
		int r = t->fn();
		if (r == 0 && env->resource_count &&
		    (after = env->resource_count()) != before) {
			fmt_snprintf(failure, sizeof(failure), "leaked %ld %s",
				     before - after, env->resource_name);
			r = -1;
		} else if (r != 0 && !failure[0]) {
			fmt_snprintf(failure, sizeof(failure), "returned %d", r);
		}
		if (r == 0)
			env->print("test %s: ok\n", t->name);
		else
			env->print("test %s: FAILED (%s)\n", t->name, failure);
		failed += r != 0;
	}
	return failed;
}
