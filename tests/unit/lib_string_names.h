/*
 * Included first (-include) when lib/string.c is built for the host
 * tests: its functions get names of their own, so the test can call
 * them beside the host C library's.
 */
#define memset lib_memset
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memcmp lib_memcmp
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
