/*
 * path: see path.c.
 */
#ifndef LIBEXOS_PATH_H
#define LIBEXOS_PATH_H

#include <stddef.h>

#define PATH_MAX_LEN 1024
#define PATH_MAX_LINKS 40
#define PATH_E_NOENT   (-2)
#define PATH_E_TOOLONG (-36)
#define PATH_E_LOOP    (-40)
#define PATH_NOT_LINK  (-1000)

/* The target of `path` (absolute, normalized) into buf (not terminated):
 * its length; PATH_NOT_LINK if it is not a link (or does not exist); or
 * a negative errno. */
typedef long (*path_readlink_fn)(void *arg, const char *path, char *buf,
				 size_t size);

/*
 * Resolves `path` (relative to absolute `base` unless it starts with
 * '/') into `out` (PATH_MAX_LEN bytes): absolute, no ".", "..", repeated
 * slashes or links, except the last component when !follow_last. A
 * missing component is not an error here (the caller's lookup finds it).
 * Returns 0 or a negative errno.
 */
int path_resolve(const char *base, const char *path, int follow_last,
		 path_readlink_fn readlink, void *arg, char *out);

#endif
