/*
 * spin: computes without ever yielding; two of them finishing shows the
 * timer preempts user code (neither would let the other run otherwise).
 */
#include "rt/rt.h"

int main(const char *arg)
{
	volatile uint64_t x = 0;

	printf("spin %s: started\n", arg);
	for (uint64_t i = 0; i < 30000000; i++)
		x += i;
	printf("spin %s: done\n", arg);
	return 0;
}
