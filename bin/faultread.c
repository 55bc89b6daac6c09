/*
 * faultread: reads unmapped memory. Xok must end this environment alone.
 */
#include "rt/rt.h"

int main(const char *arg)
{
	(void)arg;
	printf("faultread: reading address 0\n");
	printf("faultread: read %lu (must not get here)\n",
	       *(volatile unsigned long *)0);
	return 0;
}
