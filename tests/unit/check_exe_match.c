/*
 * check_exe_match.c - exe_match.c: the --exe filter, its ':' lists and
 * their errors. The pattern rules themselves are pathglob.c's and are
 * checked, case by case and against a model, by check_pathglob.
 */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "exe_match.h"
#include "seeded.h"

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

static Suite *
exe_match_suite(void)
{
	Suite *s = suite_create("exe_match");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, colon_lists_and_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(exe_match_suite(), "check_exe_match");
}
