/*
 * libexos/stack.c and path.c: the initial stack of a new program, byte for
 * byte as Linux lays it out, and path resolution with symbolic links.
 */
#include <stdint.h>
#include <string.h>

#include "../../libexos/path.h"
#include "../../libexos/stack.h"
#include "unit.h"

#define TOP 0x7ff000000000ull
#define ROOM 4096

static uint8_t mem[ROOM] __attribute__((aligned(16)));

/* The word at address `va` of the stack in `mem`. */
static uint64_t word(uint64_t va)
{
	uint64_t w;

	memcpy(&w, mem + (va - (TOP - ROOM)), 8);
	return w;
}

static const char *str(uint64_t va)
{
	return (const char *)mem + (va - (TOP - ROOM));
}

static void test_stack_layout(void)
{
	static const char args[] = "sh\0-c\0echo hi";
	static const char envs[] = "PATH=/bin\0HOME=/";
	struct strvec argv = { args, sizeof(args), 3 },
		      envp = { envs, sizeof(envs), 2 };
	struct auxv aux[] = { { 6 /* AT_PAGESZ */, 4096 }, { 9, 0x401000 } };
	uint8_t random[16];
	uint64_t sp, a;

	for (int i = 0; i < 16; i++)
		random[i] = (uint8_t)(i * 7);
	sp = stack_build(mem, ROOM, TOP, &argv, &envp, aux, 2, random,
			 "/bin/sh");
	CU_ASSERT(sp != 0);
	CU_ASSERT_EQUAL(sp % 16, 0);
	CU_ASSERT_EQUAL(word(sp), 3); /* argc */
	CU_ASSERT_STRING_EQUAL(str(word(sp + 8)), "sh");
	CU_ASSERT_STRING_EQUAL(str(word(sp + 16)), "-c");
	CU_ASSERT_STRING_EQUAL(str(word(sp + 24)), "echo hi");
	CU_ASSERT_EQUAL(word(sp + 32), 0);
	CU_ASSERT_STRING_EQUAL(str(word(sp + 40)), "PATH=/bin");
	CU_ASSERT_STRING_EQUAL(str(word(sp + 48)), "HOME=/");
	CU_ASSERT_EQUAL(word(sp + 56), 0);
	/* auxv: as given, then AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_PLATFORM,
	 * AT_NULL, as Linux ends it */
	a = sp + 64;
	CU_ASSERT_EQUAL(word(a), 6);
	CU_ASSERT_EQUAL(word(a + 8), 4096);
	CU_ASSERT_EQUAL(word(a + 16), 9);
	CU_ASSERT_EQUAL(word(a + 24), 0x401000);
	CU_ASSERT_EQUAL(word(a + 32), 25);
	CU_ASSERT_EQUAL(memcmp(str(word(a + 40)), random, 16), 0);
	CU_ASSERT_EQUAL(word(a + 48), 26);
	CU_ASSERT_EQUAL(word(a + 56), 0);
	CU_ASSERT_EQUAL(word(a + 64), 31);
	CU_ASSERT_STRING_EQUAL(str(word(a + 72)), "/bin/sh");
	CU_ASSERT_EQUAL(word(a + 80), 15);
	CU_ASSERT_STRING_EQUAL(str(word(a + 88)), "x86_64");
	CU_ASSERT_EQUAL(word(a + 96), 0);
	CU_ASSERT_EQUAL(word(a + 104), 0);
	/* Every string lies inside the stack, above the vectors; the
	 * random bytes lie below the platform's name, below the strings. */
	CU_ASSERT(word(sp + 8) > a + 104 && word(sp + 8) < TOP);
	CU_ASSERT(word(a + 40) + 16 <= word(a + 88));
	CU_ASSERT(word(a + 88) + 7 <= word(sp + 8));
}

static void test_stack_too_small(void)
{
	static char big[3000];
	struct strvec argv = { big, sizeof(big), 1 }, envp = { "", 0, 0 };
	uint8_t random[16] = { 0 };

	memset(big, 'x', sizeof(big) - 1);
	CU_ASSERT_EQUAL(stack_build(mem, 2048, TOP, &argv, &envp, 0, 0, random,
				    "/x"), 0);
	CU_ASSERT_NOT_EQUAL(stack_build(mem, ROOM, TOP, &argv, &envp, 0, 0,
					random, "/x"), 0);
}

/* Links: /bin/sh -> busybox, /lib -> /usr/lib, /loop -> /loop. */
static long links(void *arg, const char *path, char *buf, size_t size)
{
	static const char *const table[][2] = {
		{ "/bin/sh", "busybox" },
		{ "/lib", "/usr/lib" },
		{ "/loop", "/loop" },
		{ "/up", "../bin" },
	};

	(void)arg;
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(path, table[i][0])) {
			size_t n = strlen(table[i][1]);

			if (n > size)
				n = size;
			memcpy(buf, table[i][1], n);
			return (long)n;
		}
	return PATH_NOT_LINK;
}

static const char *resolve(const char *base, const char *path, int follow)
{
	static char out[PATH_MAX_LEN];
	int r = path_resolve(base, path, follow, links, 0, out);

	return r ? (r == PATH_E_LOOP ? "ELOOP" : r == PATH_E_NOENT ? "ENOENT" :
		    "ERR") : out;
}

static void test_path_normalize(void)
{
	CU_ASSERT_STRING_EQUAL(resolve("/", "/", 1), "/");
	CU_ASSERT_STRING_EQUAL(resolve("/home", "a//b/./c", 1), "/home/a/b/c");
	CU_ASSERT_STRING_EQUAL(resolve("/home/x", "../../..", 1), "/");
	CU_ASSERT_STRING_EQUAL(resolve("/", "/etc/../tmp/", 1), "/tmp");
	CU_ASSERT_STRING_EQUAL(resolve("/", "", 1), "ENOENT");
}

static void test_path_links(void)
{
	CU_ASSERT_STRING_EQUAL(resolve("/", "/bin/sh", 1), "/bin/busybox");
	CU_ASSERT_STRING_EQUAL(resolve("/", "/bin/sh", 0), "/bin/sh");
	CU_ASSERT_STRING_EQUAL(resolve("/", "/lib/exos", 0), "/usr/lib/exos");
	CU_ASSERT_STRING_EQUAL(resolve("/", "/up/sh", 1), "/bin/busybox");
	CU_ASSERT_STRING_EQUAL(resolve("/", "/loop/x", 1), "ELOOP");
	CU_ASSERT_STRING_EQUAL(resolve("/", "/loop", 0), "/loop");
}

void add_exos_start_tests(void)
{
	static const struct unit_test tests[] = {
		{ "stack_layout", test_stack_layout },
		{ "stack_too_small", test_stack_too_small },
		{ "path_normalize", test_path_normalize },
		{ "path_links", test_path_links },
		{ 0, 0 },
	};

	add_suite("exos_start", tests);
}
