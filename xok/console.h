/*
 * console: the COM1 serial port, both ways. Output is polled (the kernel
 * prints little); input arrives by interrupt into a small ring.
 */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

#include <stddef.h>

#define IRQ_COM1 4

void cons_init(void);
void cons_putc(int c);
void cons_write(const char *s, size_t n);
int cprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The COM1 interrupt: moves received characters into the input ring. */
void cons_intr(void);
/* Takes the next received character, or returns -1 if none is waiting. */
int cons_getc(void);

#endif
