/*
 * Freestanding string functions. The bulk ones (memset, memcpy, memmove)
 * use the x86 string instructions eight bytes at a time: the kernel
 * zeroes every page it hands out and the libOSes copy whole pages (fork,
 * exec, the buffer cache), and a byte loop made those the cost of a
 * fork (and, under QEMU's -icount, each byte counted as several
 * instructions). The rest are kept byte-simple. The compiler may not
 * turn any loop here back into a call to these functions (the Makefile
 * builds this file with -fno-builtin and
 * -fno-tree-loop-distribute-patterns). The direction flag is clear, as
 * the ABI and every entry path (cld) guarantee.
 */
#include "string.h"

#include <stdint.h>

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, rest = n % 8;
	uint64_t v = 0x0101010101010101ull * (unsigned char)c;

	__asm__ volatile("rep stosq\n\tmov %3, %%rcx\n\trep stosb"
			 : "+D"(d), "+c"(words)
			 : "a"(v), "r"(rest)
			 : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 8, rest = n % 8;

	__asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
			 : "+D"(d), "+S"(src), "+c"(words)
			 : "r"(rest)
			 : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n); /* forwards is safe */
	/* Backwards, from the last byte, the direction flag set only
	 * meanwhile. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld"
			 : "+D"(d), "+S"(s), "+c"(n)
			 :
			 : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return 0;
	}
}
