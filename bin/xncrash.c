/*
 * xncrash: crash consistency of XN. "cut:N" formats nothing itself: on a
 * disk made by xn-mkfs it installs the sample types and a root, then cuts
 * the power after N more disk writes (writes are acknowledged and lost)
 * and keeps working: a tree of "ptrs" blocks with data blocks under them,
 * grown, written in XN's order, and partly freed. It exits without a
 * clean shutdown. "recover" (a second boot on the same disk) mounts it,
 * which rebuilds the free map from the roots, checks that every block it
 * can reach through the owns-UDFs reads back, and shuts down cleanly; the
 * harness then runs xn-fsck on the image.
 *
 * "pair:N" cuts the power after N writes of another workload: data
 * blocks moving, one by one, between two ptrs blocks (xn_modify_pair),
 * each move written through XN's pair log (six writes). Whatever write
 * the cut falls on, recovery must find every data block owned exactly
 * once: "recover" then reaches all PAIR_BLOCKS blocks.
 */
#include <xok/disk.h>
#include <xok/xn.h>

#include "rt/rt.h"
#include "../xn/sample_types.h"

#define ROUNDS 6
#define DATA_PER_ROUND 3
#define NBLOCKS 4096
#define VIEW RT_SCRATCH

static int64_t root_idx;

/* Writes `v` into entry `slot` of a dir (root) or ptrs block, declaring
 * `d`. */
static int64_t set_entry(int64_t idx, unsigned offset, const void *v,
			 unsigned len, const struct xok_xn_delta *d)
{
	struct xok_xn_mod mod = { offset, len, (uint64_t)v };

	return xok_xn_modify(0, (uint64_t)idx, &mod, 1, d);
}

/* One round: a ptrs block under the root, data blocks under it, one of
 * them freed again; every write in XN's order. Returns 0 or an error. */
static int64_t round(unsigned r)
{
	uint64_t p = rt_xn_free_block(64, NBLOCKS), entry[2] = { p, T_PTRS };
	struct xok_xn_delta d = { .nadd = 1, .add = { { p, T_PTRS } } };
	int64_t pi, di[DATA_PER_ROUND], e;

	if ((e = set_entry(root_idx, 16 * (r + 1), entry, 16, &d)) ||
	    (pi = xok_xn_bind(0, (uint64_t)root_idx, p)) < 0 ||
	    (e = rt_xn_write_wait(pi)) || (e = rt_xn_write_wait(root_idx)))
		return e ? e : pi;
	for (unsigned k = 0; k < DATA_PER_ROUND; k++) {
		uint64_t b = rt_xn_free_block(64, NBLOCKS);
		struct xok_xn_delta dd = { .nadd = 1,
					   .add = { { b, XOK_XN_DATA } } };

		if ((e = set_entry(pi, 8 * k, &b, 8, &dd)) ||
		    (di[k] = xok_xn_bind(0, (uint64_t)pi, b)) < 0 ||
		    (e = xok_xn_map(0, (uint64_t)di[k], VIEW, 1)))
			return e ? e : di[k];
		*(volatile uint64_t *)VIEW = (r << 8) | k;
		xok_page_unmap(0, 0, VIEW);
		if ((e = rt_xn_write_wait(di[k])))
			return e;
	}
	if ((e = rt_xn_write_wait(pi)))
		return e;
	/* Free the first data block again. */
	uint64_t zero = 0, freed = ((const volatile struct xok_xn_entry *)
				    XOK_UXN)[di[0]].block;
	struct xok_xn_delta rm = { .nrm = 1, .rm = { { freed, XOK_XN_DATA } } };
	if ((e = set_entry(pi, 0, &zero, 8, &rm)))
		return e;
	return rt_xn_write_wait(pi);
}

#define MOVES 3
#define PAIR_BLOCKS (1 + 2 + MOVES) /* the root, two ptrs, the data */

/* Allocates a block of `type` into entry `slot` of the root (a dir
 * block) and binds it. */
static int64_t new_under_root(unsigned slot, uint64_t type)
{
	uint64_t b = rt_xn_free_block(64, NBLOCKS), entry[2] = { b, type };
	struct xok_xn_delta d = { .nadd = 1, .add = { { b, type } } };
	int64_t e = set_entry(root_idx, 16 * slot, entry, 16, &d);

	return e ? e : xok_xn_bind(0, (uint64_t)root_idx, b);
}

static int pair_cut(uint64_t writes)
{
	uint64_t data[MOVES], zero = 0;
	int64_t p[2], e = 0;

	if ((root_idx = rt_xn_sample_disk("crash", VIEW + 0x100000)) < 0)
		return (int)-root_idx;
	if ((p[0] = new_under_root(0, T_PTRS)) < 0 ||
	    (p[1] = new_under_root(1, T_PTRS)) < 0)
		return 14;
	for (unsigned k = 0; k < MOVES && !e; k++) {
		struct xok_xn_delta d = { .nadd = 1 };

		data[k] = rt_xn_free_block(64, NBLOCKS);
		d.add[0] = (struct xok_xn_pair){ data[k], XOK_XN_DATA };
		e = set_entry(p[0], 8 * k, &data[k], 8, &d);
		e = e ? e : rt_xn_write_wait(xok_xn_bind(0, (uint64_t)p[0], data[k]));
	}
	if (e || rt_xn_write_wait(p[0]) || rt_xn_write_wait(p[1]) ||
	    rt_xn_write_wait(root_idx))
		return 15;
	xok_disk_fault(0, 0, writes);
	for (unsigned k = 0; k < MOVES; k++) {
		struct xok_xn_mod mods[2] = { { 8 * k, 8, (uint64_t)&zero },
					      { 8 * k, 8, (uint64_t)&data[k] } };
		struct xok_xn_pair_change c = {
			.idx = { (uint64_t)p[0], (uint64_t)p[1] },
			.mods = { (uint64_t)&mods[0], (uint64_t)&mods[1] },
			.nmods = { 1, 1 }, .nmoved = 1,
			.moved = { { data[k], XOK_XN_DATA } },
		};

		if ((e = xok_xn_modify_pair(0, &c)) ||
		    (e = rt_xn_write_wait(p[0]))) {
			printf("xncrash: move %u failed (%ld)\n", k, e);
			return 16;
		}
	}
	printf("xncrash: %u moves done, %lu writes lost\n", MOVES,
	       ((const volatile struct xok_disk *)XOK_UDISKS)[0].dropped);
	return 0;
}

static int cut(uint64_t writes)
{
	int64_t e;

	if ((root_idx = rt_xn_sample_disk("crash", VIEW + 0x100000)) < 0)
		return (int)-root_idx;
	xok_disk_fault(0, 0, writes);
	for (unsigned r = 0; r < ROUNDS; r++)
		if ((e = round(r))) {
			printf("xncrash: round %u failed (%ld)\n", r, e);
			return 15;
		}
	printf("xncrash: %u rounds done, %lu writes lost\n", ROUNDS,
	       ((const volatile struct xok_disk *)XOK_UDISKS)[0].dropped);
	return 0; /* no clean shutdown: the power is "off" */
}

/* Binds every block reachable from root 0 and checks it reads back. */
static int walk(void)
{
	static struct xok_xn_pair todo[256];
	const volatile struct xok_xn_entry *reg =
		(const volatile struct xok_xn_entry *)XOK_UXN;
	int64_t idx[256];
	unsigned n = 0, seen = 0;

	idx[n] = xok_xn_bind_root(0, 0);
	todo[n++] = (struct xok_xn_pair){ 0, T_DIR };
	while (n) {
		int64_t i = idx[--n];
		uint64_t type = todo[n].type;

		if (i < 0 || rt_xn_settle(i) != XOK_XN_VALID || reg[i].error)
			return -1;
		seen++;
		if (type == XOK_XN_DATA)
			continue;
		if (xok_xn_map(0, (uint64_t)i, VIEW, 0))
			return -1;
		for (unsigned k = 0; k < (type == T_DIR ? 256u : 512u); k++) {
			uint64_t b = ((volatile uint64_t *)VIEW)[type == T_DIR ? 2 * k : k];
			uint64_t t = type == T_DIR ?
				((volatile uint64_t *)VIEW)[2 * k + 1] : XOK_XN_DATA;

			if (!b)
				continue;
			if (n == 256)
				return -1;
			todo[n] = (struct xok_xn_pair){ b, t };
			idx[n++] = xok_xn_bind(0, (uint64_t)i, b);
		}
		xok_page_unmap(0, 0, VIEW);
	}
	return (int)seen;
}

static int recover(void)
{
	int seen;

	if (xok_xn_mount(0, 0) < 0)
		return 20;
	if ((seen = walk()) < 0)
		return 21;
	printf("xncrash: recovered; %d blocks reachable, all readable\n", seen);
	return xok_xn_sync(1) ? 22 : 0;
}

int main(const char *arg)
{
	uint64_t n = 0;

	const char *digits = strchr(arg, ':');

	if (!strcmp(arg, "recover"))
		return recover();
	if (!digits)
		return 2;
	for (const char *p = digits + 1; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	if (!strncmp(arg, "pair:", 5))
		return pair_cut(n);
	return strncmp(arg, "cut:", 4) ? 2 : cut(n);
}
