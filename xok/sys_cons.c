/*
 * sys_cons: the console calls. Contracts in xok/syscalls.tab.
 */
#include <xok/error.h>

#include "console.h"
#include "env.h"
#include "pmap.h"
#include "syscall_decls.h"

#define CPUTS_MAX (1u << 20)
#define CPUTS_CHUNK 256

int64_t sys_cputs(const char *buf, uint64_t len)
{
	struct env *e = curenv();
	char chunk[CPUTS_CHUNK];
	uint64_t uva = (uint64_t)buf;

	if (len > CPUTS_MAX)
		return E_INVAL;
	/* Check the whole buffer first: a refused call prints nothing. */
	if (user_check(e->pml4_pa, uva, len, 0))
		return E_FAULT;
	for (uint64_t off = 0; off < len; off += CPUTS_CHUNK) {
		uint64_t n = len - off < CPUTS_CHUNK ? len - off : CPUTS_CHUNK;

		copy_from_user(e->pml4_pa, chunk, uva + off, n);
		cons_write(chunk, n);
	}
	return (int64_t)len;
}

int64_t sys_cgetc(void)
{
	int c = cons_getc();

	return c < 0 ? E_AGAIN : c;
}
