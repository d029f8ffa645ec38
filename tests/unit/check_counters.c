/*
 * check_counters.c - counters.c: exact totals from threads that count at
 * once, records handed from exited threads to new ones, and live figures
 * published when a thread exits, and a peak that is exact on one thread
 * even when the highest figures were never published.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "track/counters.h"

#define THREADS    8
#define PER_THREAD 200000

static void *
churn(void *arg)
{
	(void)arg;
	for (int i = 0; i < PER_THREAD; i++) {
		counters_alloc(16);
		counters_free(16);
	}
	counters_drop();
	return NULL;
}

/* Each keeps `keep` blocks of 100 bytes live and exits. */
static void *
keep_some(void *arg)
{
	for (long i = 0; i < (long)(intptr_t)arg; i++)
		counters_alloc(100);
	return NULL;
}

START_TEST(concurrent_totals_exact)
{
	struct counters_snap before, after;
	pthread_t th[THREADS];

	counters_read(&before);
	for (int t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_create(&th[t], NULL, churn, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_join(th[t], NULL), 0);
	counters_read(&after);
	ck_assert_uint_eq(after.allocs - before.allocs, (uint64_t)THREADS * PER_THREAD);
	ck_assert_uint_eq(after.frees - before.frees, (uint64_t)THREADS * PER_THREAD);
	ck_assert_uint_eq(after.dropped - before.dropped, THREADS);
	ck_assert_uint_le(counters_records(), THREADS + 1);
}
END_TEST

START_TEST(records_reused_after_exit)
{
	struct counters_snap before, after;

	counters_alloc(1); /* this thread's own record */
	counters_free(1);
	size_t recs = counters_records();
	counters_read(&before);
	for (int t = 0; t < 300; t++) {
		pthread_t th;

		ck_assert_int_eq(pthread_create(&th, NULL, keep_some, (void *)(intptr_t)10), 0);
		ck_assert_int_eq(pthread_join(th, NULL), 0);
	}
	counters_read(&after);
	/* one thread at a time: one record serves them all */
	ck_assert_uint_le(counters_records(), recs + 1);
	ck_assert_uint_eq(after.allocs - before.allocs, 3000);
	/* each exiting thread published its delta: the live figures are exact */
	ck_assert_uint_eq(after.live_blocks - before.live_blocks, 3000);
	ck_assert_uint_eq(after.live_bytes - before.live_bytes, 300000);
	ck_assert_uint_ge(after.peak_blocks, after.live_blocks);
}
END_TEST

/* Runs first: the peaks are the process's, and only rise. */
START_TEST(peak_exact_between_publications)
{
	struct counters_snap s;

	/* 1,000 blocks, 8,000 bytes: under both publication thresholds */
	for (int i = 0; i < 1000; i++)
		counters_alloc(8);
	for (int i = 0; i < 1000; i++)
		counters_free(8);
	counters_read(&s);
	ck_assert_uint_eq(s.live_blocks, 0);
	ck_assert_uint_eq(s.peak_blocks, 1000);
	ck_assert_uint_eq(s.peak_bytes, 8000);
	/* one block over the byte threshold publishes: the peak of blocks
	 * reached before it, never published, stays */
	counters_alloc(20000);
	counters_free(20000);
	counters_read(&s);
	ck_assert_uint_eq(s.peak_blocks, 1000);
	ck_assert_uint_eq(s.peak_bytes, 20000);
}
END_TEST

START_TEST(same_thread_exact)
{
	struct counters_snap before, after;

	counters_read(&before);
	for (int i = 0; i < 5000; i++)
		counters_alloc(8);
	for (int i = 0; i < 2000; i++)
		counters_free(8);
	counters_read(&after);
	ck_assert_uint_eq(after.allocs - before.allocs, 5000);
	ck_assert_uint_eq(after.frees - before.frees, 2000);
	ck_assert_uint_eq(after.live_blocks - before.live_blocks, 3000);
	ck_assert_uint_eq(after.live_bytes - before.live_bytes, 24000);
}
END_TEST

int
main(void)
{
	counters_start();
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("threads");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, peak_exact_between_publications);
	tcase_add_test(tc, same_thread_exact);
	tcase_add_test(tc, concurrent_totals_exact);
	tcase_add_test(tc, records_reused_after_exit);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
