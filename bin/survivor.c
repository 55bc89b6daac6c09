/*
 * survivor: runs beside a program that faults and shows that the kernel
 * carried on: it yields until the other environment is gone, then reports.
 */
#include "rt/rt.h"

#define ROUNDS 20

int main(const char *arg)
{
	(void)arg;
	printf("survivor: started\n");
	for (int i = 0; i < ROUNDS; i++)
		xok_yield();
	printf("survivor: still running after %d yields\n", ROUNDS);
	return 0;
}
