/*
 * cmdline: reads "key=value" words from the kernel command line. Pure; unit
 * tested on the host.
 *
 * A value may be quoted to hold spaces: init="init:ls -l /".
 *
 * Keys the kernel knows:
 *   init=PROG[:ARG][,PROG[:ARG]...]  programs to start (default: hello)
 *   ktest=NAME[,NAME...]|all         run the kernel's self-tests first
 *   crash=panic|triple|hang          misbehave on purpose (harness self-tests)
 */
#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H

#include <stddef.h>

/*
 * Copies the value of the last `key=` word in `cmdline` to `out` (at most
 * outlen-1 characters). Returns 1 if the key is present, 0 if absent, -1 if
 * its value does not fit.
 */
int cmdline_get(const char *cmdline, const char *key, char *out,
		size_t outlen);

#endif
