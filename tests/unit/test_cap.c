/*
 * xok/cap: capability dominance and guard checks.
 */
#include "../../xok/cap.h"
#include "unit.h"

static struct xok_cap cap(unsigned rights, unsigned len, uint32_t a,
			  uint32_t b, uint32_t c)
{
	struct xok_cap k = { .valid = 1, .len = (uint8_t)len,
			     .rights = (uint8_t)rights };
	uint32_t parts[3] = { a, b, c };

	for (unsigned i = 0; i < len && i < 3; i++)
		k.name[i] = parts[i];
	return k;
}

static struct xok_guard guard(unsigned len, uint32_t a, uint32_t b,
			      uint32_t c)
{
	struct xok_cap k = cap(0, len, a, b, c);

	return cap_guard(&k);
}

static void root_opens_everything(void)
{
	struct xok_cap root = cap_root();
	struct xok_guard g = guard(3, 1, 2, 3), empty = guard(0, 0, 0, 0);

	CU_ASSERT(cap_opens(&root, &g, XOK_CAP_R | XOK_CAP_W));
	CU_ASSERT(cap_opens(&root, &empty, XOK_CAP_W));
}

static void prefix_opens_descendants_only(void)
{
	struct xok_cap c = cap(XOK_CAP_RIGHTS, 1, 7, 0, 0);
	struct xok_guard child = guard(2, 7, 1, 0), grand = guard(3, 7, 1, 3),
			 self = guard(1, 7, 0, 0), other = guard(2, 8, 1, 0),
			 above = guard(0, 0, 0, 0);

	CU_ASSERT(cap_opens(&c, &child, XOK_CAP_W));
	CU_ASSERT(cap_opens(&c, &grand, XOK_CAP_R));
	CU_ASSERT(cap_opens(&c, &self, XOK_CAP_R));
	CU_ASSERT(!cap_opens(&c, &other, XOK_CAP_R));
	CU_ASSERT(!cap_opens(&c, &above, XOK_CAP_R)); /* longer than guard */
}

static void rights_must_cover_request(void)
{
	struct xok_cap ro = cap(XOK_CAP_R, 1, 7, 0, 0);
	struct xok_guard g = guard(2, 7, 1, 0);

	CU_ASSERT(cap_opens(&ro, &g, XOK_CAP_R));
	CU_ASSERT(!cap_opens(&ro, &g, XOK_CAP_W));
	CU_ASSERT(!cap_opens(&ro, &g, XOK_CAP_R | XOK_CAP_W));
	CU_ASSERT(cap_opens(&ro, &g, 0));
}

static void invalid_caps_open_nothing(void)
{
	struct xok_cap c = cap(XOK_CAP_RIGHTS, 1, 7, 0, 0);
	struct xok_guard g = guard(2, 7, 1, 0);

	c.valid = 0;
	CU_ASSERT(!cap_opens(&c, &g, 0));
	c = cap(XOK_CAP_RIGHTS, 1, 7, 0, 0);
	c.name[3] = 9; /* garbage past len */
	CU_ASSERT(!cap_well_formed(&c));
	CU_ASSERT(!cap_opens(&c, &g, XOK_CAP_R));
	c = cap(0x80, 1, 7, 0, 0); /* unknown right */
	CU_ASSERT(!cap_well_formed(&c));
	c = cap(XOK_CAP_R, 1, 7, 0, 0);
	c.len = XOK_CAP_MAXLEN + 1;
	CU_ASSERT(!cap_well_formed(&c));
}

static void dominance(void)
{
	struct xok_cap c = cap(XOK_CAP_RIGHTS, 1, 7, 0, 0);
	struct xok_cap ro = cap(XOK_CAP_R, 1, 7, 0, 0);
	struct xok_cap child = cap(XOK_CAP_R, 2, 7, 4, 0);
	struct xok_cap sibling = cap(XOK_CAP_R, 2, 8, 4, 0);
	struct xok_cap shorter = cap(XOK_CAP_R, 0, 0, 0, 0);
	struct xok_cap root = cap_root();

	CU_ASSERT(cap_dominates(&c, &child));
	CU_ASSERT(cap_dominates(&c, &c));
	CU_ASSERT(cap_dominates(&c, &ro));
	CU_ASSERT(!cap_dominates(&ro, &c)); /* no amplification of rights */
	CU_ASSERT(!cap_dominates(&c, &sibling));
	CU_ASSERT(!cap_dominates(&c, &shorter)); /* no climbing up */
	CU_ASSERT(cap_dominates(&root, &sibling));
	child.name[5] = 1; /* malformed */
	CU_ASSERT(!cap_dominates(&c, &child));
}

static void guard_copies_name(void)
{
	struct xok_cap c = cap(XOK_CAP_W, 3, 1, 2, 3);
	struct xok_guard g = cap_guard(&c);

	CU_ASSERT_EQUAL(g.len, 3);
	CU_ASSERT_EQUAL(g.name[2], 3);
	CU_ASSERT_EQUAL(g.name[3], 0);
	CU_ASSERT(cap_opens(&c, &g, XOK_CAP_W));
}

void add_cap_tests(void)
{
	static const struct unit_test tests[] = {
		{ "root_opens_everything", root_opens_everything },
		{ "prefix_opens_descendants_only", prefix_opens_descendants_only },
		{ "rights_must_cover_request", rights_must_cover_request },
		{ "invalid_caps_open_nothing", invalid_caps_open_nothing },
		{ "dominance", dominance },
		{ "guard_copies_name", guard_copies_name },
		{ 0, 0 },
	};
	add_suite("cap", tests);
}
