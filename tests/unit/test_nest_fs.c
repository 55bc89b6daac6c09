/*
 * libos-nest/fs: the FileSystem and FileDescription protocols over a
 * C-FFS in memory (memblk) — each owner's handles kept apart, paths kept
 * inside the folder, offsets, refusals, and handles saved and adopted
 * as the checkpointer does.
 */
#include <string.h>

#include "../../libos-nest/fs.h"
#include "cffs_fixture.h"
#include "unit.h"

#include <xok/error.h>

static struct nest_fs fs;
static struct nest_msg msg;
static uint64_t dead; /* an owner the alive callback calls gone */

static int alive(uint64_t owner)
{
	return owner != dead;
}

/* A fresh C-FFS holding /secret and /box/in, served from /box. */
static void setup(void)
{
	struct cffs_loc f;

	fresh(512);
	dead = 0;
	CU_ASSERT_FATAL(cffs_create(b, "/secret", CFFS_S_IFREG | 0600, &f) == 0);
	CU_ASSERT_FATAL(cffs_write(b, &f, 0, "s", 1) == 1);
	CU_ASSERT_FATAL(cffs_mkdir(b, "/box", 0755) == 0);
	CU_ASSERT_FATAL(cffs_create(b, "/box/in", CFFS_S_IFREG | 0644, &f) == 0);
	CU_ASSERT_FATAL(cffs_write(b, &f, 0, "inside", 6) == 6);
	CU_ASSERT_FATAL(nest_fs_init(&fs, b, "/box/", alive) == 0);
}

static int64_t call(uint64_t owner, uint64_t op, const char *path,
		    uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t a[3] = { a1, a2, a3 };

	if (path)
		strcpy(msg.path, path);
	return nest_fs_call(&fs, owner, 0, op, a, &msg);
}

static int64_t open_as(uint64_t owner, const char *path, uint64_t flags)
{
	return call(owner, NEST_FS_OPEN, path, flags, 0, 0);
}

static int64_t rd(uint64_t owner, int64_t fd, uint64_t n)
{
	return call(owner, NEST_FD_READ, 0, (uint64_t)fd, n, 0);
}

static int64_t wr(uint64_t owner, int64_t fd, const char *s)
{
	memcpy(msg.data, s, strlen(s));
	return call(owner, NEST_FD_WRITE, 0, (uint64_t)fd, strlen(s), 0);
}

static void dotdot_stays_inside(void)
{
	const uint64_t a[3] = { NEST_O_READ };

	setup();
	CU_ASSERT_EQUAL(strcmp(fs.folder, "/box"), 0);
	CU_ASSERT_EQUAL(open_as(1, "../secret", NEST_O_READ),
			NEST_FS_ERR(CFFS_ENOENT));
	CU_ASSERT_EQUAL(open_as(1, "/in/../../../secret", NEST_O_READ),
			NEST_FS_ERR(CFFS_ENOENT));
	CU_ASSERT_EQUAL(open_as(1, "../in", NEST_O_READ), 0);
	CU_ASSERT_EQUAL(rd(1, 0, 100), 6);
	CU_ASSERT_EQUAL(memcmp(msg.data, "inside", 6), 0);
	CU_ASSERT_EQUAL(msg.len, 6);
	CU_ASSERT_EQUAL(call(1, NEST_FS_STAT, "/..", 0, 0, 0), 0);
	CU_ASSERT_EQUAL(((struct nest_stat *)msg.data)->mode & CFFS_S_IFMT,
			CFFS_S_IFDIR);
	/* The nester itself sees the whole file system. */
	strcpy(msg.path, "/secret");
	CU_ASSERT_EQUAL(nest_fs_call(&fs, 9, 1, NEST_FS_OPEN, a, &msg), 0);
	done();
}

static void owners_have_their_own_handles(void)
{
	setup();
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 0);
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 1);
	CU_ASSERT_EQUAL(open_as(2, "/in", NEST_O_READ), 0);
	CU_ASSERT_EQUAL(rd(2, 1, 1), E_INVAL);
	CU_ASSERT_EQUAL(call(1, NEST_FS_CLOSE, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(call(1, NEST_FS_CLOSE, 0, 0, 0, 0), E_INVAL);
	CU_ASSERT_EQUAL(rd(1, 1, 3), 3); /* handle 1 kept its own offset */
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 0); /* the least */
	/* The table fills; a gone owner's entries are free again. */
	for (int i = 3; i < NEST_MAXFILES; i++)
		CU_ASSERT_EQUAL(open_as(3, "/in", NEST_O_READ), i - 3);
	CU_ASSERT_EQUAL(open_as(4, "/in", NEST_O_READ), E_AGAIN);
	dead = 3;
	CU_ASSERT_EQUAL(open_as(4, "/in", NEST_O_READ), 0);
	done();
}

static void read_write_seek(void)
{
	setup();
	CU_ASSERT_EQUAL(open_as(1, "/new", NEST_O_READ | NEST_O_WRITE),
			NEST_FS_ERR(CFFS_ENOENT));
	CU_ASSERT_EQUAL(open_as(1, "/new", NEST_O_READ | NEST_O_WRITE |
				NEST_O_CREATE), 0);
	CU_ASSERT_EQUAL(wr(1, 0, "hello world"), 11);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, 6, NEST_SEEK_SET), 6);
	CU_ASSERT_EQUAL(rd(1, 0, 100), 5);
	CU_ASSERT_EQUAL(memcmp(msg.data, "world", 5), 0);
	CU_ASSERT_EQUAL(rd(1, 0, 100), 0);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, (uint64_t)-5,
			     NEST_SEEK_END), 6);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, (uint64_t)-1,
			     NEST_SEEK_CUR), 5);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, (uint64_t)-6,
			     NEST_SEEK_CUR), E_INVAL);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, INT64_MAX,
			     NEST_SEEK_CUR), E_INVAL);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, 0, 3), E_INVAL);
	/* APPEND writes at the end whatever the offset; TRUNC empties. */
	CU_ASSERT_EQUAL(open_as(1, "/new", NEST_O_WRITE | NEST_O_APPEND), 1);
	CU_ASSERT_EQUAL(wr(1, 1, "!"), 1);
	CU_ASSERT_EQUAL(call(1, NEST_FS_STAT, "/new", 0, 0, 0), 0);
	CU_ASSERT_EQUAL(((struct nest_stat *)msg.data)->size, 12);
	CU_ASSERT_EQUAL(open_as(1, "/new", NEST_O_WRITE | NEST_O_TRUNC), 2);
	CU_ASSERT_EQUAL(call(1, NEST_FS_STAT, "/new", 0, 0, 0), 0);
	CU_ASSERT_EQUAL(((struct nest_stat *)msg.data)->size, 0);
	CU_ASSERT_EQUAL(call(1, NEST_FS_MKDIR, "/d", 0755, 0, 0), 0);
	CU_ASSERT_EQUAL(call(1, NEST_FS_MKDIR, "/d", 0755, 0, 0),
			NEST_FS_ERR(CFFS_EEXIST));
	CU_ASSERT_EQUAL(call(1, NEST_FS_SYNC, 0, 0, 0, 0), 0);
	done();
}

static void bad_arguments_refused(void)
{
	setup();
	CU_ASSERT_EQUAL(open_as(1, "/in", 0), E_INVAL);
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ | 0x40), E_INVAL);
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ | NEST_O_APPEND), E_INVAL);
	CU_ASSERT_EQUAL(open_as(1, "", NEST_O_READ), E_INVAL);
	CU_ASSERT_EQUAL(open_as(1, "/", NEST_O_READ), NEST_FS_ERR(CFFS_EISDIR));
	memset(msg.path, 'x', sizeof(msg.path));
	CU_ASSERT_EQUAL(call(1, NEST_FS_STAT, 0, 0, 0, 0), E_INVAL);
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 0);
	CU_ASSERT_EQUAL(rd(1, 0, sizeof(msg.data) + 1), E_INVAL);
	CU_ASSERT_EQUAL(wr(1, 0, "x"), E_PERM);
	CU_ASSERT_EQUAL(call(1, NEST_FS_MKDIR, "/m", 010000, 0, 0), E_INVAL);
	CU_ASSERT_EQUAL(call(1, NEST_FD_MAP, 0, 0, 0, 0), E_NOSYS);
	CU_ASSERT_EQUAL(call(1, NEST_OP(NEST_FS, 9), "/", 0, 0, 0), E_NOSYS);
	CU_ASSERT_EQUAL(nest_fs_init(&fs, b, "box", alive), E_INVAL);
	done();
}

/* FileDescription MAP's reads: from the handle's page-aligned offset,
 * which does not move, zeros past the end; only an owner's readable
 * handle. */
static void map_reads(void)
{
	static uint8_t page[XOK_PAGE_SIZE];

	setup();
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 0);
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_WRITE), 1);
	memset(page, 0xff, sizeof(page));
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 0, 0, page, sizeof(page)), 6);
	CU_ASSERT_EQUAL(memcmp(page, "inside", 6), 0);
	CU_ASSERT_EQUAL(page[6], 0);
	CU_ASSERT_EQUAL(page[sizeof(page) - 1], 0);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 0, 2, page, 3), 3);
	CU_ASSERT_EQUAL(memcmp(page, "sid", 3), 0);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 0, XOK_PAGE_SIZE, page, 8), 0);
	CU_ASSERT_EQUAL(rd(1, 0, 100), 6); /* the offset did not move */
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 0, 0, 0, 0), E_INVAL);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, 0, NEST_SEEK_SET), 0);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 1, 0, 0, 0), E_PERM);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 2, 0, 0, 0), E_INVAL);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 2, 0, 0, 0, 0), E_INVAL);
	CU_ASSERT_EQUAL(call(1, NEST_FD_SEEK, 0, 0, XOK_PAGE_SIZE,
			     NEST_SEEK_SET), XOK_PAGE_SIZE);
	CU_ASSERT_EQUAL(nest_fs_map_read(&fs, 1, 0, UINT64_MAX, page, 1),
			E_INVAL); /* past what an offset holds */
	done();
}

static void saved_handles_adopted(void)
{
	struct nest_fs_rec recs[4];

	setup();
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 0);
	CU_ASSERT_EQUAL(open_as(1, "/in", NEST_O_READ), 1);
	CU_ASSERT_EQUAL(call(1, NEST_FS_CLOSE, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(rd(1, 1, 2), 2);
	CU_ASSERT_EQUAL(nest_fs_save(&fs, 1, recs, 4), 1);
	CU_ASSERT_EQUAL(recs[0].fd, 1);
	CU_ASSERT_EQUAL(recs[0].off, 2);
	CU_ASSERT_EQUAL(strcmp(recs[0].path, "/in"), 0);
	/* Made again as owner 5: the same handle, at the same offset. */
	CU_ASSERT_EQUAL(nest_fs_adopt(&fs, 5, recs, 1), 0);
	CU_ASSERT_EQUAL(rd(5, 1, 100), 4);
	CU_ASSERT_EQUAL(memcmp(msg.data, "side", 4), 0);
	/* A handle taken, or a bad record: nothing adopted. */
	CU_ASSERT_EQUAL(open_as(6, "/in", NEST_O_READ), 0);
	recs[1] = recs[0];
	recs[1].fd = 0;
	CU_ASSERT_EQUAL(nest_fs_adopt(&fs, 6, recs, 2), E_INVAL);
	CU_ASSERT_EQUAL(rd(6, 0, 1), E_INVAL);
	CU_ASSERT_EQUAL(rd(6, 1, 1), E_INVAL);
	recs[0].flags = 0;
	CU_ASSERT_EQUAL(nest_fs_adopt(&fs, 7, recs, 1), E_INVAL);
	memset(recs[1].path, 'x', sizeof(recs[1].path));
	CU_ASSERT_EQUAL(nest_fs_adopt(&fs, 7, recs + 1, 1), E_INVAL);
	done();
}

void add_nest_fs_tests(void)
{
	static const struct unit_test tests[] = {
		{ "dotdot_stays_inside", dotdot_stays_inside },
		{ "owners_have_their_own_handles",
		  owners_have_their_own_handles },
		{ "read_write_seek", read_write_seek },
		{ "bad_arguments_refused", bad_arguments_refused },
		{ "saved_handles_adopted", saved_handles_adopted },
		{ "map_reads", map_reads },
		{ 0, 0 },
	};
	add_suite("nest_fs", tests);
}
