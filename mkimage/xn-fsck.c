/*
 * xn-fsck IMAGE: checks an XN disk; prints each problem and exits 1 if
 * there is any, 0 if the disk is consistent, 2 if it cannot be read.
 */
#include "xnimage.h"

int main(int argc, char **argv)
{
	int problems;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
		return 2;
	}
	problems = xnimage_check(argv[1], stdout);
	if (problems < 0)
		return 2;
	printf("%s: %s (%d problem%s)\n", argv[1],
	       problems ? "INCONSISTENT" : "consistent", problems,
	       problems == 1 ? "" : "s");
	return problems ? 1 : 0;
}
