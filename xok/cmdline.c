/*
 * cmdline: "key=value" lookup, words separated by spaces.
 */
#include "cmdline.h"

int cmdline_get(const char *cmdline, const char *key, char *out,
		size_t outlen)
{
	int found = 0;
	const char *p = cmdline;

	while (*p) {
		const char *k = key, *w = p;

		while (*w && *w != ' ' && *k && *w == *k)
			w++, k++;
		if (!*k && *w == '=') {
			size_t n = 0;

			w++;
			while (w[n] && w[n] != ' ')
				n++;
			if (n >= outlen)
				return -1;
			for (size_t i = 0; i < n; i++)
				out[i] = w[i];
			out[n] = '\0';
			found = 1;
		}
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return found;
}
