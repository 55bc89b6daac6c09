/*
 * The C-FFS host tests' shared fixture (cffs_fixture.h).
 */
#include "cffs_fixture.h"

#include <stdlib.h>

#include "unit.h"

struct memblk m;
struct cffs_blk *b = &m.blk;

void fresh(uint64_t nblocks)
{
	CU_ASSERT_FATAL(memblk_init(&m, nblocks) == 0);
	CU_ASSERT_FATAL(cffs_mkfs(b) == 0);
}

void done(void)
{
	CU_ASSERT_EQUAL(memblk_check(&m), 0);
	memblk_free(&m);
}

int same(struct cffs_loc x, struct cffs_loc y)
{
	return x.parent == y.parent && x.block == y.block && x.off == y.off;
}

uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 12));
}

void check_range(const struct cffs_loc *f, uint64_t off, size_t len,
			int hole)
{
	uint8_t *buf = malloc(len);
	int ok = 1;

	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_EQUAL(cffs_read(b, f, off, buf, len), (long)len);
	for (size_t i = 0; i < len; i++)
		ok &= buf[i] == (hole ? 0 : pattern(off + i));
	CU_ASSERT(ok);
	free(buf);
}

void write_pattern(const struct cffs_loc *f, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);

	CU_ASSERT_FATAL(buf != NULL);
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(off + i);
	CU_ASSERT_EQUAL(cffs_write(b, f, off, buf, len), (long)len);
	free(buf);
}
