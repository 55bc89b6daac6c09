/*
 * cffs-extract IMAGE PATH DEST: copies PATH of the C-FFS in IMAGE (a
 * file, a link, or a directory and everything below it) to host path
 * DEST, with modes and times. Exit 0, 1 if something could not be
 * copied, 2 for bad arguments.
 */
#include "../libfs-cffs/imgblk.h"
#include "cffsget.h"

int main(int argc, char **argv)
{
	static struct imgblk x;
	int problems;

	if (argc != 4) {
		fprintf(stderr, "usage: %s IMAGE PATH DEST\n", argv[0]);
		return 2;
	}
	if (imgblk_open(&x, argv[1], IMGBLK_ROOT, 0, stderr))
		return 1;
	problems = cffsget_extract(&x.mem.blk, argv[2], argv[3], stderr);
	imgblk_close(&x);
	return problems ? 1 : 0;
}
