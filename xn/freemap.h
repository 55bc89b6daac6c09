/*
 * freemap: the layout of an XN disk, its free map, and the map rebuilt
 * from the roots by running owns-UDFs — what XN does after an unclean
 * shutdown and what xn-fsck compares the on-disk map against. Pure.
 */
#ifndef XN_FREEMAP_H
#define XN_FREEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <xok/xn.h>

#define XN_E_SUPER (-26) /* not an XN superblock, or a layout that does not fit */
#define XN_E_TWICE_REACHED (-27) /* a block is reachable along two paths */
#define XN_E_READ  (-28) /* a block could not be read */
#define XN_E_ROOT  (-29) /* a root names a block outside the disk or a bad type */
#define XN_E_LOG   (-30) /* a committed pair log names blocks it may not */

static inline int xn_bit(const uint8_t *map, uint64_t b)
{
	return (map[b / 8] >> (b % 8)) & 1;
}

static inline void xn_bit_set(uint8_t *map, uint64_t b)
{
	map[b / 8] |= (uint8_t)(1u << (b % 8));
}

static inline void xn_bit_clear(uint8_t *map, uint64_t b)
{
	map[b / 8] &= (uint8_t)~(1u << (b % 8));
}

/* Fills `s` with the layout of a fresh XN disk of `nblocks` blocks.
 * Returns 0 or XN_E_SUPER if the disk is too small to hold it. */
int xn_layout(uint64_t nblocks, struct xok_xn_super *s);

/* Checks a superblock read from a disk of `disk_blocks` blocks. */
int xn_super_check(const struct xok_xn_super *s, uint64_t disk_blocks);

/* The pair log's header block; its two images follow it. */
static inline uint64_t xn_log_start(const struct xok_xn_super *s)
{
	return s->roots_block + 1;
}

/* The first block roots may own: the ones before are XN's own. */
static inline uint64_t xn_first_owned(const struct xok_xn_super *s)
{
	return xn_log_start(s) + XOK_XN_LOG_BLOCKS;
}

/* Marks the blocks XN itself uses (superblock, map, catalogues, log). */
void xn_mark_fixed(const struct xok_xn_super *s, uint8_t *map);

/* Is pair log header `l` committed (1) or empty (0)? XN_E_LOG if it is
 * neither, or names a block XN owns itself, or the same block twice. */
int xn_log_check(const struct xok_xn_super *s, const struct xok_xn_log *l);

/* Where the current contents of `block` are on a disk whose pair log
 * header `l` is committed (read through it, a disk looks as it will once
 * mounting has copied the log in place): its image in the log, or the
 * block itself. */
uint64_t xn_log_redirect(const struct xok_xn_super *s,
			 const struct xok_xn_log *l, uint64_t block);

/* Reads block `block` (XOK_XN_BLOCK bytes) into `buf`; 0 or nonzero. */
typedef int (*xn_read_fn)(uint64_t block, uint8_t *buf, void *ctx);

/*
 * Rebuilds the free map into `map` (zeroed by the caller, a bit per
 * block): the fixed blocks, then every block reachable from the in-use
 * roots through the owns-UDFs of `types`. `stack` has room for nblocks
 * pairs and `buf` for one block. Returns 0, or an error with *bad set to
 * the block concerned: XN_E_TWICE_REACHED, XN_E_ROOT, XN_E_READ, or what
 * xn_owned returns for a block whose bytes its owns-UDF refuses.
 */
int xn_rebuild(const struct xok_xn_super *s,
	       const struct xok_xn_template *types,
	       const struct xok_xn_root *roots, xn_read_fn read, void *ctx,
	       uint8_t *map, struct xok_xn_pair *stack, uint8_t *buf,
	       uint64_t *bad);

#endif
