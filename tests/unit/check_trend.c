/*
 * check_trend.c - trend.c and series.c: the rule (the run of strict
 * increases that ends at the last snapshot must be >= --min-steps), on a
 * leak that keeps growing, a cache that grows and then stays flat, a
 * sawtooth, runs of exactly N and N-1 steps, a stack that appears midway;
 * the rate arithmetic; the order of dumps by time (ties by kind and seq);
 * the same-process and duplicate-snapshot checks.
 *
 * Dumps are in-memory struct dump models (snapshot_model.h), grouped by the
 * real group.c in series mode; trend_run() is also checked alone against
 * a naive count.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "snapshot_model.h"
#include "trend.h"

#define SEC 1000000ull

/* Snapshots 1..n, `step` microseconds apart from 10 s, of per-stack bytes
 * rows[i][k]; grouped; trend computed with min_steps into *t. */
static void
run_trend(const uint64_t (*rows)[MODEL_STACKS], size_t n, uint64_t step, uint64_t min_steps,
    struct trend *t)
{
	struct err e;

	model_reset();
	for (size_t i = 0; i < n; i++)
		model_add(i + 1, 10 * SEC + i * step, rows[i], 0);
	ck_assert_int_eq(series_check_process(M.d, M.n, &e), 0);
	ck_assert_int_eq(series_order(M.d, M.n, &e), 0);
	model_group();
	ck_assert_msg(trend_compute(t, &M.rep, min_steps, &e) == 0, "%s", e.msg);
}

/* The flagged item of model stack k, or NULL. */
static const struct trend_item *
item_of(const struct trend *t, int k)
{
	for (size_t i = 0; i < t->ngrowing; i++)
		if (model_stack_of(t->growing[i].leak) == k)
			return &t->growing[i];
	return NULL;
}

/* A naive count of the strict increases that end at b[n-1]. */
static size_t
naive_run(const uint64_t *b, size_t n)
{
	size_t best = 0;

	for (size_t start = 0; start + 1 < n; start++) {
		bool ok = true;

		for (size_t i = start; i + 1 < n; i++)
			ok = ok && b[i] < b[i + 1];
		if (ok && n - 1 - start > best)
			best = n - 1 - start;
	}
	return best;
}

START_TEST(run_counts_increases_ending_at_the_last)
{
	static const uint64_t grow[] = { 1, 2, 3, 4, 5, 6 };
	static const uint64_t flat[] = { 1, 2, 3, 3 };
	static const uint64_t saw[] = { 1, 2, 3, 1, 2, 3 };
	static const uint64_t down[] = { 3, 2, 1 };
	static const uint64_t fromzero[] = { 0, 0, 1 };
	unsigned seed = (unsigned)time(NULL);

	ck_assert_uint_eq(trend_run(grow, 6), 5);
	ck_assert_uint_eq(trend_run(flat, 4), 0);
	ck_assert_uint_eq(trend_run(saw, 6), 2);
	ck_assert_uint_eq(trend_run(down, 3), 0);
	ck_assert_uint_eq(trend_run(fromzero, 3), 1);
	ck_assert_uint_eq(trend_run(grow, 1), 0);
	ck_assert_uint_eq(trend_run(grow, 0), 0);
	/* random series of small values (many ties) against the naive count */
	srand(seed);
	for (int r = 0; r < 20000; r++) {
		uint64_t b[12];
		size_t n = (size_t)(rand() % 12) + 1;

		for (size_t i = 0; i < n; i++)
			b[i] = (uint64_t)(rand() % 4);
		ck_assert_msg(trend_run(b, n) == naive_run(b, n), "seed %u, round %d", seed, r);
	}
}
END_TEST

START_TEST(leak_flagged_cache_not)
{
	uint64_t rows[8][MODEL_STACKS] = { { 0 } };
	struct trend t;
	const struct trend_item *x;

	for (int i = 0; i < 8; i++) {
		rows[i][0] = 1024 * (uint64_t)(i + 1);             /* stack 1: leaks */
		rows[i][1] = 4096 * (uint64_t)(i < 5 ? i + 1 : 5); /* stack 2: cache, capped */
		rows[i][2] = 64;                                   /* stack 3: steady */
	}
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 8, 2 * SEC, 5, &t);
	ck_assert_uint_eq(t.nstacks, 3);
	ck_assert_uint_eq(t.ngrowing, 1);
	x = item_of(&t, 1);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->steps, 7);
	ck_assert_uint_eq(x->first_dump, 0);
	ck_assert_uint_eq(x->first_bytes, 1024);
	ck_assert_uint_eq(x->last_bytes, 8192);
	ck_assert_uint_eq(x->growth_bytes, 7168);
	ck_assert_uint_eq(x->span_usec, 14 * SEC);
	ck_assert(x->rate_known);
	ck_assert_double_eq_tol(x->bytes_per_second, 512.0, 1e-9);
	/* however small N, the flat cache is never flagged */
	trend_free(&t);
	model_free();
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 8, 2 * SEC, 1, &t);
	ck_assert_uint_eq(t.ngrowing, 1);
	ck_assert_ptr_null(item_of(&t, 2));
	ck_assert_ptr_null(item_of(&t, 3));
	trend_free(&t);
	model_free();
}
END_TEST

START_TEST(sawtooth_counts_only_its_last_climb)
{
	static const uint64_t saw[] = { 100, 200, 300, 400, 50, 150, 250, 350 };
	uint64_t rows[8][MODEL_STACKS] = { { 0 } };
	struct trend t;
	const struct trend_item *x;

	for (int i = 0; i < 8; i++)
		rows[i][0] = saw[i] * MODEL_BLOCK;
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 8, SEC, 3, &t);
	x = item_of(&t, 1);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->steps, 3);
	ck_assert_uint_eq(x->first_dump, 4);
	ck_assert_uint_eq(x->growth_bytes, 300 * MODEL_BLOCK);
	ck_assert_uint_eq(x->span_usec, 3 * SEC);
	trend_free(&t);
	model_free();
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 8, SEC, 4, &t);
	ck_assert_uint_eq(t.ngrowing, 0); /* the first climb, 3 steps, is broken */
	trend_free(&t);
	model_free();
}
END_TEST

START_TEST(exactly_n_steps_flagged_n_minus_1_not)
{
	/* stack 1: a drop, then exactly 5 increases; stack 2: exactly 4 */
	static const uint64_t s1[] = { 900, 100, 200, 300, 400, 500, 600 };
	static const uint64_t s2[] = { 900, 900, 100, 200, 300, 400, 500 };
	uint64_t rows[7][MODEL_STACKS] = { { 0 } };
	struct trend t;
	const struct trend_item *x;

	for (int i = 0; i < 7; i++) {
		rows[i][0] = s1[i] * MODEL_BLOCK;
		rows[i][1] = s2[i] * MODEL_BLOCK;
	}
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 7, SEC, 5, &t);
	ck_assert_uint_eq(t.ngrowing, 1);
	x = item_of(&t, 1);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->steps, 5);
	ck_assert_uint_eq(x->growth_bytes, 500 * MODEL_BLOCK);
	trend_free(&t);
	model_free();
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 7, SEC, 6, &t);
	ck_assert_uint_eq(t.ngrowing, 0);
	trend_free(&t);
	model_free();
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 7, SEC, 4, &t);
	ck_assert_uint_eq(t.ngrowing, 2);
	ck_assert_uint_eq(item_of(&t, 2)->steps, 4);
	/* most growth first: stack 1 gained 500 blocks, stack 2 400 */
	ck_assert_int_eq(model_stack_of(t.growing[0].leak), 1);
	ck_assert_int_eq(model_stack_of(t.growing[1].leak), 2);
	trend_free(&t);
	model_free();
}
END_TEST

START_TEST(stack_appearing_midway_grows_from_zero)
{
	uint64_t rows[6][MODEL_STACKS] = { { 0 } };
	struct trend t;
	const struct trend_item *x;

	for (int i = 0; i < 6; i++)
		rows[i][3] = i < 2 ? 0 : 32 * (uint64_t)i; /* absent in 1 and 2 */
	run_trend((const uint64_t(*)[MODEL_STACKS])rows, 6, SEC, 3, &t);
	x = item_of(&t, 4);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->steps, 4); /* 0 -> 64 -> 96 -> 128 -> 160 */
	ck_assert_uint_eq(x->first_bytes, 0);
	ck_assert_uint_eq(x->growth_bytes, 160);
	trend_free(&t);
	model_free();
}
END_TEST

START_TEST(rate_arithmetic)
{
	uint64_t b[MODEL_STACKS] = { 0 };
	struct trend t;
	struct err e;
	const struct trend_item *x;

	model_reset();
	/* 1.500000 s, 2.250000 s, 4.000000 s: 1000, 2000, 4000 bytes;
	 * 3000 bytes over 2.5 s */
	b[0] = 1008;
	model_add(1, 1500000, b, 0);
	b[0] = 2000;
	model_add(2, 2250000, b, 0);
	b[0] = 4000;
	model_add(3, 4000000, b, 0);
	ck_assert_int_eq(series_order(M.d, M.n, &e), 0);
	model_group();
	ck_assert_int_eq(trend_compute(&t, &M.rep, 2, &e), 0);
	x = item_of(&t, 1);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->growth_bytes, 2992);
	ck_assert_uint_eq(x->span_usec, 2500000);
	ck_assert_double_eq_tol(x->bytes_per_second, 1196.8, 1e-9);
	trend_free(&t);
	model_free();
	/* large: 3 GB more over 3 s is 1e9 bytes/s; 1 byte over 1 us is 1e6 */
	model_reset();
	b[0] = 16 * 1000;
	model_add(1, 100 * SEC, b, 0);
	b[0] = 16 * 1000 + 3000000000ull;
	model_add(2, 103 * SEC, b, 0);
	b[0] = 16 * 1000 + 3000000000ull + 16;
	model_add(3, 103 * SEC + 1, b, 0);
	model_group();
	ck_assert_int_eq(trend_compute(&t, &M.rep, 1, &e), 0);
	x = item_of(&t, 1);
	ck_assert_uint_eq(x->steps, 2);
	ck_assert_double_eq_tol(x->bytes_per_second, (3000000000.0 + 16) / 3.000001, 1e-3);
	trend_free(&t);
	model_free();
}
END_TEST

START_TEST(ties_in_time_order_by_seq_and_rate_unknown)
{
	uint64_t b[MODEL_STACKS] = { 0 };
	struct trend t;
	struct err e;
	const struct trend_item *x;

	model_reset();
	/* given out of order, all written in the same microsecond; the exit
	 * dump (seq 0) goes after the snapshots */
	b[0] = 64;
	model_add(3, 5 * SEC, b, 0);
	b[0] = 48;
	model_add(0, 5 * SEC, b, 0);
	b[0] = 32;
	model_add(2, 5 * SEC, b, 0);
	b[0] = 128;
	model_add(1, 4 * SEC, b, 0); /* earlier time wins over seq */
	ck_assert_int_eq(series_order(M.d, M.n, &e), 0);
	ck_assert_uint_eq(M.d[0].seq, 1);
	ck_assert_uint_eq(M.d[1].seq, 2);
	ck_assert_uint_eq(M.d[2].seq, 3);
	ck_assert(!M.d[3].snapshot);
	model_group();
	/* 128, 32, 64, 48: the exit dump ends the climb */
	ck_assert_int_eq(trend_compute(&t, &M.rep, 1, &e), 0);
	ck_assert_uint_eq(t.ngrowing, 0);
	trend_free(&t);
	model_free();
	/* without the exit dump: 32 -> 64 in no time, rate unknown */
	model_reset();
	b[0] = 64;
	model_add(3, 5 * SEC, b, 0);
	b[0] = 32;
	model_add(2, 5 * SEC, b, 0);
	ck_assert_int_eq(series_order(M.d, M.n, &e), 0);
	model_group();
	ck_assert_int_eq(trend_compute(&t, &M.rep, 1, &e), 0);
	x = item_of(&t, 1);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->growth_bytes, 32);
	ck_assert_uint_eq(x->span_usec, 0);
	ck_assert(!x->rate_known);
	trend_free(&t);
	model_free();
}
END_TEST

START_TEST(one_process_and_no_duplicates)
{
	uint64_t b[MODEL_STACKS] = { 32, 0, 0, 0 };
	struct err e;

	model_reset();
	model_add(1, 2 * SEC, b, 0);
	model_add(2, 3 * SEC, b, 0);
	ck_assert_int_eq(series_check_process(M.d, M.n, &e), 0);
	M.d[1].pid = 43;
	ck_assert_int_eq(series_check_process(M.d, M.n, &e), -1);
	ck_assert_msg(strstr(e.msg,
			  "snap2.dump: pid 43 started at 1.000000: not the process "
			  "of snap1.dump (pid 42") != NULL,
	    "%s", e.msg);
	M.d[1].pid = 42;
	M.d[1].start_usec = 1; /* pid reused by a later run */
	ck_assert_int_eq(series_check_process(M.d, M.n, &e), -1);
	M.d[1].start_usec = 0;
	M.d[1].seq = 1; /* the same snapshot twice, at another time */
	ck_assert_int_eq(series_order(M.d, M.n, &e), -1);
	ck_assert_msg(strstr(e.msg, "same snapshot (seq 1)") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(kinds_add_up_and_min_steps_zero_fails)
{
	uint64_t b[MODEL_STACKS] = { 160, 0, 0, 0 };
	struct trend t;
	struct err e;

	model_reset();
	model_add(1, 2 * SEC, b, 0);
	model_group();
	/* one record per stack, definite and reachable together */
	ck_assert_uint_eq(M.rep.nleaks, 1);
	ck_assert_uint_eq(M.rep.leaks[0].npoints, 1);
	ck_assert_uint_eq(M.rep.leaks[0].points[0].bytes, 160);
	ck_assert_uint_eq(M.rep.leaks[0].points[0].blocks, 10);
	ck_assert_int_eq(trend_compute(&t, &M.rep, 0, &e), -1);
	trend_free(&t);
	model_free();
}
END_TEST

static Suite *
trend_suite(void)
{
	Suite *s = suite_create("trend");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, run_counts_increases_ending_at_the_last);
	tcase_add_test(tc, leak_flagged_cache_not);
	tcase_add_test(tc, sawtooth_counts_only_its_last_climb);
	tcase_add_test(tc, exactly_n_steps_flagged_n_minus_1_not);
	tcase_add_test(tc, stack_appearing_midway_grows_from_zero);
	tcase_add_test(tc, rate_arithmetic);
	tcase_add_test(tc, ties_in_time_order_by_seq_and_rate_unknown);
	tcase_add_test(tc, one_process_and_no_duplicates);
	tcase_add_test(tc, kinds_add_up_and_min_steps_zero_fails);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(trend_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
