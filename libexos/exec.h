/*
 * exec: an exec request as a native program hands it to the ExOS image
 * (exec.c): the program's path and its argv and envp, already copied out
 * of the caller's memory.
 */
#ifndef LIBEXOS_EXEC_H
#define LIBEXOS_EXEC_H

#include "path.h"
#include "stack.h"

#define EXEC_ARGS (128 * 1024) /* bytes of argv, and of envp, strings */
#define EXOS_IMAGE_PATH "/lib/exos"

struct exec_request {
	char path[PATH_MAX_LEN];
	struct strvec argv, envp;
	char args[EXEC_ARGS], envs[EXEC_ARGS];
};

/* Runs the request in this copy of ExOS: returns only with an error. */
int64_t exos_exec_request(struct exec_request *rq);

#endif
