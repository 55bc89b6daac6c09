/*
 * stack: see stack.h. Layout, from high addresses down: the strings
 * (execfn, then envp's and argv's), the platform's name, the 16 random
 * bytes, padding to 16, then auxv pairs, envp pointers and NULL, argv
 * pointers and NULL, argc.
 */
#include "stack.h"

#include "../lib/string.h"

struct cursor {
	uint8_t *buf;
	uint64_t top, sp, floor; /* addresses in the new program */
};

/* Reserves `len` bytes below sp: their address, or 0 if out of room. */
static uint64_t push(struct cursor *c, const void *bytes, size_t len)
{
	if (c->sp - c->floor < len)
		return 0;
	c->sp -= len;
	memcpy(c->buf + (c->sp - c->floor), bytes, len);
	return c->sp;
}

/* Pushes every string of `v`; stores their addresses in `addrs`. */
static int push_strings(struct cursor *c, const struct strvec *v,
			uint64_t *addrs)
{
	const char *s = v->bytes;

	for (unsigned i = 0; i < v->n; i++) {
		size_t len = strlen(s) + 1;

		if (!(addrs[i] = push(c, s, len)))
			return -1;
		s += len;
	}
	return 0;
}

uint64_t stack_build(uint8_t *buf, size_t size, uint64_t top,
		     const struct strvec *argv, const struct strvec *envp,
		     const struct auxv *aux, unsigned n_aux,
		     const uint8_t random[16], const char *execfn)
{
	struct cursor c = { buf, top, top, top - size };
	unsigned nwords = 1 + argv->n + 1 + envp->n + 1 + 2 * (n_aux + 5);
	uint64_t addrs_storage[nwords]; /* argv, envp addresses, then words */
	uint64_t *argp = addrs_storage, *envpp = argp + argv->n;
	uint64_t fn, platform, rnd, *w;
	unsigned k = 0;

	if (!(fn = push(&c, execfn, strlen(execfn) + 1)) ||
	    push_strings(&c, envp, envpp) || push_strings(&c, argv, argp) ||
	    !(platform = push(&c, "x86_64", sizeof("x86_64"))) ||
	    !(rnd = push(&c, random, 16)))
		return 0;
	c.sp &= ~15ull;
	/* The words, built in order, then pushed as one block; the block's
	 * start must be 16-byte aligned. */
	uint64_t words[nwords];

	w = words;
	w[k++] = argv->n;
	for (unsigned i = 0; i < argv->n; i++)
		w[k++] = argp[i];
	w[k++] = 0;
	for (unsigned i = 0; i < envp->n; i++)
		w[k++] = envpp[i];
	w[k++] = 0;
	for (unsigned i = 0; i < n_aux; i++) {
		w[k++] = aux[i].type;
		w[k++] = aux[i].value;
	}
	w[k++] = 25; /* AT_RANDOM */
	w[k++] = rnd;
	w[k++] = 26; /* AT_HWCAP2: no ring-3 MWAIT, no FSGSBASE for programs */
	w[k++] = 0;
	w[k++] = 31; /* AT_EXECFN */
	w[k++] = fn;
	w[k++] = 15; /* AT_PLATFORM */
	w[k++] = platform;
	w[k++] = 0; /* AT_NULL */
	w[k++] = 0;
	if (c.sp - c.floor < k * 8)
		return 0;
	c.sp = (c.sp - k * 8) & ~15ull;
	if (c.sp < c.floor)
		return 0;
	memcpy(c.buf + (c.sp - c.floor), words, k * 8);
	return c.sp;
}
