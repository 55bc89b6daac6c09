/*
 * cmdline: "key=value" lookup, words separated by spaces. A value in
 * double quotes (key="a b") may hold spaces; the quotes are not part of
 * it (as on Linux's command line).
 */
#include "cmdline.h"

/* The end of the word starting at `w`: a space outside quotes, or NUL. */
static const char *word_end(const char *w)
{
	int quoted = 0;

	for (; *w && (quoted || *w != ' '); w++)
		if (*w == '"')
			quoted = !quoted;
	return w;
}

int cmdline_get(const char *cmdline, const char *key, char *out,
		size_t outlen)
{
	int found = 0;
	const char *p = cmdline;

	while (*p) {
		const char *k = key, *w = p, *end = word_end(p);

		while (w < end && *k && *w == *k)
			w++, k++;
		if (!*k && *w == '=') {
			size_t n = 0;

			for (w++; w < end; w++) {
				if (*w == '"')
					continue;
				if (n + 1 >= outlen)
					return -1;
				out[n++] = *w;
			}
			out[n] = '\0';
			found = 1;
		}
		p = end;
		while (*p == ' ')
			p++;
	}
	return found;
}
