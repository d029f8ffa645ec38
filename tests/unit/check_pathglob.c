/*
 * check_pathglob.c - pathglob.c: the LEAK_ONLY / --exe rules case by case,
 * and the matcher against a naive recursive one on random patterns.
 */
#include <check.h>
#include <string.h>

#include "base/pathglob.h"
#include "seeded.h"

static const struct {
	const char *list;
	const char *path;
	bool want;
} cases[] = {
	/* no '/': the last component */
	{ "test_*", "/src/build/tests/test_array", true },
	{ "test_*", "/src/test_dir/make", false },
	{ "make", "/usr/bin/make", true },
	{ "mak", "/usr/bin/make", false },
	{ "?ake", "/usr/bin/make", true },
	{ "*", "/usr/bin/make", true },
	/* leading '/': the whole path; '*' crosses '/' */
	{ "/usr/bin/make", "/usr/bin/make", true },
	{ "/usr/*", "/usr/bin/make", true },
	{ "/usr/*/make", "/usr/lib/x/bin/make", true },
	{ "/bin/*", "/usr/bin/make", false },
	{ "/usr/bin/mak?", "/usr/bin/make", true },
	{ "/usr/bin/m", "/usr/bin/make", false },
	/* a '/' inside: the path or a part that starts after a '/' */
	{ "build/*", "/home/u/proj/build/tests/t1", true },
	{ "build/*", "/home/u/proj/rebuild/t1", false },
	{ "tests/t_?", "/p/build/tests/t_1", true },
	{ "tests/t_?", "/p/build/tests/t_12", false },
	{ "bin/make", "/usr/bin/make", true },
	{ "in/make", "/usr/bin/make", false },
	{ "usr/bin/make", "/usr/bin/make", true },
	/* lists */
	{ "/nowhere/*:make", "/usr/bin/make", true },
	{ "sh:make:cc", "/usr/bin/make", true },
	{ "sh:cc", "/usr/bin/make", false },
	{ ":", "/usr/bin/make", false },
	{ "", "/usr/bin/make", false },
	{ "make:", "/usr/bin/make", true },
	/* several stars */
	{ "/*/*/m*e", "/usr/bin/make", true },
	{ "/**e", "/usr/bin/make", true },
	{ "/*x*", "/usr/bin/make", false },
	/* more, from --exe's documentation (docs/leakreport.md) */
	{ "test_array", "/home/u/proj/build/tests/test_array", true },
	{ "test_*", "/home/u/proj/build/tests/test_array", true },
	{ "test_?rray", "/b/test_array", true },
	{ "test_?", "/b/test_ab", false },
	{ "array", "/b/test_array", false },    /* whole basename */
	{ "tests", "/home/u/tests/t1", false }, /* a directory is not the basename */
	{ "t1", "t1", true },                   /* a path without '/' */
	{ "/usr/bin/*", "/usr/bin/make", true },
	{ "/usr/bin/*", "/usr/bin/x/y", true }, /* '*' crosses '/' */
	{ "/usr/bin/?ake", "/usr/bin/make", true },
	{ "/bin/make", "/usr/bin/make", false },
	{ "/usr/bin", "/usr/bin/make", false },
	{ "/home/*/build/*", "/home/u/proj/build/t", true },
	{ "build/*", "build/t1", true }, /* the whole path */
	{ "tests/unit/test_?", "/p/build/tests/unit/test_a", true },
	{ "tests/unit/test_?", "/p/build/tests/unit/test_ab", false },
	{ "proj/*/t1", "/home/u/proj/build/tests/t1", true },
	{ "u/proj", "/home/u/proj/build", false }, /* must reach the end */
	{ "*/t1", "/a/t1", true },
	{ "**", "/x", true },
	{ "a*b*c", "/d/aXbYc", true },
	{ "a*b*c", "/d/aXbYcZ", false },
};

START_TEST(rules)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(pathglob_match_list(cases[i].list, cases[i].path) == cases[i].want,
		    "'%s' on '%s': expected %d", cases[i].list, cases[i].path, cases[i].want);
}
END_TEST

/* The reference: whole-string glob by recursion, exponential but plain. */
static bool
naive_whole(const char *p, size_t n, const char *s)
{
	if (n == 0)
		return *s == '\0';
	if (*p == '*')
		return naive_whole(p + 1, n - 1, s) || (*s != '\0' && naive_whole(p, n, s + 1));
	if (*s == '\0')
		return false;
	return (*p == '?' || *p == *s) && naive_whole(p + 1, n - 1, s + 1);
}

static bool
naive(const char *p, size_t n, const char *path)
{
	if (n == 0)
		return false;
	if (p[0] == '/')
		return naive_whole(p, n, path);
	if (memchr(p, '/', n) == NULL) {
		const char *b = strrchr(path, '/');

		return naive_whole(p, n, b != NULL ? b + 1 : path);
	}
	for (const char *s = path; s != NULL; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
		if (naive_whole(p, n, s))
			return true;
	return false;
}

START_TEST(against_naive_model)
{
	static const char alpha[] = "ab/*?";
	uint64_t r = seed;

	for (int round = 0; round < 200000; round++) {
		char pat[10], path[14];
		size_t np = rng_next(&r) % 9, ns = rng_next(&r) % 13;

		for (size_t i = 0; i < np; i++)
			pat[i] = alpha[rng_next(&r) % 5];
		pat[np] = '\0';
		for (size_t i = 0; i < ns; i++)
			path[i] = alpha[rng_next(&r) % 3]; /* a, b, / */
		path[ns] = '\0';
		ck_assert_msg(pathglob_match(pat, np, path) == naive(pat, np, path),
		    SEEDED("'%s' on '%s': matcher %d, model %d", pat, path,
			pathglob_match(pat, np, path), naive(pat, np, path)));
	}
}
END_TEST

START_TEST(long_star_patterns_stay_fast)
{
	char pattern[400];
	char path[4100];

	/* "*a*a*...*b" against "aaaa...": exponential for a backtracking
	 * matcher, quadratic here. */
	for (size_t i = 0; i < sizeof(pattern) - 2; i += 2) {
		pattern[i] = '*';
		pattern[i + 1] = 'a';
	}
	pattern[sizeof(pattern) - 2] = 'b';
	pattern[sizeof(pattern) - 1] = '\0';
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert(!pathglob_match(pattern, strlen(pattern), path));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pathglob");
	TCase *tc = tcase_create("match");

	tcase_add_test(tc, rules);
	tcase_add_test(tc, against_naive_model);
	tcase_add_test(tc, long_star_patterns_stay_fast);
	suite_add_tcase(s, tc);
	return seeded_run(s, "check_pathglob");
}
