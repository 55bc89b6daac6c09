/*
 * rt: the minimal runtime of native test programs that run on Xok without
 * a libOS: console printing and exit. ExOS provides the real one.
 */
#ifndef BIN_RT_H
#define BIN_RT_H

#include <stdint.h>
#include <xok/error.h>
#include <xok/syscall.h>

#include "../../lib/string.h"

/* The program's entry: `arg` is the text after "NAME:" in init=. */
int main(const char *arg);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_exit(int64_t status) __attribute__((noreturn));

/* Runs this program's SELFTESTs named in `select` ("all" if empty) and
 * returns the process status: 0 if all passed. */
int rt_run_selftests(const char *select);

#endif
