/*
 * XN: protected sharing of disk blocks. The on-disk format every XN disk
 * has, whatever library file systems live on it, and the types of the XN
 * calls.
 *
 * XN knows no file system. A libFS describes each of its metadata types
 * with a template: an owns-UDF (<xok/udf.h>) that maps a block's bytes to
 * the set of (block, type) pairs the block points to, and an access-UDF.
 * Every block is reachable from a named root through owns-UDFs; XN checks
 * that every change to a metadata block changes that set exactly as the
 * caller declares, which is what lets untrusted libFSes share one disk.
 *
 * Layout (4 KiB blocks):
 *   0                      struct xok_xn_super
 *   1 .. freemap_blocks    the free map: bit b set = block b in use
 *   types_start ..         XOK_XN_MAXTYPES blocks, one template each
 *   roots_block            the root catalogue: struct xok_xn_root[]
 *   roots_block + 1 ..     the pair log: a header (struct xok_xn_log),
 *                          then the two block images it commits
 *   the rest               blocks owned through the roots
 */
#ifndef XOK_XN_H
#define XOK_XN_H

#include <stdint.h>
#include <xok/cap.h>
#include <xok/udf.h>
#include <xok/wk.h>

#define XOK_XN_MAGIC 0x31304e58u /* "XN01" */
#define XOK_XN_VERSION 2
#define XOK_XN_BLOCK 4096
#define XOK_XN_MAXTYPES 16
#define XOK_XN_NAME 32
/* Type 0 is plain data: it owns nothing and has no template. */
#define XOK_XN_DATA 0

struct xok_xn_super {
	uint32_t magic;
	uint32_t version;
	uint64_t nblocks;
	uint64_t freemap_start;
	uint64_t freemap_blocks;
	uint64_t types_start;
	uint64_t roots_block;
	uint32_t clean; /* written 1 at orderly shutdown, 0 while mounted */
	uint32_t pad;
};

/* Instructions a template holds: its owns-UDF, then its access-UDF. */
#define XOK_XN_TEMPLATE_INSNS 252

struct xok_xn_template {
	char name[XOK_XN_NAME];
	uint32_t in_use;
	uint32_t owns_len;   /* instructions of the owns-UDF */
	uint32_t access_len; /* instructions of the access-UDF (may be 0) */
	uint32_t size;       /* bytes of a block the UDFs see (0: all 4096) */
	struct xok_udf_insn insns[XOK_XN_TEMPLATE_INSNS];
};

struct xok_xn_root {
	char name[XOK_XN_NAME];
	uint64_t block;
	uint32_t type;
	uint32_t in_use;
	struct xok_guard guard; /* who may change what hangs from it */
	uint32_t pad;
};

#define XOK_XN_MAXROOTS (XOK_XN_BLOCK / sizeof(struct xok_xn_root))

/* The credential words an access-UDF reads with CRED: the rights asked
 * for (XOK_CAP_R / XOK_CAP_W) and the asking environment's id. */
#define XOK_XN_CRED_RIGHTS 0
#define XOK_XN_CRED_ENV    1
#define XOK_XN_NCRED       2

/* A block a metadata block points to. */
struct xok_xn_pair {
	uint64_t block;
	uint64_t type;
};

/*
 * The buffer cache registry, exported read-only at XOK_UXN: which disk
 * blocks XN holds in which physical pages, and in what state. A libFS
 * finds a cached block here without a call, and waits for a READING or
 * WRITING entry with a wakeup predicate on `state`.
 *
 * When the registry or memory runs short, XN reclaims entries that are
 * clean (VALID), mapped nowhere and have no cached children, taking them
 * round the registry in turn (a clock); the entry may then hold another
 * block. Mapping a block pins it; otherwise check an entry's `block`
 * before using an index kept from earlier.
 *
 * Entries are chained by block number in XOK_XN_HASH buckets, whose
 * heads are exported at XOK_UXNHASH, so finding a block costs a bucket,
 * not a scan of the registry (xok_xn_lookup).
 */
#define XOK_XN_REGISTRY 4096
#define XOK_XN_HASH 4096 /* a power of two */

#define XOK_XN_EMPTY   0
#define XOK_XN_READING 1
#define XOK_XN_VALID   2 /* as on disk */
#define XOK_XN_DIRTY   3 /* changed in memory */
#define XOK_XN_WRITING 4

struct xok_xn_entry {
	uint64_t block;
	uint64_t pfn;
	uint32_t state;  /* XOK_XN_* */
	uint32_t type;
	uint32_t parent; /* registry index of its parent; ~0 for a root */
	uint32_t root;   /* its root's catalogue index: whose guard applies */
	uint32_t uninit; /* allocated and never written: do not trust on disk */
	uint32_t taint;  /* uninitialised blocks it points to: may not be written */
	uint32_t freed;  /* freed; reusable once its parent is on disk */
	uint32_t error;  /* the last read or write failed */
	uint32_t children; /* its cached children (it cannot be reclaimed) */
	/* Registry index + 1 of the entry changed together with this one by
	 * xn_modify_pair and not yet written with it; 0 if none. The two
	 * reach the disk together, through the pair log. */
	uint32_t pair;
	uint32_t next;   /* index + 1 of the next entry of its bucket; 0: last */
	/* Its cached children freed and waiting for it to be written, so
	 * that writing it looks for them only when there are some. */
	uint32_t freed_children;
};

#define XOK_XN_NO_PARENT 0xffffffffu

static inline uint32_t xok_xn_bucket(uint64_t block)
{
	return (uint32_t)(block & (XOK_XN_HASH - 1));
}

/* The registry entry caching `block` (perhaps freed), or -1: a walk of
 * its bucket in the exported registry `reg` with bucket heads `head`.
 * User code reads them while XN may change them, so the answer is a
 * hint to check against the entry (the walk is bounded whatever it
 * meets). */
static inline int64_t xok_xn_lookup(const volatile struct xok_xn_entry *reg,
				    const volatile uint32_t *head,
				    uint64_t block)
{
	uint32_t i = head[xok_xn_bucket(block)];

	for (unsigned steps = 0; i && i <= XOK_XN_REGISTRY &&
	     steps < XOK_XN_REGISTRY; steps++, i = reg[i - 1].next)
		if (reg[i - 1].state != XOK_XN_EMPTY && reg[i - 1].block == block)
			return (int64_t)i - 1;
	return -1;
}

/* May `block` be allocated now? Free in the exported map `map` and not
 * in the exported registry (XN keeps a freed block cached until its
 * parent is on disk, and refuses to allocate it before). */
static inline int xok_xn_allocatable(const volatile uint8_t *map,
				     const volatile struct xok_xn_entry *reg,
				     const volatile uint32_t *head,
				     uint64_t block)
{
	if ((map[block / 8] >> (block % 8)) & 1)
		return 0;
	return xok_xn_lookup(reg, head, block) < 0;
}

/* A wakeup predicate (<xok/wk.h>) true once registry entry `e` is
 * neither being read nor written: VALID, DIRTY, or EMPTY (dropped). */
#define XOK_XN_SETTLE_INSNS 8
static inline void xok_xn_settle_prog(struct xok_wk_insn *prog,
				      const volatile struct xok_xn_entry *e)
{
	static const uint32_t settled[] = { XOK_XN_VALID, XOK_XN_DIRTY,
					    XOK_XN_EMPTY };

	prog[0] = (struct xok_wk_insn){ .op = XOK_WK_LOAD32, .dst = 0,
					.imm = (uint64_t)(uintptr_t)&e->state };
	for (unsigned i = 0; i < 3; i++) {
		prog[1 + 2 * i] = (struct xok_wk_insn){
			.op = XOK_WK_CONST, .dst = (uint8_t)(1 + i),
			.imm = settled[i] };
		prog[2 + 2 * i] = (struct xok_wk_insn){
			.op = XOK_WK_WAKE_EQ, .a = 0, .b = (uint8_t)(1 + i) };
	}
	prog[7] = (struct xok_wk_insn){ .op = XOK_WK_END };
}

/* One byte modification of xok_xn_modify: `len` bytes from user address
 * `bytes` to offset `offset` of the block. */
struct xok_xn_mod {
	uint32_t offset;
	uint32_t len;
	uint64_t bytes;
};
#define XOK_XN_MAXMODS 16

/* What a modification allocates and frees: the pairs the block's owned
 * set gains and loses. 16: a 64 KiB write's blocks in one change. */
#define XOK_XN_MAXDELTA 16
struct xok_xn_delta {
	uint64_t nadd, nrm;
	struct xok_xn_pair add[XOK_XN_MAXDELTA];
	struct xok_xn_pair rm[XOK_XN_MAXDELTA];
};

/*
 * xn_modify_pair: two cached metadata blocks changed together. Each gets
 * its own byte modifications; `delta` is what the two together allocate
 * and free; `moved` lists the pairs owned by one before and by the other
 * after (ownership moving between them, as when a libFS moves a
 * directory entry holding an inode to another block).
 */
#define XOK_XN_MAXMOVE 32
struct xok_xn_pair_change {
	uint64_t idx[2];   /* registry indices of the two blocks (distinct) */
	uint64_t mods[2];  /* user address of each one's struct xok_xn_mod[] */
	uint64_t nmods[2]; /* at most XOK_XN_MAXMODS each */
	struct xok_xn_delta delta;
	uint64_t nmoved;
	struct xok_xn_pair moved[XOK_XN_MAXMOVE];
};

/*
 * The pair log, XOK_XN_LOG_BLOCKS blocks after the root catalogue. To
 * write two blocks changed together, XN writes their images to the log,
 * then this header (the commit), then both blocks in place, then a zeroed
 * header. Mounting a disk whose header is committed copies the images in
 * place first: the pair is on disk entirely or not at all.
 */
#define XOK_XN_LOG_MAGIC 0x474f4c58u /* "XLOG" */
#define XOK_XN_LOG_BLOCKS 3
struct xok_xn_log {
	uint32_t magic; /* XOK_XN_LOG_MAGIC: committed; 0: empty */
	uint32_t pad;
	uint64_t block[2]; /* where images 1 and 2 of the log belong */
};

/* The in-memory free map of the mounted disk is exported too, at
 * XOK_UXNMAP (a bit per block, 1 = in use), up to this many blocks. */
#define XOK_XN_MAXMAPBLOCKS 2

#endif
