/*
 * cffs-ls [-R] IMAGE [PATH]: lists PATH (default /) of the C-FFS in
 * IMAGE as ls -l does; -R lists every directory below too. Exit 0, 1 if
 * something could not be read, 2 for bad arguments.
 */
#include <unistd.h>

#include "../libfs-cffs/imgblk.h"
#include "cffsget.h"

int main(int argc, char **argv)
{
	static struct imgblk x;
	int opt, recursive = 0, problems;

	while ((opt = getopt(argc, argv, "R")) != -1) {
		if (opt != 'R') {
			fprintf(stderr, "usage: %s [-R] IMAGE [PATH]\n", argv[0]);
			return 2;
		}
		recursive = 1;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "usage: %s [-R] IMAGE [PATH]\n", argv[0]);
		return 2;
	}
	if (imgblk_open(&x, argv[optind], IMGBLK_ROOT, 0, stderr))
		return 1;
	problems = cffsget_list(&x.mem.blk,
				argc - optind == 2 ? argv[optind + 1] : "/",
				recursive, stdout, stderr);
	imgblk_close(&x);
	return problems ? 1 : 0;
}
