/*
 * selftest: tests inside the guest that register themselves in a linker
 * section, so one boot runs many of them and each prints one line:
 *   test NAME: ok
 *   test NAME: FAILED (file:line: what)
 * Used by the kernel's own tests and by native test programs alike.
 */
#ifndef LIB_SELFTEST_H
#define LIB_SELFTEST_H

struct selftest {
	const char *name;
	int (*fn)(void); /* 0 on success; a CHECK failure returns -1 */
};

/* Defines and registers a test: SELFTEST(name) { ... return 0; } */
#define SELFTEST(tname)                                                      \
	static int selftest_fn_##tname(void);                                \
	static const struct selftest selftest_reg_##tname                    \
		__attribute__((section("selftests"), used, aligned(8))) = {  \
			#tname, selftest_fn_##tname };                       \
	static int selftest_fn_##tname(void)

/* The environment the runner reports through. */
struct selftest_env {
	int (*print)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* Optional leak check: a count taken before each test must be equal
	 * after it (xv6's usertests do this with free pages). */
	long (*resource_count)(void);
	const char *resource_name;
};

extern const struct selftest_env *selftest_current;

/* Fails the current test with a message naming the place and condition. */
#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			selftest_fail(__FILE__, __LINE__, #cond);            \
			return -1;                                           \
		}                                                            \
	} while (0)

/* Fails unless two integer expressions are equal, printing both values. */
#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_) {                                  \
			selftest_fail_eq(__FILE__, __LINE__, #a, #b, check_a_, \
					 check_b_);                          \
			return -1;                                           \
		}                                                            \
	} while (0)

void selftest_fail(const char *file, int line, const char *what);
void selftest_fail_eq(const char *file, int line, const char *a,
		      const char *b, long long va, long long vb);

/*
 * Runs the registered tests in [begin, end) whose names appear in `select`
 * (a comma-separated list, or "all"). Returns the number that failed, or
 * -1 if a selected name matched no test.
 */
int selftest_run(const struct selftest *begin, const struct selftest *end,
		 const char *select, const struct selftest_env *env);

#endif
