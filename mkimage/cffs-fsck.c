/*
 * cffs-fsck IMAGE [--repair]: checks the XN disk IMAGE and the C-FFS
 * under its root "files"; prints each problem and exits 1 if there is
 * any, 0 if all is consistent, 2 if the image cannot be read. --repair
 * fixes the safe cases first (link counts, the free map) and says so.
 */
#include <string.h>

#include "../libfs-cffs/imgblk.h"
#include "cffscheck.h"

int main(int argc, char **argv)
{
	int repair = argc == 3 && !strcmp(argv[2], "--repair");

	if (argc != 2 && !repair) {
		fprintf(stderr, "usage: %s IMAGE [--repair]\n", argv[0]);
		return 2;
	}
	return xnimage_verdict(argv[1],
			       cffscheck(argv[1], IMGBLK_ROOT, repair, stdout),
			       stdout);
}
