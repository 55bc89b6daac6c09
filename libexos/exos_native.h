/*
 * exos_native: what a native program linked with libexos.a may call
 * beyond the C library (whose system calls ExOS serves in-process).
 */
#ifndef LIBEXOS_EXOS_NATIVE_H
#define LIBEXOS_EXOS_NATIVE_H

/* Sleeps until something is typed on the console or a child process of
 * the caller changes state (or a second passes), and takes what was typed
 * into the terminal (so ^C reaches the foreground job even when nobody
 * reads); ends processes whose environments vanished. init's main loop. */
void exos_console_wait(void);

#endif
