/*
 * ktest: the kernel's own in-guest tests (SELFTEST in xok/ktest.c), run
 * at boot when the command line says ktest=NAME,...|all.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

/* Runs the tests `cmdline` asks for. If any fails, the machine exits with
 * the failure status; if they pass and no init= is given, it exits with
 * the pass status; otherwise boot continues. */
void ktest_run_requested(const char *cmdline);

#endif
