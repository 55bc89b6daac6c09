/*
 * sched: chooses what this CPU runs next. Today a plain round robin over
 * runnable environments on each timer tick; issue 3 replaces it with the
 * exported slice vector and directed yield.
 */
#ifndef XOK_SCHED_H
#define XOK_SCHED_H

/* Runs the next runnable environment after the current one; idles while
 * none is runnable; ends the machine when no environment is left. */
void sched_yield(void) __attribute__((noreturn));

/* The status the machine exits with when the last environment is gone. */
void sched_set_exit_code(int code);

#endif
