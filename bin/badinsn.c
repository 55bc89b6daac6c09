/*
 * badinsn: executes an instruction user mode may not: "ud2" (invalid
 * opcode), "int3" (breakpoint), "hlt" or "outb" (privileged: general
 * protection), chosen by its argument.
 */
#include "rt/rt.h"

int main(const char *arg)
{
	printf("badinsn: executing %s\n", arg);
	if (!strcmp(arg, "ud2"))
		__asm__ volatile("ud2");
	else if (!strcmp(arg, "int3"))
		__asm__ volatile("int3");
	else if (!strcmp(arg, "hlt"))
		__asm__ volatile("hlt");
	else if (!strcmp(arg, "outb"))
		__asm__ volatile("outb %%al, $0xf4" : : "a"(0x10));
	else
		return 2;
	printf("badinsn: still running (must not get here)\n");
	return 1;
}
