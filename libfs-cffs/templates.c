/*
 * templates: C-FFS's owns-UDFs, assembled here rather than written as
 * tables of numbers: the inode part is the same code in the SUPER, DIR
 * and INODES types, run at a different offset.
 *
 * Registers: r0 stays 0; r1 = offset of the inode in the block; r2 the
 * outer loop's counter; r5..r8 the types its direct and indirect pointers
 * name; r9 a pointer block's loop counter; r15 a cursor; the rest
 * scratch.
 */
#include "templates.h"

#include <stddef.h>

#include "format.h"

_Static_assert(offsetof(struct cffs_inode, flags) == CFFS_OFF_FLAGS, "");
_Static_assert(offsetof(struct cffs_inode, direct) == CFFS_OFF_DIRECT, "");
_Static_assert(offsetof(struct cffs_inode, ind) == CFFS_OFF_IND, "");
_Static_assert(CFFS_OFF_IND == CFFS_OFF_DIRECT + 8 * CFFS_NDIRECT,
	       "inode_code reads the indirect pointers after the direct ones");
_Static_assert(offsetof(struct cffs_super, root) == CFFS_OFF_ROOT, "");
_Static_assert(offsetof(struct cffs_super, inomap) == CFFS_OFF_INOMAP, "");
_Static_assert(sizeof(struct cffs_dirent) == CFFS_DIRENT_SIZE, "");
_Static_assert(sizeof(struct cffs_inode) <= CFFS_INODE_SLOT, "");
_Static_assert(sizeof(struct cffs_super) <= CFFS_BLOCK, "");

struct as {
	struct xok_udf_insn *p;
	unsigned n;
};

static unsigned op(struct as *a, uint8_t o, uint8_t dst, uint8_t ra,
		   uint8_t rb, int32_t off, uint64_t imm)
{
	if (a->n < XOK_XN_TEMPLATE_INSNS)
		a->p[a->n] = (struct xok_udf_insn){ o, dst, ra, rb, off, imm };
	return a->n++;
}

static void cnst(struct as *a, uint8_t r, uint64_t v)
{
	op(a, XOK_UDF_CONST, r, 0, 0, 0, v);
}

/* Points the forward jump at `at` to the next instruction. */
static void land(struct as *a, unsigned at)
{
	a->p[at].off = (int32_t)(a->n - at - 1);
}

/* Emits (word at cursor + off, type in `t`) unless the word is 0. */
static void emit_ptr(struct as *a, uint64_t off, uint8_t t)
{
	op(a, XOK_UDF_LD64, 4, 15, 0, 0, off);
	op(a, XOK_UDF_JEQ, 0, 4, 0, 1, 0);
	op(a, XOK_UDF_EMIT, 0, 4, t, 0, 0);
}

/* Emits the `n` words from `off` past the cursor, of the type in `t`:
 * unrolled, three steps a pointer (two for an empty one) and none for a
 * loop — XN runs these on every change. */
static void emit_ptrs(struct as *a, uint64_t off, unsigned n, uint8_t t)
{
	for (unsigned i = 0; i < n; i++)
		emit_ptr(a, off + 8 * i, t);
}

/* Pointers a pointer block's loop handles per turn. */
#define UNROLL 8
_Static_assert(CFFS_PTRS_PER_BLOCK % UNROLL == 0, "whole turns");

/* Emits the `n` pointers at the cursor (r15), of the type in r5. */
static void pointer_loop(struct as *a, unsigned n)
{
	unsigned top;

	cnst(a, 9, n / UNROLL - 1);
	top = a->n;
	emit_ptrs(a, 0, UNROLL, 5);
	op(a, XOK_UDF_ADDI, 15, 15, 0, 0, 8 * UNROLL);
	op(a, XOK_UDF_LOOP, 0, 9, 0, (int32_t)top - (int32_t)a->n - 1,
	   n / UNROLL - 1);
}

/* What the inode at offset r1 owns: nothing if unused or a reference to
 * an external inode; else its direct blocks (data, or DIR blocks for a
 * directory) and its indirect blocks of the matching kind. */
static void inode_code(struct as *a)
{
	unsigned unused, external, file;

	op(a, XOK_UDF_LD32, 10, 1, 0, 0, CFFS_OFF_MODE);
	unused = op(a, XOK_UDF_JEQ, 0, 10, 0, 0, 0);
	op(a, XOK_UDF_LD32, 11, 1, 0, 0, CFFS_OFF_FLAGS);
	cnst(a, 12, CFFS_I_EXTERNAL);
	op(a, XOK_UDF_AND, 11, 11, 12, 0, 0);
	external = op(a, XOK_UDF_JNE, 0, 11, 0, 0, 0);
	cnst(a, 12, CFFS_S_IFMT);
	op(a, XOK_UDF_AND, 13, 10, 12, 0, 0);
	cnst(a, 14, CFFS_S_IFDIR);
	cnst(a, 5, XOK_XN_DATA);
	cnst(a, 6, CFFS_T_IND1);
	cnst(a, 7, CFFS_T_IND2);
	cnst(a, 8, CFFS_T_IND3);
	file = op(a, XOK_UDF_JNE, 0, 13, 14, 0, 0);
	cnst(a, 5, CFFS_T_DIR);
	cnst(a, 6, CFFS_T_DIND1);
	cnst(a, 7, CFFS_T_DIND2);
	cnst(a, 8, CFFS_T_DIND3);
	land(a, file);
	op(a, XOK_UDF_ADDI, 15, 1, 0, 0, CFFS_OFF_DIRECT);
	emit_ptrs(a, 0, CFFS_NDIRECT, 5);
	emit_ptr(a, 8 * CFFS_NDIRECT, 6);
	emit_ptr(a, 8 * CFFS_NDIRECT + 8, 7);
	emit_ptr(a, 8 * CFFS_NDIRECT + 16, 8);
	land(a, unused);
	land(a, external);
}

/* `count` inodes `stride` bytes apart from offset 0. */
static void inode_array(struct as *a, unsigned count, unsigned stride)
{
	unsigned top;

	cnst(a, 2, count - 1);
	top = a->n;
	inode_code(a);
	op(a, XOK_UDF_ADDI, 1, 1, 0, 0, stride);
	op(a, XOK_UDF_LOOP, 0, 2, 0, (int32_t)top - (int32_t)a->n - 1,
	   count - 1);
}

static void super_code(struct as *a)
{
	cnst(a, 1, CFFS_OFF_ROOT);
	inode_code(a);
	cnst(a, 15, 0);
	cnst(a, 5, CFFS_T_INOMAP);
	emit_ptr(a, CFFS_OFF_INOMAP, 5);
}

/* The type a pointer block of `type` points to, or -1. */
static int child_of(unsigned type)
{
	switch (type) {
	case CFFS_T_IND1: return XOK_XN_DATA;
	case CFFS_T_IND2: return CFFS_T_IND1;
	case CFFS_T_IND3: return CFFS_T_IND2;
	case CFFS_T_DIND1: return CFFS_T_DIR;
	case CFFS_T_DIND2: return CFFS_T_DIND1;
	case CFFS_T_DIND3: return CFFS_T_DIND2;
	case CFFS_T_INOMAP: return CFFS_T_INODES;
	default: return -1;
	}
}

static const char *const names[CFFS_NTYPES] = {
	[CFFS_T_SUPER] = "cffs-super", [CFFS_T_DIR] = "cffs-dir",
	[CFFS_T_IND1] = "cffs-ind1", [CFFS_T_IND2] = "cffs-ind2",
	[CFFS_T_IND3] = "cffs-ind3", [CFFS_T_DIND1] = "cffs-dind1",
	[CFFS_T_DIND2] = "cffs-dind2", [CFFS_T_DIND3] = "cffs-dind3",
	[CFFS_T_INOMAP] = "cffs-inomap", [CFFS_T_INODES] = "cffs-inodes",
};

int cffs_template(unsigned type, struct xok_xn_template *t)
{
	struct as a = { t->insns, 0 };
	int child;

	if (type == 0 || type >= CFFS_NTYPES)
		return -1;
	*t = (struct xok_xn_template){ .in_use = 1 };
	for (unsigned i = 0; names[type][i]; i++)
		t->name[i] = names[type][i];
	if (type == CFFS_T_SUPER) {
		super_code(&a);
	} else if (type == CFFS_T_DIR) {
		inode_array(&a, CFFS_DIRENTS, CFFS_DIRENT_SIZE);
	} else if (type == CFFS_T_INODES) {
		inode_array(&a, CFFS_INODES_PER_BLOCK, CFFS_INODE_SLOT);
	} else {
		child = child_of(type);
		cnst(&a, 5, (uint64_t)child);
		pointer_loop(&a, CFFS_PTRS_PER_BLOCK);
	}
	op(&a, XOK_UDF_RET, 0, 0, 0, 0, 0);
	if (a.n > XOK_XN_TEMPLATE_INSNS)
		return -1;
	t->owns_len = a.n;
	return 0;
}
