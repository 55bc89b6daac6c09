/*
 * console: a 16550 UART at COM1, 115200 8N1.
 */
#include "console.h"

#include <stdarg.h>

#include "../lib/fmt.h"
#include "export.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1 /* interrupt enable */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY 0x20
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the interrupt line */
#define IER_RX 0x01

/* The input ring: written by cons_intr, read by cons_getc; both run with
 * interrupts off (the kernel is not preemptible), so no lock. */
#define INBUF_SIZE 512
static unsigned char inbuf[INBUF_SIZE];
static unsigned in_head, in_tail;

void cons_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1); /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	/* FIFOs stay off: turning them on would flush a character that
	 * arrived before this point, and without them the sender waits for
	 * each byte to be taken, so input is never dropped by the UART. */
	outb(COM1 + UART_FCR, 0);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
	outb(COM1 + UART_IER, IER_RX);
}

static void uart_put(int c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_TX_EMPTY))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void cons_putc(int c)
{
	if (c == '\n')
		uart_put('\r');
	uart_put(c);
}

void cons_write(const char *s, size_t n)
{
	while (n--)
		cons_putc(*s++);
}

static void putc_sink(int c, void *arg)
{
	(void)arg;
	cons_putc(c);
}

int cprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(putc_sink, 0, fmt, ap);
	va_end(ap);
	return n;
}

/* Takes what the UART holds while the ring has room. When it is full the
 * receive interrupt is turned off, so further input waits in the UART
 * (and the sender) instead of being dropped; cons_getc turns it on again. */
void cons_intr(void)
{
	while (in_head - in_tail < INBUF_SIZE &&
	       (inb(COM1 + UART_LSR) & LSR_DATA_READY))
		inbuf[in_head++ % INBUF_SIZE] = inb(COM1 + UART_DATA);
	if (in_head - in_tail == INBUF_SIZE)
		outb(COM1 + UART_IER, 0);
	exp_clock.cons_in = in_head - in_tail;
}

int cons_getc(void)
{
	int c;

	if (in_tail == in_head)
		return -1;
	c = inbuf[in_tail++ % INBUF_SIZE];
	exp_clock.cons_in = in_head - in_tail;
	outb(COM1 + UART_IER, IER_RX); /* room again (see cons_intr) */
	return c;
}
