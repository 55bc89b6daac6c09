/*
 * nosys: a plain static Linux program (musl, no libexos) that makes a
 * system call no kernel has (number 500), twice. Under ExOS each call
 * must fail with ENOSYS, and the console must say so once, by number.
 * Exits 0 if both calls failed so.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
	int ok = 1;

	for (int i = 0; i < 2; i++) {
		errno = 0;
		ok &= syscall(500) == -1 && errno == ENOSYS;
	}
	printf("nosys: %s\n", ok ? "ENOSYS both times" : "WRONG");
	return !ok;
}
