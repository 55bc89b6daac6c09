/*
 * faultkernel: tries to read and then write the kernel's memory from user
 * mode. Both must fault; the kernel's data must be untouched.
 */
#include "rt/rt.h"

int main(const char *arg)
{
	volatile unsigned long *kernel = (unsigned long *)0xffffffff80100000;

	if (arg[0] == 'w') {
		printf("faultkernel: writing kernel memory\n");
		*kernel = 0;
	} else {
		printf("faultkernel: reading kernel memory\n");
		printf("faultkernel: read %lu (must not get here)\n", *kernel);
	}
	return 0;
}
