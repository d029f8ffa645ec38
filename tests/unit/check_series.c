/*
 * check_series.c - series.c: the dumps of one process (pid and start time),
 * their order in time (against a naive insertion sort, on seeded random
 * series), the same snapshot given twice wherever it sits, the time between
 * two dumps (saturating), and a record's amounts spread over every dump.
 * Dumps and records are built by hand: series.c needs nothing else.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "seeded.h"
#include "series.h"

/* A snapshot (seq > 0) or the exit dump (seq 0) of pid, started at 1000.5,
 * written at sec.usec. */
static struct dump
mk(const char *path, uint64_t pid, uint64_t seq, uint64_t sec, uint32_t usec)
{
	struct dump d;

	memset(&d, 0, sizeof(d));
	d.path = (char *)path;
	d.pid = pid;
	d.start_sec = 1000;
	d.start_usec = 500000;
	d.seq = seq;
	d.snapshot = seq != 0;
	d.time_sec = sec;
	d.time_usec = usec;
	return d;
}

START_TEST(one_process_by_pid_and_start)
{
	struct dump d[3] = {
		mk("a.dump", 42, 1, 1001, 0),
		mk("b.dump", 42, 2, 1002, 0),
		mk("c.dump", 42, 0, 1003, 0),
	};
	struct err e = { "" };

	ck_assert_int_eq(series_check_process(d, 3, &e), 0);
	ck_assert_int_eq(series_check_process(d, 1, &e), 0);
	ck_assert_int_eq(series_check_process(d, 0, &e), 0);
	d[2].pid = 43;
	ck_assert_int_eq(series_check_process(d, 3, &e), -1);
	ck_assert_str_eq(e.msg,
	    "c.dump: pid 43 started at 1000.500000: not the process of "
	    "a.dump (pid 42 started at 1000.500000)");
	/* a pid reused by a later run: same pid, another start */
	d[2].pid = 42;
	d[1].start_usec = 500001;
	ck_assert_int_eq(series_check_process(d, 3, &e), -1);
	ck_assert_str_eq(e.msg,
	    "b.dump: pid 42 started at 1000.500001: not the process of "
	    "a.dump (pid 42 started at 1000.500000)");
	d[1].start_usec = 500000;
	d[1].start_sec = 999;
	ck_assert_int_eq(series_check_process(d, 3, &e), -1);
	ck_assert(strncmp(e.msg, "b.dump: pid 42 started at 999.500000: ", 38) == 0);
}
END_TEST

START_TEST(order_by_time_then_snapshots_then_seq)
{
	/* given out of order; equal times: snapshots before the exit dump,
	 * then by seq */
	struct dump d[6] = {
		mk("exit", 7, 0, 50, 0),
		mk("s3", 7, 3, 50, 0),
		mk("s1", 7, 1, 10, 999999),
		mk("s2", 7, 2, 50, 0),
		mk("s4", 7, 4, 11, 0),
		mk("s5", 7, 5, 10, 999998),
	};
	static const char *const want[] = { "s5", "s1", "s4", "s2", "s3", "exit" };
	struct err e = { "" };

	ck_assert_msg(series_order(d, 6, &e) == 0, "%s", e.msg);
	for (int i = 0; i < 6; i++)
		ck_assert_str_eq(d[i].path, want[i]);
	ck_assert_int_eq(series_order(d, 0, &e), 0);
	ck_assert_int_eq(series_order(d, 1, &e), 0);
}
END_TEST

START_TEST(the_same_snapshot_twice)
{
	struct dump d[4] = {
		mk("a", 7, 1, 10, 0),
		mk("b", 7, 2, 20, 0),
		mk("c", 7, 3, 30, 0),
		mk("copy", 7, 1, 40, 0),
	};
	struct dump x[2] = { mk("exit1", 7, 0, 10, 0), mk("exit2", 7, 0, 11, 0) };
	struct err e = { "" };

	/* the copy was given another time: it sorts far from its original */
	ck_assert_int_eq(series_order(d, 4, &e), -1);
	ck_assert_str_eq(e.msg, "copy: same snapshot (seq 1) as a");
	ck_assert_int_eq(series_order(x, 2, &e), -1);
	ck_assert_str_eq(e.msg, "exit2: same exit dump (seq 0) as exit1");
}
END_TEST

/* The order series_order must give, by an insertion sort on the rule. */
static bool
before(const struct dump *a, const struct dump *b)
{
	if (a->time_sec != b->time_sec)
		return a->time_sec < b->time_sec;
	if (a->time_usec != b->time_usec)
		return a->time_usec < b->time_usec;
	if (a->snapshot != b->snapshot)
		return a->snapshot;
	return a->seq < b->seq;
}

START_TEST(order_matches_a_naive_sort)
{
	uint64_t rs = seed;

	for (int round = 0; round < 500; round++) {
		struct dump d[12], m[12];
		size_t n = 1 + (size_t)(rng_next(&rs) % 12);
		struct err e = { "" };
		bool exit_used = false;

		for (size_t i = 0; i < n; i++) {
			/* distinct seqs; at most one exit dump; few distinct times */
			uint64_t seq = i + 1;

			if (!exit_used && rng_next(&rs) % 4 == 0) {
				seq = 0;
				exit_used = true;
			}
			d[i] =
			    mk("x", 9, seq, 100 + rng_next(&rs) % 4, (uint32_t)(rng_next(&rs) % 3));
		}
		memcpy(m, d, n * sizeof(*d));
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && before(&m[j], &m[j - 1]); j--) {
				struct dump t = m[j];

				m[j] = m[j - 1];
				m[j - 1] = t;
			}
		ck_assert_msg(series_order(d, n, &e) == 0, SEEDED("%s", e.msg));
		for (size_t i = 0; i < n; i++)
			ck_assert_msg(d[i].seq == m[i].seq,
			    SEEDED("round %d: position %zu has seq "
				   "%llu, want %llu",
				round, i, (unsigned long long)d[i].seq,
				(unsigned long long)m[i].seq));
	}
}
END_TEST

START_TEST(time_between_two_dumps)
{
	struct dump a = mk("a", 1, 1, 10, 250000), b = mk("b", 1, 2, 12, 0);
	struct dump far = mk("far", 1, 3, UINT64_MAX / 2, 0);

	ck_assert_uint_eq(series_usec_between(&a, &b), 1750000);
	ck_assert_uint_eq(series_usec_between(&b, &a), 0); /* not later */
	ck_assert_uint_eq(series_usec_between(&a, &a), 0);
	/* a time past what microseconds hold saturates */
	ck_assert_uint_eq(series_usec_between(&a, &far), UINT64_MAX - 10250000);
	ck_assert_uint_eq(series_usec_between(&far, &far), 0);
}
END_TEST

START_TEST(amounts_spread_over_every_dump)
{
	struct leak_point pts[3] = {
		{ .dump = 0, .blocks = 1, .bytes = 10 }, { .dump = 2, .blocks = 3, .bytes = 30 },
		{ .dump = 9, .blocks = 5, .bytes = 50 }, /* past ndumps: ignored */
	};
	struct leak l = { .points = pts, .npoints = 3 };
	uint64_t bytes[4], blocks[4];

	memset(bytes, 0xff, sizeof(bytes));
	memset(blocks, 0xff, sizeof(blocks));
	series_amounts(&l, 4, bytes, blocks);
	ck_assert_uint_eq(bytes[0], 10);
	ck_assert_uint_eq(bytes[1], 0); /* not in that dump */
	ck_assert_uint_eq(bytes[2], 30);
	ck_assert_uint_eq(bytes[3], 0);
	ck_assert_uint_eq(blocks[0], 1);
	ck_assert_uint_eq(blocks[1], 0);
	ck_assert_uint_eq(blocks[2], 3);
	ck_assert_uint_eq(blocks[3], 0);
	/* either array may be left out */
	memset(bytes, 0xff, sizeof(bytes));
	series_amounts(&l, 3, bytes, NULL);
	ck_assert_uint_eq(bytes[2], 30);
	ck_assert_uint_eq(bytes[1], 0);
	ck_assert_uint_eq(bytes[3], UINT64_MAX); /* past ndumps: untouched */
	series_amounts(&l, 3, NULL, blocks);
	ck_assert_uint_eq(blocks[0], 1);
}
END_TEST

static Suite *
series_suite(void)
{
	Suite *s = suite_create("series");
	TCase *tc = tcase_create("series");

	tcase_add_test(tc, one_process_by_pid_and_start);
	tcase_add_test(tc, order_by_time_then_snapshots_then_seq);
	tcase_add_test(tc, the_same_snapshot_twice);
	tcase_add_test(tc, order_matches_a_naive_sort);
	tcase_add_test(tc, time_between_two_dumps);
	tcase_add_test(tc, amounts_spread_over_every_dump);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(series_suite(), "check_series");
}
