/*
 * shutdown: ends the machine. Under QEMU the isa-debug-exit device turns
 * the code into QEMU's exit status, (code << 1) | 1; the test harness
 * (tests/qemu/run-scenario) knows these three.
 */
#ifndef KERN_SHUTDOWN_H
#define KERN_SHUTDOWN_H

#define EXIT_PASS  0x10 /* QEMU exits 33: the first environment exited 0 */
#define EXIT_FAIL  0x11 /* QEMU exits 35: it failed or was killed */
#define EXIT_PANIC 0x12 /* QEMU exits 37: the kernel panicked */

void machine_exit(int code) __attribute__((noreturn));

#endif
