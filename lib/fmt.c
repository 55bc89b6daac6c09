/*
 * fmt: printf-style formatting for the kernel, user programs and host tests.
 */
#include "fmt.h"

#include <stdint.h>

struct spec {
	int left;      /* '-' flag: pad on the right */
	int zero;      /* '0' flag: pad numbers with zeros */
	int alt;       /* '#' flag: 0x before hex, 0 before octal (not for 0) */
	int width;
	int precision; /* -1 when absent */
	int size;      /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

struct out {
	fmt_putc_fn putc;
	void *arg;
	int count;
};

static void emit(struct out *o, int c)
{
	o->putc(c, o->arg);
	o->count++;
}

static void pad(struct out *o, int c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

static void emit_str(struct out *o, const struct spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->precision < 0 || len < s->precision))
		len++;
	if (!s->left)
		pad(o, ' ', s->width - len);
	for (int i = 0; i < len; i++)
		emit(o, str[i]);
	if (s->left)
		pad(o, ' ', s->width - len);
}

/* Prints magnitude `v` in `base`, with an optional sign and "0x" prefix. */
static void emit_num(struct out *o, const struct spec *s, uint64_t v,
		     unsigned base, int negative, int upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, prefix_len = 0, body;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		prefix = "-";
	while (prefix && prefix[prefix_len])
		prefix_len++;
	body = n + prefix_len;

	if (!s->left && !s->zero)
		pad(o, ' ', s->width - body);
	for (int i = 0; i < prefix_len; i++)
		emit(o, prefix[i]);
	if (!s->left && s->zero)
		pad(o, '0', s->width - body);
	while (n)
		emit(o, buf[--n]);
	if (s->left)
		pad(o, ' ', s->width - body);
}

static uint64_t take_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->size) {
	case -2: return (unsigned char)va_arg(*ap, unsigned);
	case -1: return (unsigned short)va_arg(*ap, unsigned);
	case 0: return va_arg(*ap, unsigned);
	case 1: return va_arg(*ap, unsigned long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned long long);
	}
}

static int64_t take_signed(const struct spec *s, va_list *ap)
{
	switch (s->size) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 0: return va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 3: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, long long);
	}
}

/* Parses flags, width, precision and size after '%'; returns the
 * conversion character's position. */
static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			s->left = 1;
		else if (*p == '0')
			s->zero = 1;
		else if (*p == '#')
			s->alt = 1;
		else
			break;
	}
	if (*p == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = 1;
			s->width = -s->width;
		}
		p++;
	}
	while (*p >= '0' && *p <= '9')
		s->width = s->width * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		s->precision = 0;
		if (*p == '*') {
			s->precision = va_arg(*ap, int);
			p++;
		}
		while (*p >= '0' && *p <= '9')
			s->precision = s->precision * 10 + (*p++ - '0');
	}
	for (;; p++) {
		if (*p == 'l')
			s->size = s->size < 1 ? 1 : 2;
		else if (*p == 'h')
			s->size = s->size == -1 ? -2 : -1;
		else if (*p == 'z')
			s->size = 3;
		else
			break;
	}
	return p;
}

int fmt_vformat(fmt_putc_fn putc, void *arg, const char *fmt, va_list ap_in)
{
	struct out o = { putc, arg, 0 };
	struct spec s;
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		const char *start = p;
		p = parse_spec(p + 1, &s, &ap);
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&s, &ap);
			emit_num(&o, &s, v < 0 ? -(uint64_t)v : (uint64_t)v, 10,
				 v < 0, 0, 0);
			break;
		}
		case 'u':
			emit_num(&o, &s, take_unsigned(&s, &ap), 10, 0, 0, 0);
			break;
		case 'x':
		case 'X': {
			uint64_t v = take_unsigned(&s, &ap);

			emit_num(&o, &s, v, 16, 0, *p == 'X',
				 s.alt && v ? (*p == 'X' ? "0X" : "0x") : 0);
			break;
		}
		case 'o': {
			uint64_t v = take_unsigned(&s, &ap);

			emit_num(&o, &s, v, 8, 0, 0, s.alt && v ? "0" : 0);
			break;
		}
		case 'p':
			emit_num(&o, &s, (uintptr_t)va_arg(ap, void *), 16, 0, 0,
				 "0x");
			break;
		case 's':
			emit_str(&o, &s, va_arg(ap, const char *));
			break;
		case 'c':
			s.precision = -1;
			if (!s.left)
				pad(&o, ' ', s.width - 1);
			emit(&o, (char)va_arg(ap, int));
			if (s.left)
				pad(&o, ' ', s.width - 1);
			break;
		case '%':
			emit(&o, '%');
			break;
		default:
			/* Unknown conversion: show it as written, so a bad
			 * format is visible rather than silently eaten. */
			for (const char *q = start; q <= p && *q; q++)
				emit(&o, *q);
			if (!*p)
				p--;
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t len;
};

static void buf_putc(int c, void *arg)
{
	struct buf_sink *b = arg;

	if (b->len + 1 < b->size)
		b->buf[b->len] = (char)c;
	b->len++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = fmt_vformat(buf_putc, &b, fmt, ap);

	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
