/*
 * cffs-mkfs [-r] [-d FOLDER] IMAGE SIZE: formats IMAGE as an XN disk of
 * SIZE bytes (K, M or G may follow; a whole number of 4 KiB blocks) with
 * C-FFS under the root "files", filled from host FOLDER (-r: every file
 * owned by 0:0). Exit 0, 1 if anything could not be stored (the image is
 * removed), 2 for bad arguments.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../libfs-cffs/cffs.h"
#include "../libfs-cffs/imgblk.h"
#include "cffsput.h"

/* SIZE in blocks, or 0 if it is not a whole number of blocks. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	unsigned shift = !strcmp(end, "K") ? 10 : !strcmp(end, "M") ? 20 :
			 !strcmp(end, "G") ? 30 : *end ? 64 : 0;

	if (shift == 64 || end == s || n >> (63 - shift))
		return 0;
	n <<= shift;
	return n % XOK_XN_BLOCK ? 0 : n / XOK_XN_BLOCK;
}

static int usage(const char *me)
{
	fprintf(stderr, "usage: %s [-r] [-d FOLDER] IMAGE SIZE\n", me);
	return 2;
}

int main(int argc, char **argv)
{
	static struct imgblk x;
	const char *folder = NULL;
	uint64_t nblocks;
	int opt, root_owner = 0, problems = 0;

	while ((opt = getopt(argc, argv, "rd:")) != -1) {
		if (opt == 'r')
			root_owner = 1;
		else if (opt == 'd')
			folder = optarg;
		else
			return usage(argv[0]);
	}
	if (argc - optind != 2)
		return usage(argv[0]);
	if (!(nblocks = parse_size(argv[optind + 1]))) {
		fprintf(stderr, "%s: SIZE must be a whole number of 4 KiB "
				"blocks, e.g. 16M\n", argv[0]);
		return 2;
	}
	if (imgblk_format(argv[optind], nblocks, IMGBLK_ROOT, stderr))
		return 1;
	if (imgblk_open(&x, argv[optind], IMGBLK_ROOT, 1, stderr)) {
		unlink(argv[optind]);
		return 1;
	}
	if (cffs_mkfs(&x.mem.blk)) {
		fprintf(stderr, "%s: cannot make the file system\n", argv[optind]);
		problems = 1;
	} else if (folder) {
		problems = cffsput_tree(&x.mem.blk, folder, root_owner, stderr);
	}
	if (imgblk_close(&x)) {
		fprintf(stderr, "%s: write failed\n", argv[optind]);
		problems++;
	}
	if (problems) {
		unlink(argv[optind]);
		return 1;
	}
	return 0;
}
