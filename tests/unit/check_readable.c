/*
 * check_readable.c - readable.c and readable.h: the exit scan's list of
 * readable ranges against a bitmap model: appends merge what touches the
 * last range and drop what does not fit, readable_piece() finds the first
 * readable piece of any range from any cursor, readable_has() asks for
 * all of it. The seed comes from TEST_SEED or the clock; failure messages
 * name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "scan/readable.h"
#include "seeded.h"

#define SPAN 4096 /* the model's universe: base + [0, SPAN) */

START_TEST(add_merges_and_ignores_empty)
{
	struct readable rd;

	ck_assert(readable_init(&rd, 4));
	ck_assert_uint_eq(rd.n, 0);
	ck_assert_uint_eq(rd.cap, 4);
	readable_add(&rd, 100, 100); /* empty */
	readable_add(&rd, 200, 100); /* backwards */
	ck_assert_uint_eq(rd.n, 0);
	readable_add(&rd, 100, 200);
	readable_add(&rd, 200, 300); /* touches: merged */
	readable_add(&rd, 250, 280); /* inside: nothing new */
	readable_add(&rd, 290, 400); /* overlaps the end: extends it */
	ck_assert_uint_eq(rd.n, 1);
	ck_assert_uint_eq(rd.lo[0], 100);
	ck_assert_uint_eq(rd.hi[0], 400);
	readable_add(&rd, 401, 500); /* a gap of one byte: apart */
	ck_assert_uint_eq(rd.n, 2);
	readable_add(&rd, 600, 700);
	readable_add(&rd, 800, 900);
	readable_add(&rd, 1000, 1100); /* full: dropped */
	ck_assert_uint_eq(rd.n, 4);
	ck_assert_uint_eq(rd.hi[3], 900);
	readable_add(&rd, 900, 950); /* full, but merges into the last */
	ck_assert_uint_eq(rd.hi[3], 950);
	ck_assert(!readable_has(&rd, 1000, 1001));
	readable_free(&rd);
	ck_assert_ptr_null(rd.map);
	ck_assert_uint_eq(rd.n, 0);
	readable_free(&rd); /* twice: harmless */
}
END_TEST

START_TEST(empty_list_reads_nothing)
{
	struct readable rd;
	uintptr_t lo = 0, end = 0;
	size_t hint = 0;

	ck_assert(readable_init(&rd, 8));
	ck_assert(!readable_piece(&rd, &lo, UINTPTR_MAX, &end, &hint));
	ck_assert(!readable_has(&rd, 0, 8));
	ck_assert(!readable_has(&rd, 5, 5));
	readable_free(&rd);
}
END_TEST

START_TEST(init_fails_without_memory)
{
	struct readable rd;

	arena_set_fault(0);
	ck_assert(!readable_init(&rd, 16));
	arena_set_fault(-1);
	ck_assert_uint_eq(rd.n, 0);
	ck_assert_uint_eq(rd.cap, 0);
	readable_add(&rd, 1, 2); /* no room: dropped, no fault */
	ck_assert_uint_eq(rd.n, 0);
	readable_free(&rd);
}
END_TEST

/* The model: which bytes of base + [0, SPAN) are readable. */
struct model {
	uintptr_t base;
	bool byte[SPAN];
};

START_TEST(model_random_lists)
{
	static struct model m;
	uint64_t rng = seed * 7 + (uint64_t)_i;
	/* near 0, in the middle, at the top of the address space */
	uintptr_t bases[] = { 0, (uintptr_t)1 << 46, UINTPTR_MAX - SPAN };

	for (int round = 0; round < 40; round++) {
		struct readable rd;
		size_t cap = 1 + (size_t)(rng_next(&rng) % 24);
		uintptr_t at = 0;

		memset(&m, 0, sizeof(m));
		m.base = bases[(size_t)round % 3];
		ck_assert(readable_init(&rd, cap));
		/* ascending appends, some touching or overlapping the last */
		for (size_t k = 0; at < SPAN; k++) {
			uint64_t r = rng_next(&rng);
			uintptr_t gap = r % 3 == 0 ? 0 : (r >> 8) % 64;
			uintptr_t lo = at + gap, hi = lo + (r >> 16) % 200;

			if (r % 11 == 0 && at >= 16)
				lo = at - (r >> 24) % 16; /* overlaps the last range's end */
			if (rd.n > 0 && m.base + lo < rd.lo[rd.n - 1])
				lo = rd.lo[rd.n - 1] - m.base; /* but never starts before it */
			if (hi > SPAN)
				hi = SPAN;
			bool fits = rd.n < cap || (rd.n > 0 && lo + m.base <= rd.hi[rd.n - 1]);

			readable_add(&rd, m.base + lo, m.base + hi);
			if (fits)
				for (uintptr_t a = lo; a < hi; a++)
					m.byte[a] = true;
			at = hi > at ? hi : at;
			if (hi == lo)
				at++;
		}
		/* the list is ascending, disjoint, not adjacent */
		for (size_t k = 0; k < rd.n; k++) {
			ck_assert(rd.lo[k] < rd.hi[k]);
			if (k > 0)
				ck_assert_msg(rd.lo[k] > rd.hi[k - 1],
				    SEEDED("ranges %zu and %zu touch", k - 1, k));
		}
		for (int q = 0; q < 3000; q++) {
			/* never empty: the callers ask only for bytes (a < hi) */
			uintptr_t lo = (uintptr_t)(rng_next(&rng) % (SPAN - 1));
			uintptr_t hi = lo + 1 + (uintptr_t)(rng_next(&rng) % 300);
			size_t hint = (size_t)(rng_next(&rng) % (rd.n + 3));
			uintptr_t a = m.base + lo, end = 0;
			uintptr_t want = lo, want_end;
			bool got, exp;

			if (hi > SPAN)
				hi = SPAN;
			while (want < hi && !m.byte[want])
				want++;
			exp = want < hi;
			for (want_end = want; want_end < hi && m.byte[want_end]; want_end++)
				;
			got = readable_piece(&rd, &a, m.base + hi, &end, &hint);
			if (got != exp || (exp && (a != m.base + want || end != m.base + want_end)))
				ck_abort_msg(
				    SEEDED("round %d: piece of [%lu, %lu): %d [%lu, %lu), model %d "
					   "[%lu, %lu)",
					round, (unsigned long)lo, (unsigned long)hi, got,
					(unsigned long)(a - m.base), (unsigned long)(end - m.base),
					exp, (unsigned long)want, (unsigned long)want_end));
			if (got && hint >= rd.n)
				ck_abort_msg(
				    SEEDED("hint %zu left past the list (%zu)", hint, rd.n));
			bool all = lo < hi;

			for (uintptr_t b = lo; b < hi && all; b++)
				all = m.byte[b];
			if (readable_has(&rd, m.base + lo, m.base + hi) != all)
				ck_abort_msg(SEEDED("round %d: has [%lu, %lu) is %d, model %d",
				    round, (unsigned long)lo, (unsigned long)hi, !all, all));
		}
		readable_free(&rd);
	}
}
END_TEST

/* A cursor walk through a range, as the scan does it: every readable byte
 * once, the rest skipped, with the cursor kept across calls. */
START_TEST(walk_with_a_cursor)
{
	struct readable rd;
	uint64_t rng = seed + 3;
	static bool in[SPAN];
	size_t hint = 0;
	uintptr_t end, covered = 0, want = 0;

	ck_assert(readable_init(&rd, SPAN));
	memset(in, 0, sizeof(in));
	for (uintptr_t at = 8; at < SPAN;) {
		uintptr_t lo = at + 1 + rng_next(&rng) % 50, hi = lo + 1 + rng_next(&rng) % 90;

		if (hi > SPAN)
			break;
		readable_add(&rd, lo, hi);
		for (uintptr_t a = lo; a < hi; a++)
			in[a] = true;
		at = hi;
	}
	for (uintptr_t a = 0; a < SPAN; a++)
		want += in[a];
	for (uintptr_t a = 0; a < SPAN && readable_piece(&rd, &a, SPAN, &end, &hint); a = end) {
		for (uintptr_t b = a; b < end; b++)
			ck_assert(in[b]);
		covered += end - a;
	}
	ck_assert_uint_eq(covered, want);
	readable_free(&rd);
}
END_TEST

static Suite *
readable_suite(void)
{
	Suite *s = suite_create("readable");
	TCase *tc = tcase_create("readable");

	tcase_add_test(tc, add_merges_and_ignores_empty);
	tcase_add_test(tc, empty_list_reads_nothing);
	tcase_add_test(tc, init_fails_without_memory);
	tcase_add_loop_test(tc, model_random_lists, 0, 3);
	tcase_add_test(tc, walk_with_a_cursor);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(readable_suite(), "check_readable");
}
