/*
 * check_diff.c - diff.c: which stacks grew and which shrank or vanished,
 * their order (largest growth first, largest decrease first, ties by
 * blocks then frames), the arithmetic of every field, --top, the totals
 * from the stat lines, and the clamped signed delta.
 *
 * Dumps are in-memory struct dump models (snapshot_model.h), grouped by the
 * real group.c in series mode.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diff.h"
#include "snapshot_model.h"

/* OLD and NEW with per-stack bytes; grouped; diff computed into *df. */
static void
run_diff(const uint64_t old[MODEL_STACKS], const uint64_t new[MODEL_STACKS], bool top_set,
    uint64_t top, struct diff *df)
{
	struct err e;

	model_reset();
	model_add(1, 10000000, old, 1000000);
	model_add(2, 20000000, new, 1500000);
	model_group();
	ck_assert_msg(diff_compute(df, &M.rep, top_set, top, &e) == 0, "%s", e.msg);
}

START_TEST(grown_then_shrunk_largest_first)
{
	/* 1: +320 bytes; 2: new, +640; 3: -160; 4: vanished, -480 */
	static const uint64_t old[MODEL_STACKS] = { 160, 0, 320, 480 };
	static const uint64_t new[MODEL_STACKS] = { 480, 640, 160, 0 };
	struct diff df;

	run_diff(old, new, false, 0, &df);
	ck_assert_uint_eq(df.ngrown, 2);
	ck_assert_uint_eq(df.nshrunk, 2);
	ck_assert_uint_eq(df.unchanged, 0);
	ck_assert_int_eq(model_stack_of(df.grown[0].leak), 2);
	ck_assert_int_eq(df.grown[0].delta_bytes, 640);
	ck_assert_int_eq(df.grown[0].delta_blocks, 40);
	ck_assert_uint_eq(df.grown[0].bytes_before, 0);
	ck_assert_uint_eq(df.grown[0].blocks_before, 0);
	ck_assert_uint_eq(df.grown[0].bytes_after, 640);
	ck_assert_uint_eq(df.grown[0].blocks_after, 40);
	ck_assert_int_eq(model_stack_of(df.grown[1].leak), 1);
	ck_assert_int_eq(df.grown[1].delta_bytes, 320);
	ck_assert_int_eq(df.grown[1].delta_blocks, 20);
	ck_assert_uint_eq(df.grown[1].bytes_before, 160);
	ck_assert_uint_eq(df.grown[1].blocks_before, 10);
	ck_assert_int_eq(model_stack_of(df.shrunk[0].leak), 4);
	ck_assert_int_eq(df.shrunk[0].delta_bytes, -480);
	ck_assert_int_eq(df.shrunk[0].delta_blocks, -30);
	ck_assert_uint_eq(df.shrunk[0].bytes_after, 0);
	ck_assert_uint_eq(df.shrunk[0].blocks_after, 0);
	ck_assert_int_eq(model_stack_of(df.shrunk[1].leak), 3);
	ck_assert_int_eq(df.shrunk[1].delta_bytes, -160);
	ck_assert_int_eq(df.shrunk[1].delta_blocks, -10);
	/* totals from the stat lines: 960 -> 1280 bytes, 60 -> 80 blocks */
	ck_assert_ptr_eq(df.old, &M.d[0]);
	ck_assert_ptr_eq(df.new, &M.d[1]);
	ck_assert_int_eq(df.delta_live_bytes, 320);
	ck_assert_int_eq(df.delta_live_blocks, 20);
	ck_assert_int_eq(df.delta_rss_bytes, 500000);
	diff_free(&df);
	model_free();
}
END_TEST

START_TEST(ties_by_blocks_then_frames_and_unchanged)
{
	/* 1 and 2 both +320 bytes; 3 unchanged; 4 same bytes, fewer blocks
	 * is impossible with MODEL_BLOCK blocks, so 4 is also unchanged */
	static const uint64_t old[MODEL_STACKS] = { 32, 64, 96, 128 };
	static const uint64_t new[MODEL_STACKS] = { 352, 384, 96, 128 };
	struct diff df;

	run_diff(old, new, false, 0, &df);
	ck_assert_uint_eq(df.ngrown, 2);
	ck_assert_uint_eq(df.nshrunk, 0);
	ck_assert_uint_eq(df.unchanged, 2);
	/* equal deltas: the frames decide (bare pcs, lower first), every run */
	ck_assert_int_eq(model_stack_of(df.grown[0].leak), 1);
	ck_assert_int_eq(model_stack_of(df.grown[1].leak), 2);
	diff_free(&df);
	model_free();
}
END_TEST

START_TEST(same_bytes_blocks_decide)
{
	static const uint64_t old[MODEL_STACKS] = { 320, 320, 0, 0 };
	static const uint64_t new[MODEL_STACKS] = { 320, 320, 0, 0 };
	struct diff df;

	/* stack 1: 20 blocks of 16 -> 10 blocks of 32 bytes (fewer blocks);
	 * stack 2: the reverse. Edit the model's recs by hand. */
	model_reset();
	model_add(1, 10000000, old, 0);
	model_add(2, 20000000, new, 0);
	M.rc[1][0].blocks = 9; /* stack 1 in NEW: 9 + 1 blocks */
	M.rc[0][2].blocks = 9; /* stack 2 in OLD: 9 + 1 blocks */
	model_group();
	{
		struct err e;

		ck_assert_int_eq(diff_compute(&df, &M.rep, false, 0, &e), 0);
	}
	ck_assert_uint_eq(df.ngrown, 1);
	ck_assert_uint_eq(df.nshrunk, 1);
	ck_assert_int_eq(model_stack_of(df.grown[0].leak), 2);
	ck_assert_int_eq(df.grown[0].delta_bytes, 0);
	ck_assert_int_eq(df.grown[0].delta_blocks, 10);
	ck_assert_int_eq(model_stack_of(df.shrunk[0].leak), 1);
	ck_assert_int_eq(df.shrunk[0].delta_blocks, -10);
	diff_free(&df);
	model_free();
}
END_TEST

START_TEST(top_keeps_the_largest_of_each_list)
{
	static const uint64_t old[MODEL_STACKS] = { 32, 32, 640, 320 };
	static const uint64_t new[MODEL_STACKS] = { 64, 320, 32, 160 };
	struct diff df;

	run_diff(old, new, true, 1, &df);
	ck_assert_uint_eq(df.ngrown, 1);
	ck_assert_uint_eq(df.grown_cut, 1);
	ck_assert_int_eq(model_stack_of(df.grown[0].leak), 2);
	ck_assert_uint_eq(df.nshrunk, 1);
	ck_assert_uint_eq(df.shrunk_cut, 1);
	ck_assert_int_eq(model_stack_of(df.shrunk[0].leak), 3);
	diff_free(&df);
	model_free();
	run_diff(old, new, true, 0, &df);
	ck_assert_uint_eq(df.ngrown + df.nshrunk, 0);
	ck_assert_uint_eq(df.grown_cut + df.shrunk_cut, 4);
	diff_free(&df);
	model_free();
}
END_TEST

START_TEST(delta_is_clamped)
{
	ck_assert_int_eq(diff_delta(5, 3), -2);
	ck_assert_int_eq(diff_delta(3, 5), 2);
	ck_assert_int_eq(diff_delta(7, 7), 0);
	ck_assert_int_eq(diff_delta(0, UINT64_MAX), INT64_MAX);
	ck_assert_int_eq(diff_delta(UINT64_MAX, 0), INT64_MIN);
	ck_assert_int_eq(diff_delta(0, (uint64_t)INT64_MAX), INT64_MAX);
	ck_assert_int_eq(diff_delta((uint64_t)INT64_MAX, 0), -INT64_MAX);
}
END_TEST

START_TEST(needs_two_dumps)
{
	static const uint64_t b[MODEL_STACKS] = { 32, 0, 0, 0 };
	struct diff df;
	struct err e;

	model_reset();
	model_add(1, 1000000, b, 0);
	model_add(2, 2000000, b, 0);
	model_add(3, 3000000, b, 0);
	model_group();
	ck_assert_int_eq(diff_compute(&df, &M.rep, false, 0, &e), -1);
	ck_assert_ptr_null(df.grown);
	diff_free(&df);
	model_free();
}
END_TEST

static Suite *
diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, grown_then_shrunk_largest_first);
	tcase_add_test(tc, ties_by_blocks_then_frames_and_unchanged);
	tcase_add_test(tc, same_bytes_blocks_decide);
	tcase_add_test(tc, top_keeps_the_largest_of_each_list);
	tcase_add_test(tc, delta_is_clamped);
	tcase_add_test(tc, needs_two_dumps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(diff_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
