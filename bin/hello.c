/*
 * hello: the first environment. Prints through the Xok console call and
 * exits.
 */
#include "rt/rt.h"

int main(const char *arg)
{
	printf("hello: Hello from user space, env %#lx%s%s\n",
	       (unsigned long)xok_getenvid(), *arg ? ", arg " : "", arg);
	return 0;
}
