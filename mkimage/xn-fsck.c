/*
 * xn-fsck IMAGE: checks an XN disk; prints each problem and exits 1 if
 * there is any, 0 if the disk is consistent, 2 if it cannot be read.
 */
#include "xnimage.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
		return 2;
	}
	return xnimage_verdict(argv[1], xnimage_check(argv[1], stdout), stdout);
}
