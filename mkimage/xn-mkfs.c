/*
 * xn-mkfs IMAGE BLOCKS: formats IMAGE as an empty XN disk of BLOCKS 4 KiB
 * blocks (no templates, no roots: libFSes install those).
 */
#include <stdlib.h>

#include "xnimage.h"

int main(int argc, char **argv)
{
	char *end;
	unsigned long long n;

	if (argc != 3 || !(n = strtoull(argv[2], &end, 0)) || *end) {
		fprintf(stderr, "usage: %s IMAGE BLOCKS\n", argv[0]);
		return 2;
	}
	return xnimage_format(argv[1], n, stderr) ? 1 : 0;
}
