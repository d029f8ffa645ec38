/*
 * check_err.c - err.c: err_set formats, returns -1 for "return err_set()",
 * and truncates a message longer than struct err holds.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

START_TEST(formats_and_returns_minus_one)
{
	struct err e = { "" };

	ck_assert_int_eq(err_set(&e, "%s:%u: %s", "a.dump", 13u, "bad"), -1);
	ck_assert_str_eq(e.msg, "a.dump:13: bad");
	ck_assert_int_eq(err_set(&e, "again"), -1);
	ck_assert_str_eq(e.msg, "again"); /* replaced, not appended */
}
END_TEST

START_TEST(truncates_to_fit)
{
	struct err e;
	char big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&e, 0x55, sizeof(e));
	ck_assert_int_eq(err_set(&e, "%s", big), -1);
	ck_assert_uint_eq(strlen(e.msg), sizeof(e.msg) - 1);
	ck_assert_int_eq(e.msg[0], 'x');
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("err");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, formats_and_returns_minus_one);
	tcase_add_test(tc, truncates_to_fit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
