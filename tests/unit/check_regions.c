/*
 * check_regions.c - scan/regions.c: the root regions the program
 * registers, unregisters (exactly as registered) and the scan copies.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "scan/regions.h"

static char mem[4096];

START_TEST(add_copy_remove)
{
	uintptr_t lo[8], hi[8];

	ck_assert_uint_eq(regions_copy(lo, hi, 8), 0);
	ck_assert(regions_add(mem, 64));
	ck_assert(regions_add(mem + 128, 32));
	ck_assert_uint_eq(regions_copy(lo, hi, 8), 2);
	ck_assert_uint_eq(lo[0], (uintptr_t)mem);
	ck_assert_uint_eq(hi[0], (uintptr_t)mem + 64);
	ck_assert_uint_eq(hi[1] - lo[1], 32);
	ck_assert_uint_eq(regions_copy(lo, hi, 1), 1); /* at most max */
	/* only as registered: another size, another start, are not it */
	ck_assert(!regions_remove(mem, 63));
	ck_assert(!regions_remove(mem + 1, 64));
	ck_assert(regions_remove(mem, 64));
	ck_assert(!regions_remove(mem, 64));
	ck_assert_uint_eq(regions_copy(lo, hi, 8), 1);
	ck_assert_uint_eq(lo[0], (uintptr_t)mem + 128);
	ck_assert(regions_remove(mem + 128, 32));
	ck_assert_uint_eq(regions_copy(lo, hi, 8), 0);
}
END_TEST

START_TEST(full_registry_refuses)
{
	static uintptr_t lo[REGIONS_MAX], hi[REGIONS_MAX];

	for (size_t i = 0; i < REGIONS_MAX; i++)
		ck_assert(regions_add(mem + i % 4096, 1));
	ck_assert(!regions_add(mem, 8));
	ck_assert_uint_eq(regions_copy(lo, hi, REGIONS_MAX), REGIONS_MAX);
	for (size_t i = 0; i < REGIONS_MAX; i++)
		ck_assert(regions_remove(mem + i % 4096, 1));
	ck_assert(regions_add(mem, 8));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("regions");
	TCase *tc = tcase_create("regions");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, add_copy_remove);
	tcase_add_test(tc, full_registry_refuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* one registry: the tests run in order */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
