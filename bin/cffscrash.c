/*
 * cffscrash: C-FFS's crash consistency over XN. "cut:N", on a disk made
 * by xn-mkfs: makes a C-FFS, then cuts the power after N more disk
 * writes (acknowledged and lost, as xok_disk_fault does) and keeps
 * working: files of several sizes (one through an indirect block)
 * created, written and fsynced one by one, a scratch file (indirect
 * too) made and unlinked between them, and after each fsync its file's number
 * appended to /synced, itself fsynced. No clean shutdown. "recover" (a
 * second boot on the same disk) mounts it (XN rebuilds the free map from
 * the roots; C-FFS releases what an interrupted unlink left) and checks that every file /synced names holds exactly its
 * bytes: a record reaches the disk only after its file's fsync did, so
 * each file recorded was synced before the cut. The harness then runs
 * cffs-fsck on the image, which must accept it as it is.
 */
#include <xok/disk.h>

#include "../lib/fmt.h"
#include "../libfs-cffs/cffs.h"
#include "../libfs-cffs/xnmount.h"
#include "rt/rt.h"

#define WINDOW 0x0000200000000000ull
#define FILES 6
#define DISKS ((const volatile struct xok_disk *)XOK_UDISKS)

static const uint64_t sizes[FILES] = { 100, 5000, 60000, 1, 9000, 70000 };
static struct xnblk fs;
static struct cffs_dindex fs_index;
static struct cffs_blk *b = &fs.blk;
static uint8_t buf[70000];

static uint8_t byte_of(unsigned file, uint64_t i)
{
	return (uint8_t)(i * 31 + file * 7 + (i >> 9));
}

static void file_name(char *p, size_t size, unsigned k)
{
	fmt_snprintf(p, size, "/f%u", k);
}

/* Creates file `k` with its bytes and fsyncs it; 0 or an error. */
static long write_file(unsigned k)
{
	char name[16];
	struct cffs_loc f;
	long r;

	for (uint64_t i = 0; i < sizes[k]; i++)
		buf[i] = byte_of(k, i);
	file_name(name, sizeof(name), k);
	if ((r = cffs_create(b, name, CFFS_S_IFREG | 0644, &f)) ||
	    (r = cffs_write(b, &f, 0, buf, sizes[k])) != (long)sizes[k])
		return r ? r : -1;
	return cffs_fsync(b, &f);
}

/* A file made and removed: blocks allocated and freed around the others
 * (past the direct blocks: an indirect block too, and an unlink of
 * several changes). */
#define SCRATCH (14 * 4096)

static long scratch(void)
{
	struct cffs_loc f;
	long r;

	if ((r = cffs_create(b, "/scratch", CFFS_S_IFREG | 0600, &f)) ||
	    (r = cffs_write(b, &f, 0, buf, SCRATCH)) != SCRATCH)
		return r ? r : -1;
	return cffs_unlink(b, "/scratch");
}

static int cut(uint64_t writes)
{
	struct cffs_loc log;
	unsigned synced = 0;
	long r;

	if ((r = xnmount_cffs(&fs, &fs_index, "files", WINDOW, 1)) ||
	    (r = cffs_create(b, "/synced", CFFS_S_IFREG | 0644, &log)) ||
	    (r = xnblk_flush()) || (r = xok_xn_sync(0)))
		return 10;
	xok_disk_fault(0, 0, writes);
	for (unsigned k = 0; k < FILES; k++) {
		uint8_t record = (uint8_t)k;

		if ((r = scratch()) || (r = write_file(k)) ||
		    cffs_write(b, &log, k, &record, 1) != 1 ||
		    (r = cffs_fsync(b, &log))) {
			printf("cffscrash: file %u failed (%ld)\n", k, r);
			return 11;
		}
		synced += DISKS[0].dropped == 0;
	}
	printf("cffscrash: %u files, %u synced before the cut\n", FILES, synced);
	return 0;
}

/* Does file `k` hold exactly its bytes? */
static int intact(unsigned k)
{
	char name[16];
	struct cffs_loc f;

	file_name(name, sizeof(name), k);
	if (cffs_lookup(b, name, &f) ||
	    cffs_read(b, &f, 0, buf, sizeof(buf)) != (long)sizes[k])
		return 0;
	for (uint64_t i = 0; i < sizes[k]; i++)
		if (buf[i] != byte_of(k, i))
			return 0;
	return 1;
}

static int recover(void)
{
	uint8_t records[FILES];
	struct cffs_loc log;
	long n;

	if (xnmount_cffs(&fs, &fs_index, "files", WINDOW, 0) ||
	    cffs_lookup(b, "/synced", &log) ||
	    (n = cffs_read(b, &log, 0, records, sizeof(records))) < 0)
		return 20;
	for (long i = 0; i < n; i++)
		if (records[i] != i || !intact((unsigned)i)) {
			printf("cffscrash: file %ld was synced, and is lost\n", i);
			return 21;
		}
	printf("cffscrash: recovered; the %ld files recorded as synced are "
	       "intact\n", n);
	return xnblk_flush() || xok_xn_sync(1) ? 22 : 0;
}

int main(const char *arg)
{
	uint64_t n = 0;

	if (!strcmp(arg, "recover"))
		return recover();
	if (strncmp(arg, "cut:", 4))
		return 2;
	for (const char *p = arg + 4; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	return cut(n);
}
