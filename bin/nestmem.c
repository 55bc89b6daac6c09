/*
 * nestmem: see nestmem.h.
 *
 *   segtest[:QUOTA]  starts segpeer, which makes a segment of two pages
 *                    shared with segtest; they talk through it; segpeek,
 *                    not given it, is refused; every bad argument too
 *                    (over QUOTA, when given, E_NOMEM)
 *   fmaptest         (under fs) maps a file it wrote and checks its bytes
 *   exectest         execer and execnester EXEC execed, which checks it
 *                    kept its id and lost its memory; their creator's
 *                    WAIT sees execed's status
 */
#include "nestmem.h"

#include "../lib/fmt.h"
#include "../libos-nest/child.h"
#include "../libos-nest/file.h"
#include "../libos-nest/nester.h"
#include "../libos-nest/segment.h"
#include "rt/rt.h"

#define SEG_KEY 0x5e9
#define SEG_VA   NEST_MAP_BASE
#define SEG_VA2  (NEST_MAP_BASE + 0x100000)
#define PING "ping from segpeer"
#define PONG "pong from segtest"
#define PONG_AT 2048
#define TRIES 100000 /* yields to wait for the other side */

/* A call of ours: reports and counts one that did not go as wanted. */
static int want(const char *what, int64_t got, int64_t wanted)
{
	if (got == wanted)
		return 0;
	printf("nestmem: unexpected %s -> %ld, want %ld\n", what, got, wanted);
	return 1;
}

/* Yields until `s` is at `at` (or gives up): 1 if it came. */
static int await(const volatile char *at, const char *s)
{
	for (int i = 0; i < TRIES; i++) {
		if (!memcmp((const char *)at, s, strlen(s) + 1))
			return 1;
		xok_yield();
	}
	return 0;
}

/* "ID": makes segment SEG_KEY of two pages with ID, pings, waits for
 * the pong. */
int segpeer(const char *arg)
{
	volatile char *p = (volatile char *)SEG_VA;

	if (nest_segment(SEG_KEY, 2, parse_u64(arg)) < 0 ||
	    nest_map(SEG_KEY, (void *)SEG_VA,
		     NEST_PROT_READ | NEST_PROT_WRITE) < 0)
		return 1;
	p[XOK_PAGE_SIZE] = 'x';
	memcpy((char *)p, PING, sizeof(PING));
	return await(p + PONG_AT, PONG) ? 0 : 2;
}

/* "KEY": tries to map a segment; the result is its status. */
int segpeek(const char *arg)
{
	return (int)nest_map(parse_u64(arg), (void *)SEG_VA, NEST_PROT_READ);
}

/* Maps segment SEG_KEY once segpeer has made it: 0 or the error. */
static int64_t map_when_made(void)
{
	int64_t r = E_INVAL;

	for (int i = 0; r == E_INVAL && i < TRIES; i++)
		if ((r = nest_map(SEG_KEY, (void *)SEG_VA,
				  NEST_PROT_READ | NEST_PROT_WRITE)) == E_INVAL)
			xok_yield();
	return r;
}

/* What a segment's creator may get wrong. */
static int seg_refusals(uint64_t quota)
{
	uint64_t me = (uint64_t)xok_getenvid();
	int bad = 0;

	bad += want("key 0", nest_segment(0, 1, 0), E_INVAL);
	bad += want("no pages", nest_segment(1, 0, 0), E_INVAL);
	bad += want("too many pages", nest_segment(1, NEST_SEG_PAGES + 1, 0),
		    E_INVAL);
	bad += want("myself as partner", nest_segment(1, 1, me), E_INVAL);
	bad += want("my parent as partner", nest_segment(1, 1, nest_parent()),
		    E_INVAL);
	bad += want("a taken key", nest_segment(SEG_KEY, 1, 0), E_STATE);
	bad += want("an unknown key", nest_map(2, (void *)SEG_VA2,
					      NEST_PROT_READ), E_INVAL);
	bad += want("no protection", nest_map(SEG_KEY, (void *)SEG_VA2, 0),
		    E_INVAL);
	bad += want("an unknown protection",
		    nest_map(SEG_KEY, (void *)SEG_VA2, NEST_PROT_READ | 4),
		    E_INVAL);
	bad += want("map in the heap", nest_map(SEG_KEY, (void *)NEST_HEAP_BASE,
						NEST_PROT_READ), E_INVAL);
	bad += want("map unaligned", nest_map(SEG_KEY, (void *)(SEG_VA2 + 8),
					      NEST_PROT_READ), E_INVAL);
	bad += want("map past the end",
		    nest_map(SEG_KEY, (void *)(NEST_MAP_TOP - XOK_PAGE_SIZE),
			     NEST_PROT_READ), E_INVAL);
	if (quota && quota < NEST_SEG_PAGES)
		bad += want("over quota", nest_segment(1, quota + 1, 0),
			    E_NOMEM);
	return bad;
}

int segtest(const char *arg)
{
	const volatile char *ro = (const volatile char *)SEG_VA2;
	volatile char *p = (volatile char *)SEG_VA;
	char spec[32];
	int64_t peer, peek;
	int bad = 0;

	fmt_snprintf(spec, sizeof(spec), "segpeer:%lu",
		     (uint64_t)xok_getenvid());
	if ((peer = nest_spawn(spec)) < 0 || map_when_made() < 0 ||
	    !await(p, PING))
		return 100;
	bad += seg_refusals(parse_u64(arg));
	bad += want("map it again read-only",
		    nest_map(SEG_KEY, (void *)SEG_VA2, NEST_PROT_READ), 0);
	bad += want("the same frames", !memcmp((const char *)ro, PING,
					      sizeof(PING)) &&
		    ro[XOK_PAGE_SIZE] == 'x', 1);
	memcpy((char *)p + PONG_AT, PONG, sizeof(PONG));
	bad += want("segpeer", nest_wait((uint64_t)peer), 0);
	fmt_snprintf(spec, sizeof(spec), "segpeek:%u", SEG_KEY);
	peek = nest_spawn(spec);
	peek = peek < 0 ? peek : nest_wait((uint64_t)peek);
	bad += want("segpeek", peek, E_PERM);
	if (!bad)
		printf("segtest: segpeer wrote \"%s\", segtest answered through "
		       "the same frames; segpeek refused (%ld)\n", PING, peek);
	return bad;
}

/* Byte i of fmaptest's file. */
static uint8_t fbyte(uint64_t i)
{
	return (uint8_t)(i * 13 + i / 251);
}

#define FMAP_LEN 10000
#define FMAP_VA  (NEST_MAP_BASE + 0x200000)
#define FMAP_VA2 (NEST_MAP_BASE + 0x300000)
static uint8_t fdata[FMAP_LEN];

/* Do the `pages` pages at `va` hold the file from `off`, zeros past it? */
static int maps_file(const volatile uint8_t *va, uint64_t off, uint64_t pages)
{
	for (uint64_t i = 0; i < pages * XOK_PAGE_SIZE; i++)
		if (va[i] != (off + i < FMAP_LEN ? fbyte(off + i) : 0))
			return 0;
	return 1;
}

/* What FileDescription MAP refuses. */
static int fmap_refusals(int64_t ro, int64_t wo)
{
	int bad = 0;

	bad += want("a write-only handle", nest_fmap(wo, (void *)FMAP_VA2, 1),
		    E_PERM);
	bad += want("a handle never given", nest_fmap(ro + 9,
						      (void *)FMAP_VA2, 1),
		    E_INVAL);
	bad += want("no pages", nest_fmap(ro, (void *)FMAP_VA2, 0), E_INVAL);
	bad += want("too many pages", nest_fmap(ro, (void *)FMAP_VA2,
						NEST_SEG_PAGES + 1), E_INVAL);
	bad += want("in the heap", nest_fmap(ro, (void *)NEST_HEAP_BASE, 1),
		    E_INVAL);
	bad += want("seek to 5", nest_seek(ro, 5, NEST_SEEK_SET), 5);
	bad += want("an unaligned offset", nest_fmap(ro, (void *)FMAP_VA2, 1),
		    E_INVAL);
	return bad;
}

/* Writes /mapped, maps it read-only, checks its bytes (zeros past the
 * end), that the map is a private copy, and the refusals. */
int fmaptest(const char *arg)
{
	int64_t rw, ro;
	int bad = 0;

	(void)arg;
	for (uint64_t i = 0; i < FMAP_LEN; i++)
		fdata[i] = fbyte(i);
	rw = nest_open("/mapped", NEST_O_READ | NEST_O_WRITE | NEST_O_CREATE |
		       NEST_O_TRUNC);
	ro = nest_open("/mapped", NEST_O_READ);
	if (rw < 0 || ro < 0 || nest_write(rw, fdata, FMAP_LEN) != FMAP_LEN)
		return 100;
	bad += want("map 3 pages", nest_fmap(ro, (void *)FMAP_VA, 3), FMAP_LEN);
	bad += want("its bytes", maps_file((void *)FMAP_VA, 0, 3), 1);
	bad += want("seek to page 1", nest_seek(ro, XOK_PAGE_SIZE,
						NEST_SEEK_SET), XOK_PAGE_SIZE);
	bad += want("map from page 1", nest_fmap(ro, (void *)FMAP_VA2, 1),
		    XOK_PAGE_SIZE);
	bad += want("its bytes from page 1",
		    maps_file((void *)FMAP_VA2, XOK_PAGE_SIZE, 1), 1);
	bad += want("overwrite the file", nest_write(rw, "zz", 2), 2);
	bad += want("the map a private copy",
		    maps_file((void *)FMAP_VA, 0, 3), 1);
	bad += fmap_refusals(ro, nest_open("/mapped", NEST_O_WRITE));
	if (!bad)
		printf("fmaptest: mapped /mapped (%u bytes) read-only, every byte "
		       "as written, zeros past its end; refused as expected\n",
		       FMAP_LEN);
	return bad;
}

/* Set before an EXEC: the program after it must not see it. */
static volatile uint64_t before_exec;

/* "ID": the program execer and execnester become: checks it kept ID,
 * lost their memory, and reports 42. */
int execed(const char *arg)
{
	uint64_t me = (uint64_t)xok_getenvid();

	printf("execed: I am %#lx, exec'ed by %#lx\n", me, parse_u64(arg));
	if (parse_u64(arg) != me)
		return 1;
	if (before_exec || *(volatile uint64_t *)NEST_HEAP_BASE)
		return 2;
	return 42;
}

/* Leaves memory behind to be lost, then EXECs execed with its id. */
static int64_t exec_execed(void)
{
	uint64_t *heap = nest_sbrk(XOK_PAGE_SIZE);
	char spec[32];

	if (!heap)
		return E_NOMEM;
	*heap = before_exec = 1;
	fmt_snprintf(spec, sizeof(spec), "execed:%lu",
		     (uint64_t)xok_getenvid());
	return nest_exec(spec);
}

/* The refusals, then becomes execed. */
int execer(const char *arg)
{
	int bad = 0;

	(void)arg;
	bad += want("exec no such program", nest_exec("nosuch:1"), E_INVAL);
	memset(nest_msg.path, 'e', sizeof(nest_msg.path));
	bad += want("exec a path without its end",
		    nest_parent_call(NEST_PROC_EXEC, 0, 0, 0), E_INVAL);
	if (bad)
		return 10 + bad;
	exec_execed();
	return 3;
}

/* A nester (it has a server) is refused; stopped, it may become
 * execed. */
int execnester(const char *arg)
{
	(void)arg;
	if (nester_start(0, 1) < 0)
		return 4;
	if (want("exec a nester", nest_exec("compute:1"), E_STATE))
		return 5;
	nester_stop();
	exec_execed();
	return 6;
}

int exectest(const char *arg)
{
	static const char *const progs[] = { "execer", "execnester" };
	int bad = 0;

	(void)arg;
	for (unsigned i = 0; i < 2; i++) {
		int64_t id = nest_spawn(progs[i]);
		int64_t r = id < 0 ? id : nest_wait((uint64_t)id);

		printf("exectest: %s -> %ld\n", progs[i], r);
		bad += r != 42;
	}
	return bad;
}
