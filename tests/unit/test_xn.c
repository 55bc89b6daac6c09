/*
 * xn/owns and xn/freemap: owned sets, the change checks behind XN's
 * allocate / free / modify, the layout, and free-map reconstruction.
 */
#include <stdlib.h>
#include <string.h>

#include "../../xn/freemap.h"
#include "../../xn/owns.h"
#include "../../xn/udf.h"
#include "../../xn/sample_types.h"
#include "unit.h"

#define NBLOCKS 256

static struct xok_xn_template types[XOK_XN_MAXTYPES];
static struct xn_context cx = { types, NBLOCKS, NULL };
static uint8_t disk[NBLOCKS][XOK_XN_BLOCK];
static struct xok_xn_pair out[XN_MAXPAIRS];

static void setup(void)
{
	memset(types, 0, sizeof(types));
	make_ptrs_type(&types[T_PTRS]);
	make_dir_type(&types[T_DIR]);
	memset(disk, 0, sizeof(disk));
}

static void templates_checked(void)
{
	struct xok_xn_template t;

	setup();
	CU_ASSERT_EQUAL(xn_template_check(&types[T_PTRS]), 0);
	CU_ASSERT_EQUAL(xn_template_check(&types[T_DIR]), 0);
	t = types[T_PTRS];
	t.owns_len = 0;
	CU_ASSERT_EQUAL(xn_template_check(&t), XN_E_BADTYPE);
	t = types[T_PTRS];
	t.access_len = XOK_XN_TEMPLATE_INSNS;
	CU_ASSERT_EQUAL(xn_template_check(&t), XN_E_BADTYPE);
	t = types[T_PTRS];
	t.insns[5].off = 3; /* the loop jumps forward */
	CU_ASSERT_EQUAL(xn_template_check(&t), UDF_E_JUMP);
	t = types[T_PTRS];
	t.insns[3].op = XOK_UDF_CRED; /* credentials in an owns-UDF */
	CU_ASSERT_EQUAL(xn_template_check(&t), UDF_E_OPCODE);
	t = types[T_PTRS];
	t.size = XOK_XN_BLOCK + 1;
	CU_ASSERT_EQUAL(xn_template_check(&t), XN_E_BADTYPE);
}

/* A type's UDFs see only `size` bytes of its blocks. */
static void template_size_bounds_the_udf(void)
{
	size_t n;

	setup();
	types[T_DIR].size = 64; /* 4 entries; its loop reads 256 */
	CU_ASSERT_EQUAL(xn_owned(&cx, T_DIR, disk[5], out, &n), UDF_E_BOUNDS);
	types[T_DIR].size = 16 * 256;
	dir_set(disk[5], 255, 7, XOK_XN_DATA);
	CU_ASSERT_EQUAL(xn_owned(&cx, T_DIR, disk[5], out, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
}

static void owned_sets(void)
{
	size_t n = 99;

	setup();
	ptr_set(disk[5], 0, 40);
	ptr_set(disk[5], 7, 20);
	ptr_set(disk[5], 511, 30);
	CU_ASSERT_EQUAL(xn_owned(&cx, T_PTRS, disk[5], out, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(out[0].block, 20); /* sorted */
	CU_ASSERT_EQUAL(out[2].block, 40);
	CU_ASSERT_EQUAL(out[1].type, XOK_XN_DATA);
	CU_ASSERT_EQUAL(xn_owned(&cx, XOK_XN_DATA, disk[5], out, &n), 0);
	CU_ASSERT_EQUAL(n, 0); /* data owns nothing */
	CU_ASSERT_EQUAL(xn_owned(&cx, 7, disk[5], out, &n), XN_E_BADTYPE);
}

static void find_one_owned_block(void)
{
	uint64_t type = 99;

	setup();
	dir_set(disk[6], 0, 30, T_PTRS);
	dir_set(disk[6], 200, 31, XOK_XN_DATA);
	CU_ASSERT_EQUAL(xn_find_owned(&cx, T_DIR, disk[6], 31, &type), 0);
	CU_ASSERT_EQUAL(type, XOK_XN_DATA);
	CU_ASSERT_EQUAL(xn_find_owned(&cx, T_DIR, disk[6], 30, &type), 0);
	CU_ASSERT_EQUAL(type, T_PTRS);
	CU_ASSERT_EQUAL(xn_find_owned(&cx, T_DIR, disk[6], 32, &type),
			XN_E_MISMATCH);
	CU_ASSERT_EQUAL(xn_find_owned(&cx, XOK_XN_DATA, disk[6], 30, &type),
			XN_E_MISMATCH);
	dir_set(disk[6], 1, 33, 9); /* an uninstalled type */
	CU_ASSERT_EQUAL(xn_find_owned(&cx, T_DIR, disk[6], 33, &type),
			XN_E_BADTYPE);
}

static void owned_set_errors(void)
{
	size_t n;

	setup();
	ptr_set(disk[5], 0, 20);
	ptr_set(disk[5], 1, 20);
	CU_ASSERT_EQUAL(xn_owned(&cx, T_PTRS, disk[5], out, &n), XN_E_TWICE);
	ptr_set(disk[5], 1, NBLOCKS);
	CU_ASSERT_EQUAL(xn_owned(&cx, T_PTRS, disk[5], out, &n), XN_E_RANGE);
	dir_set(disk[6], 0, 10, 9); /* type 9 is not installed */
	CU_ASSERT_EQUAL(xn_owned(&cx, T_DIR, disk[6], out, &n), XN_E_BADTYPE);
}

/* With each type's worst case counted once (xn_owns_steps), the sets
 * are the same; a count too small stops the run; one past what any
 * checked UDF may take is refused. */
static void counted_steps_same_sets(void)
{
	static struct xok_xn_pair again[XN_MAXPAIRS];
	uint64_t steps[XOK_XN_MAXTYPES] = { 0 };
	struct xn_context counted = { types, NBLOCKS, steps };
	size_t n, m;

	setup();
	CU_ASSERT_EQUAL(xn_owns_steps(&types[T_PTRS], &steps[T_PTRS]), 0);
	CU_ASSERT_EQUAL(xn_owns_steps(&types[T_DIR], &steps[T_DIR]), 0);
	ptr_set(disk[5], 3, 40);
	ptr_set(disk[5], 200, 41);
	dir_set(disk[6], 7, 42, T_PTRS);
	CU_ASSERT_EQUAL(xn_owned(&cx, T_PTRS, disk[5], out, &n), 0);
	CU_ASSERT_EQUAL(xn_owned(&counted, T_PTRS, disk[5], again, &m), 0);
	CU_ASSERT(n == 2 && m == n && !memcmp(out, again, n * sizeof(*out)));
	CU_ASSERT_EQUAL(xn_owned(&cx, T_DIR, disk[6], out, &n), 0);
	CU_ASSERT_EQUAL(xn_owned(&counted, T_DIR, disk[6], again, &m), 0);
	CU_ASSERT(n == 1 && m == n && !memcmp(out, again, n * sizeof(*out)));
	steps[T_PTRS] = 10;
	CU_ASSERT_EQUAL(xn_owned(&counted, T_PTRS, disk[5], again, &m),
			UDF_E_STEPS);
	steps[T_PTRS] = XOK_UDF_MAXSTEPS + 1;
	CU_ASSERT_EQUAL(xn_owned(&counted, T_PTRS, disk[5], again, &m),
			UDF_E_STEPS);
	types[T_DIR].owns_len = 0; /* not a UDF */
	CU_ASSERT(xn_owns_steps(&types[T_DIR], &steps[T_DIR]) != 0);
}

static const struct xok_xn_pair P30 = { 30, XOK_XN_DATA },
				P20 = { 20, XOK_XN_DATA },
				P10 = { 10, XOK_XN_DATA };

static void change_checks(void)
{
	static uint8_t old[XOK_XN_BLOCK], new[XOK_XN_BLOCK];

	setup();
	memset(old, 0, sizeof(old));
	ptr_set(old, 0, 10);
	ptr_set(old, 1, 20);
	/* modify: same set, other places */
	memcpy(new, old, sizeof(new));
	ptr_set(new, 0, 0);
	ptr_set(new, 9, 10);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, 0, 0, 0, 0), 0);
	/* allocate 30, declared */
	memcpy(new, old, sizeof(new));
	ptr_set(new, 2, 30);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, &P30, 1, 0, 0), 0);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, 0, 0, 0, 0),
			XN_E_MISMATCH); /* undeclared */
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, old, &P30, 1, 0, 0),
			XN_E_MISMATCH); /* declared, not done */
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, &P20, 1, 0, 0),
			XN_E_MISMATCH); /* already owned */
	/* free 10, declared */
	memcpy(new, old, sizeof(new));
	ptr_set(new, 0, 0);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, 0, 0, &P10, 1), 0);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, 0, 0, &P30, 1),
			XN_E_MISMATCH); /* not owned */
	/* swap: add 30 and drop 20 while declaring only the add */
	memcpy(new, old, sizeof(new));
	ptr_set(new, 1, 30);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, &P30, 1, 0, 0),
			XN_E_MISMATCH);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, &P30, 1, &P20, 1),
			0);
	/* a change making the block point at one block twice */
	memcpy(new, old, sizeof(new));
	ptr_set(new, 5, 10);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_PTRS, old, new, 0, 0, 0, 0),
			XN_E_TWICE);
}

static void change_of_type_matters(void)
{
	static uint8_t old[XOK_XN_BLOCK], new[XOK_XN_BLOCK];
	struct xok_xn_pair as_ptrs = { 40, T_PTRS }, as_data = { 40, XOK_XN_DATA };

	setup();
	memset(old, 0, sizeof(old));
	memcpy(new, old, sizeof(new));
	dir_set(new, 0, 40, T_PTRS);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_DIR, old, new, &as_data, 1, 0, 0),
			XN_E_MISMATCH);
	CU_ASSERT_EQUAL(xn_check_change(&cx, T_DIR, old, new, &as_ptrs, 1, 0, 0),
			0);
}

static void layout_and_superblock(void)
{
	struct xok_xn_super s, bad;

	CU_ASSERT_EQUAL(xn_layout(4096, &s), 0);
	CU_ASSERT_EQUAL(s.freemap_blocks, 1);
	CU_ASSERT_EQUAL(s.types_start, 2);
	CU_ASSERT_EQUAL(s.roots_block, 2 + XOK_XN_MAXTYPES);
	CU_ASSERT_EQUAL(xn_layout(40000, &s), 0);
	CU_ASSERT_EQUAL(s.freemap_blocks, 2);
	CU_ASSERT_EQUAL(xn_layout(19, &bad), XN_E_SUPER);
	CU_ASSERT_EQUAL(xn_super_check(&s, 40000), 0);
	CU_ASSERT_EQUAL(xn_super_check(&s, 39999), XN_E_SUPER); /* too big */
	bad = s;
	bad.magic ^= 1;
	CU_ASSERT_EQUAL(xn_super_check(&bad, 40000), XN_E_SUPER);
	bad = s;
	bad.roots_block = 3;
	CU_ASSERT_EQUAL(xn_super_check(&bad, 40000), XN_E_SUPER);
	bad = s;
	bad.clean = 7;
	CU_ASSERT_EQUAL(xn_super_check(&bad, 40000), XN_E_SUPER);
}

static int read_block(uint64_t b, uint8_t *buf, void *ctx)
{
	if (ctx)
		return -1;
	memcpy(buf, disk[b], XOK_XN_BLOCK);
	return 0;
}

static struct xok_xn_root roots[XOK_XN_MAXROOTS];

/* Root 100 (dir) -> 101 (ptrs) and data 102; 101 -> data 103, 104. */
static void build_tree(struct xok_xn_super *s)
{
	setup();
	xn_layout(NBLOCKS, s);
	memset(roots, 0, sizeof(roots));
	strcpy(roots[0].name, "fs");
	roots[0] = (struct xok_xn_root){ .block = 100, .type = T_DIR, .in_use = 1 };
	dir_set(disk[100], 0, 101, T_PTRS);
	dir_set(disk[100], 3, 102, XOK_XN_DATA);
	ptr_set(disk[101], 0, 103);
	ptr_set(disk[101], 8, 104);
}

static void rebuild_marks_reachable(void)
{
	static uint8_t map[XOK_XN_BLOCK], buf[XOK_XN_BLOCK];
	static struct xok_xn_pair stack[NBLOCKS];
	struct xok_xn_super s;
	uint64_t bad = 0, used = 0;

	build_tree(&s);
	memset(map, 0, sizeof(map));
	CU_ASSERT_EQUAL(xn_rebuild(&s, types, roots, read_block, 0, map, stack,
				   buf, &bad), 0);
	for (uint64_t b = 0; b < NBLOCKS; b++)
		used += xn_bit(map, b);
	CU_ASSERT_EQUAL(used, xn_first_owned(&s) + 5);
	CU_ASSERT(xn_bit(map, 104) && xn_bit(map, 102) && !xn_bit(map, 105));
}

static void rebuild_finds_damage(void)
{
	static uint8_t map[XOK_XN_BLOCK], buf[XOK_XN_BLOCK];
	static struct xok_xn_pair stack[NBLOCKS];
	struct xok_xn_super s;
	uint64_t bad = 0;

	build_tree(&s);
	ptr_set(disk[101], 9, 102); /* 102 also owned by the root */
	memset(map, 0, sizeof(map));
	CU_ASSERT_EQUAL(xn_rebuild(&s, types, roots, read_block, 0, map, stack,
				   buf, &bad), XN_E_TWICE_REACHED);
	CU_ASSERT_EQUAL(bad, 102);

	build_tree(&s);
	ptr_set(disk[101], 9, 3); /* points into the free map */
	memset(map, 0, sizeof(map));
	CU_ASSERT_EQUAL(xn_rebuild(&s, types, roots, read_block, 0, map, stack,
				   buf, &bad), XN_E_TWICE_REACHED);
	CU_ASSERT_EQUAL(bad, 3);

	build_tree(&s);
	roots[1] = (struct xok_xn_root){ .block = NBLOCKS + 5, .type = T_DIR,
					 .in_use = 1 };
	memset(map, 0, sizeof(map));
	CU_ASSERT_EQUAL(xn_rebuild(&s, types, roots, read_block, 0, map, stack,
				   buf, &bad), XN_E_ROOT);

	build_tree(&s);
	roots[0].type = 11; /* no such type */
	memset(map, 0, sizeof(map));
	CU_ASSERT_EQUAL(xn_rebuild(&s, types, roots, read_block, 0, map, stack,
				   buf, &bad), XN_E_ROOT);

	build_tree(&s);
	memset(map, 0, sizeof(map));
	CU_ASSERT_EQUAL(xn_rebuild(&s, types, roots, read_block, (void *)1, map,
				   stack, buf, &bad), XN_E_READ);
	CU_ASSERT_EQUAL(bad, 100);
}

/* An access-UDF that allows reading always and writing only when the
 * block's word 510 (offset 4080) names the asking environment. */
static void access_udf_decides(void)
{
	static const struct xok_udf_insn access[] = {
		{ .op = XOK_UDF_CRED, .dst = 0, .imm = XOK_XN_CRED_RIGHTS },
		{ .op = XOK_UDF_CONST, .dst = 1, .imm = XOK_CAP_W },
		{ .op = XOK_UDF_CONST, .dst = 5, .imm = 1 },
		{ .op = XOK_UDF_AND, .dst = 2, .a = 0, .b = 1 },
		{ .op = XOK_UDF_JEQ, .a = 2, .b = 3, .off = 3 }, /* no W: allow */
		{ .op = XOK_UDF_CRED, .dst = 4, .imm = XOK_XN_CRED_ENV },
		{ .op = XOK_UDF_LD64, .dst = 6, .a = 3, .imm = 4080 },
		{ .op = XOK_UDF_JNE, .a = 4, .b = 6, .off = 1 },
		{ .op = XOK_UDF_RET, .a = 5 },
		{ .op = XOK_UDF_RET, .a = 3 },
	};
	uint64_t read[2] = { XOK_CAP_R, 7 }, write[2] = { XOK_CAP_W, 7 },
		 other[2] = { XOK_CAP_W, 8 }, owner = 7;

	setup();
	memcpy(types[T_PTRS].insns + types[T_PTRS].owns_len, access,
	       sizeof(access));
	types[T_PTRS].access_len = sizeof(access) / sizeof(access[0]);
	CU_ASSERT_EQUAL(xn_template_check(&types[T_PTRS]), 0);
	memcpy(disk[9] + 4080, &owner, 8);
	CU_ASSERT_EQUAL(xn_access(&cx, T_PTRS, disk[9], read, 2), 1);
	CU_ASSERT_EQUAL(xn_access(&cx, T_PTRS, disk[9], write, 2), 1);
	CU_ASSERT_EQUAL(xn_access(&cx, T_PTRS, disk[9], other, 2), 0);
	/* No credential words: CRED reads 0, no write asked: allowed. */
	CU_ASSERT_EQUAL(xn_access(&cx, T_PTRS, disk[9], other, 0), 1);
	/* An access-UDF that fails (a load past the block) denies. */
	types[T_PTRS].insns[types[T_PTRS].owns_len + 6].imm = 4090;
	CU_ASSERT_EQUAL(xn_access(&cx, T_PTRS, disk[9], write, 2), 0);
	CU_ASSERT_EQUAL(xn_access(&cx, T_DIR, disk[9], other, 2), 1); /* none */
	CU_ASSERT_EQUAL(xn_access(&cx, XOK_XN_DATA, disk[9], other, 2), 1);
}

void add_xn_tests(void)
{
	static const struct unit_test tests[] = {
		{ "templates_checked", templates_checked },
		{ "owned_sets", owned_sets },
		{ "template_size_bounds_the_udf", template_size_bounds_the_udf },
		{ "owned_set_errors", owned_set_errors },
		{ "counted_steps_same_sets", counted_steps_same_sets },
		{ "find_one_owned_block", find_one_owned_block },
		{ "change_checks", change_checks },
		{ "change_of_type_matters", change_of_type_matters },
		{ "layout_and_superblock", layout_and_superblock },
		{ "rebuild_marks_reachable", rebuild_marks_reachable },
		{ "rebuild_finds_damage", rebuild_finds_damage },
		{ "access_udf_decides", access_udf_decides },
		{ 0, 0 },
	};
	add_suite("xn", tests);
}
