/*
 * lib/string: the freestanding memset, memcpy and memmove (x86 string
 * instructions), checked against byte-by-byte expectations at every
 * length and alignment that matters (the eight-byte part, the tail,
 * overlap in both directions).
 */
#include <stddef.h>
#include <stdint.h>

#include "unit.h"

void *lib_memset(void *dst, int c, size_t n);
void *lib_memcpy(void *dst, const void *src, size_t n);
void *lib_memmove(void *dst, const void *src, size_t n);

#define SIZE 96

static uint8_t buf[SIZE], want[SIZE];

static void fill(uint8_t *b)
{
	for (int i = 0; i < SIZE; i++)
		b[i] = (uint8_t)(i * 7 + 1);
}

static int same(void)
{
	for (int i = 0; i < SIZE; i++)
		if (buf[i] != want[i])
			return 0;
	return 1;
}

static void memset_every_length_and_offset(void)
{
	for (int off = 0; off < 9; off++)
		for (int n = 0; n + off <= 40; n++) {
			fill(buf);
			fill(want);
			for (int i = 0; i < n; i++)
				want[off + i] = 0xa5;
			CU_ASSERT_PTR_EQUAL(lib_memset(buf + off, 0x1a5, (size_t)n),
					    buf + off);
			CU_ASSERT(same());
		}
}

static void memcpy_every_length_and_offset(void)
{
	uint8_t src[SIZE];

	for (int i = 0; i < SIZE; i++)
		src[i] = (uint8_t)(0xff - i);
	for (int so = 0; so < 9; so++)
		for (int doff = 0; doff < 9; doff++)
			for (int n = 0; n <= 40; n++) {
				fill(buf);
				fill(want);
				for (int i = 0; i < n; i++)
					want[doff + i] = src[so + i];
				CU_ASSERT_PTR_EQUAL(lib_memcpy(buf + doff, src + so,
							       (size_t)n),
						    buf + doff);
				CU_ASSERT(same());
			}
}

/* Overlapping moves both ways, by every distance below and above a
 * word. */
static void memmove_overlaps(void)
{
	for (int from = 0; from < 24; from++)
		for (int to = 0; to < 24; to++)
			for (int n = 0; n <= 40; n++) {
				uint8_t tmp[SIZE];

				fill(buf);
				fill(want);
				for (int i = 0; i < n; i++)
					tmp[i] = want[from + i];
				for (int i = 0; i < n; i++)
					want[to + i] = tmp[i];
				CU_ASSERT_PTR_EQUAL(lib_memmove(buf + to, buf + from,
								(size_t)n),
						    buf + to);
				CU_ASSERT(same());
			}
}

static const struct unit_test tests[] = {
	{ "memset at every length and offset",
	  memset_every_length_and_offset },
	{ "memcpy at every length and alignment",
	  memcpy_every_length_and_offset },
	{ "memmove overlapping both ways", memmove_overlaps },
	{ 0, 0 },
};

void add_string_tests(void)
{
	add_suite("lib/string", tests);
}
