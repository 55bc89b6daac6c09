/*
 * path: turning the paths programs pass into absolute, normalized paths
 * with every symbolic link followed — C-FFS itself does not follow links
 * (cffs.h), the namespace does. Pure string work over a `readlink`
 * callback, so the host tests drive it with a table of links.
 */
#include "path.h"

#include "../lib/string.h"

/* Appends component [s, s+n) to `out` (length *len). */
static int append(char *out, size_t *len, const char *s, size_t n)
{
	if (*len + 1 + n >= PATH_MAX_LEN)
		return PATH_E_TOOLONG;
	if (*len != 1)
		out[(*len)++] = '/';
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

static void pop(char *out, size_t *len)
{
	while (*len > 1 && out[*len - 1] != '/')
		(*len)--;
	if (*len > 1)
		(*len)--;
	out[*len] = '\0';
}

int path_resolve(const char *base, const char *path, int follow_last,
		 path_readlink_fn readlink, void *arg, char *out)
{
	/* `rest` holds what is left to walk; links are spliced in front. */
	char rest[PATH_MAX_LEN], link[PATH_MAX_LEN];
	size_t len = 1, links = 0;
	const char *p;

	if (!*path)
		return PATH_E_NOENT;
	if (strlen(path) >= PATH_MAX_LEN)
		return PATH_E_TOOLONG;
	memcpy(rest, path, strlen(path) + 1);
	out[0] = '/';
	out[1] = '\0';
	if (rest[0] != '/') {
		size_t bl = strlen(base);

		if (bl >= PATH_MAX_LEN)
			return PATH_E_TOOLONG;
		memcpy(out, base, bl + 1);
		len = bl;
	}
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *after = end;
		int r, last;

		while (after && *after == '/')
			after++;
		last = !after || !*after;

		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			pop(out, &len);
			p += n;
			continue;
		}
		if ((r = append(out, &len, p, n)))
			return r;
		p += n;
		if (last && !follow_last)
			continue;
		long t = readlink(arg, out, link, sizeof(link) - 1);

		if (t == PATH_NOT_LINK)
			continue;
		if (t < 0)
			return (int)t;
		if (++links > PATH_MAX_LINKS)
			return PATH_E_LOOP;
		link[t] = '\0';
		/* The link's target, then what was left after it. */
		size_t left = strlen(p);

		if ((size_t)t + 1 + left >= PATH_MAX_LEN)
			return PATH_E_TOOLONG;
		memmove(rest + t + 1, p, left + 1);
		memcpy(rest, link, (size_t)t);
		rest[t] = '/';
		p = rest;
		pop(out, &len);
		if (link[0] == '/') {
			len = 1;
			out[1] = '\0';
		}
	}
}
