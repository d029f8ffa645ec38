/*
 * check_exe_match.c - exe_match.c: the --exe pattern rules of
 * docs/leakreport.md case by case, ':' lists and their errors, and the
 * glob matcher against a naive recursive one on seeded random patterns.
 */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "exe_match.h"
#include "seeded.h"

struct example {
	const char *pattern;
	const char *path;
	bool match;
};

static const struct example examples[] = {
	/* no '/': the basename */
	{ "test_array", "/home/u/proj/build/tests/test_array", true },
	{ "test_*", "/home/u/proj/build/tests/test_array", true },
	{ "test_?rray", "/b/test_array", true },
	{ "test_?", "/b/test_ab", false },
	{ "array", "/b/test_array", false },    /* whole basename */
	{ "tests", "/home/u/tests/t1", false }, /* a directory is not the basename */
	{ "*", "/usr/bin/make", true },
	{ "t1", "t1", true }, /* a path without '/' */
	/* leading '/': the whole path */
	{ "/usr/bin/*", "/usr/bin/make", true },
	{ "/usr/bin/*", "/usr/bin/x/y", true }, /* '*' crosses '/' */
	{ "/usr/bin/?ake", "/usr/bin/make", true },
	{ "/bin/make", "/usr/bin/make", false },
	{ "/usr/bin", "/usr/bin/make", false },
	{ "/home/*/build/*", "/home/u/proj/build/t", true },
	/* '/' inside: the path or a suffix after a '/' */
	{ "build/*", "/home/u/proj/build/tests/t1", true },
	{ "build/*", "/home/u/proj/rebuild/t1", false }, /* only right after a '/' */
	{ "build/*", "build/t1", true },                 /* the whole path */
	{ "tests/unit/test_?", "/p/build/tests/unit/test_a", true },
	{ "tests/unit/test_?", "/p/build/tests/unit/test_ab", false },
	{ "proj/*/t1", "/home/u/proj/build/tests/t1", true },
	{ "u/proj", "/home/u/proj/build", false }, /* must reach the end */
	{ "*/t1", "/a/t1", true },
	{ "**", "/x", true },
	{ "a*b*c", "/d/aXbYc", true },
	{ "a*b*c", "/d/aXbYcZ", false },
	{ "", "/x", false },
};

START_TEST(rules_case_by_case)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *x = &examples[i];

		ck_assert_msg(exe_pattern_match(x->pattern, x->path) == x->match,
		    "'%s' on '%s': expected %s", x->pattern, x->path,
		    x->match ? "match" : "no match");
	}
}
END_TEST

START_TEST(colon_lists_and_errors)
{
	struct exe_filter f = { 0 };
	struct err e;

	ck_assert(exe_filter_match(&f, "/anything")); /* no pattern: every dump */
	ck_assert_int_eq(exe_filter_add(&f, "test_a:build/*", &e), 0);
	ck_assert_int_eq(exe_filter_add(&f, "/opt/x", &e), 0);
	ck_assert_uint_eq(f.n, 3);
	ck_assert_str_eq(f.patterns[1], "build/*");
	ck_assert(exe_filter_match(&f, "/p/test_a"));
	ck_assert(exe_filter_match(&f, "/p/build/q"));
	ck_assert(exe_filter_match(&f, "/opt/x"));
	ck_assert(!exe_filter_match(&f, "/usr/bin/sed"));
	ck_assert_int_eq(exe_filter_add(&f, "a::b", &e), -1);
	ck_assert_str_eq(e.msg, "--exe: empty pattern in 'a::b'");
	ck_assert_int_eq(exe_filter_add(&f, "", &e), -1);
	ck_assert_int_eq(exe_filter_add(&f, "a:", &e), -1);
	exe_filter_free(&f);
	ck_assert_uint_eq(f.n, 0);
}
END_TEST

/* The naive statement of a whole-string glob: exponential, but obviously
 * right on short strings. */
static bool
naive_glob(const char *p, const char *t)
{
	if (*p == '\0')
		return *t == '\0';
	if (*p == '*')
		return naive_glob(p + 1, t) || (*t != '\0' && naive_glob(p, t + 1));
	if (*t == '\0')
		return false;
	return (*p == '?' || *p == *t) && naive_glob(p + 1, t + 1);
}

/* The rules of docs/leakreport.md, stated again with naive_glob. */
static bool
naive_match(const char *pattern, const char *path)
{
	const char *base = strrchr(path, '/');

	if (pattern[0] == '/')
		return naive_glob(pattern, path);
	if (strchr(pattern, '/') == NULL)
		return naive_glob(pattern, base != NULL ? base + 1 : path);
	if (naive_glob(pattern, path))
		return true;
	for (size_t i = 0; path[i] != '\0'; i++)
		if (path[i] == '/' && naive_glob(pattern, path + i + 1))
			return true;
	return false;
}

static void
random_string(uint64_t *rng, char *out, size_t max, const char *alphabet)
{
	size_t n = rng_next(rng) % max;
	size_t k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[rng_next(rng) % k];
	out[n] = '\0';
}

START_TEST(glob_agrees_with_naive_model)
{
	uint64_t rng = seed;
	char pattern[12];
	char path[14];

	for (int i = 0; i < 200000; i++) {
		random_string(&rng, pattern, sizeof(pattern), "ab/*?");
		random_string(&rng, path, sizeof(path), "ab/");
		if (pattern[0] == '\0')
			continue; /* options refuse an empty pattern */
		ck_assert_msg(exe_pattern_match(pattern, path) == naive_match(pattern, path),
		    SEEDED("'%s' on '%s': exe_match says %d", pattern, path,
			exe_pattern_match(pattern, path)));
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
	ck_assert(!exe_pattern_match(pattern, path));
}
END_TEST

static Suite *
exe_match_suite(void)
{
	Suite *s = suite_create("exe_match");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rules_case_by_case);
	tcase_add_test(tc, colon_lists_and_errors);
	tcase_add_test(tc, glob_agrees_with_naive_model);
	tcase_add_test(tc, long_star_patterns_stay_fast);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(exe_match_suite(), "check_exe_match");
}
