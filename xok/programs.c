/*
 * programs: lookup in the generated table (obj/xok/programs.S), which ends
 * with an entry whose name is 0.
 */
#include "programs.h"

#include "../lib/string.h"

extern const struct embedded_prog embedded_programs[];

const struct embedded_prog *program_find(const char *name, uint64_t len)
{
	for (const struct embedded_prog *p = embedded_programs; p->name; p++)
		if (strlen(p->name) == len && !memcmp(p->name, name, len))
			return p;
	return 0;
}
