/*
 * check_arena.c - arena.c: mappings (zeroed, page-rounded, in the
 * registry the exit scan leaves out of its roots until unmapped),
 * reservations, discards, the LEAK_FAULT_MMAP knob, the bump allocator
 * (aligned, zeroed, disjoint, from registered memory, on many threads at
 * once) and the address-space budget under RLIMIT_AS (one line, then the
 * budget lifted for the exit dump). Each case runs in its own (forked)
 * process: the arena's state is the process's. The seed comes from
 * TEST_SEED or the clock; failure messages name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/arena.h"
#include "seeded.h"

#define TMPDIR_TEMPLATE "/tmp/check_arena.XXXXXX"
#include "tmpdir.h"
#include "capture.h"

#define PAGE      ((uintptr_t)4096)
#define CHUNK_BIG ((1 << 20) / 4 + 16) /* over a quarter of arena.c's chunk: its own map */

/* The registry's ranges, as arena_foreach_map() gives them. */
struct ranges {
	uintptr_t lo[4096], hi[4096];
	size_t n;
};

static void
add_range(void *ctx, uintptr_t lo, uintptr_t hi)
{
	struct ranges *r = ctx;

	if (r->n < 4096) {
		r->lo[r->n] = lo;
		r->hi[r->n] = hi;
	}
	r->n++;
}

static struct ranges *
registry(void)
{
	static struct ranges r;

	r.n = 0;
	arena_foreach_map(add_range, &r);
	return &r;
}

/* Whether [lo, hi) lies in one registered range. */
static bool
registered(uintptr_t lo, uintptr_t hi)
{
	const struct ranges *r = registry();

	for (size_t i = 0; i < r->n && i < 4096; i++)
		if (lo >= r->lo[i] && hi <= r->hi[i])
			return true;
	return false;
}

/* Whether a registered range starts at p, with length len. */
static bool
listed_exactly(void *p, size_t len)
{
	const struct ranges *r = registry();

	for (size_t i = 0; i < r->n && i < 4096; i++)
		if (r->lo[i] == (uintptr_t)p && r->hi[i] - r->lo[i] == len)
			return true;
	return false;
}

START_TEST(map_zeroed_rounded_registered)
{
	static const size_t sizes[] = { 1, 4095, 4096, 4097, 65536, 3 << 20, 5 << 20 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t want = (sizes[k] + 4095) & ~(size_t)4095;
		unsigned char *p = arena_map(sizes[k]);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % PAGE, 0);
		for (size_t i = 0; i < want; i += 512)
			ck_assert_uint_eq(p[i], 0);
		memset(p, 0xab, want); /* all of the rounded size is ours */
		ck_assert_msg(listed_exactly(p, want), "map of %zu not registered as %zu", sizes[k],
		    want);
		arena_unmap(p, sizes[k]);
		ck_assert_msg(!listed_exactly(p, want), "unmapped, still registered");
	}
	/* the registry lists itself too */
	ck_assert_uint_ge(registry()->n, 1);
}
END_TEST

START_TEST(reserve_and_discard)
{
	size_t bytes = (size_t)1 << 30; /* a gigabyte costs nothing until written */
	unsigned char *p = arena_reserve(bytes);

	ck_assert_ptr_nonnull(p);
	ck_assert(listed_exactly(p, bytes));
	p[0] = 1;
	p[bytes - 1] = 2;
	p[bytes / 2] = 3;
	arena_discard(p, bytes);
	ck_assert_uint_eq(p[0], 0); /* reads as zero again */
	ck_assert_uint_eq(p[bytes - 1], 0);
	ck_assert_uint_eq(p[bytes / 2], 0);
	unsigned char *m = arena_map(3 * PAGE);

	m[PAGE] = 9;
	arena_discard(m + PAGE, PAGE);
	ck_assert_uint_eq(m[PAGE], 0);
	ck_assert(listed_exactly(m, 3 * PAGE)); /* still mapped */
}
END_TEST

START_TEST(fault_knob)
{
	void *p;

	arena_set_fault(0);
	ck_assert_ptr_null(arena_map(4096));
	ck_assert_ptr_null(arena_reserve(4096));
	ck_assert_ptr_null(arena_alloc(CHUNK_BIG)); /* a big one is its own map */
	arena_set_fault(3);
	ck_assert_ptr_nonnull(p = arena_map(4096));
	ck_assert_ptr_nonnull(arena_reserve(4096));
	ck_assert_ptr_nonnull(arena_map(4096));
	ck_assert_ptr_null(arena_map(4096));
	ck_assert_ptr_null(arena_map(4096));
	arena_set_fault(-1);
	ck_assert_ptr_nonnull(arena_map(4096));
	arena_unmap(p, 4096);
}
END_TEST

/* Small allocations come out of chunks: once mmap fails they run out
 * when the chunk does, and come back with it. */
START_TEST(alloc_runs_out_with_the_chunk)
{
	size_t got = 0;

	ck_assert_ptr_nonnull(arena_alloc(64)); /* a chunk is in place */
	arena_set_fault(0);
	while (arena_alloc(4096) != NULL && got < 10000)
		got++;
	ck_assert_uint_lt(got, 256); /* one chunk's worth */
	arena_set_fault(-1);
	ck_assert_ptr_nonnull(arena_alloc(4096));
}
END_TEST

static int
cmp_lo(const void *a, const void *b)
{
	const uintptr_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

START_TEST(alloc_aligned_zeroed_disjoint)
{
	enum {
		N = 20000
	};
	static uintptr_t r[N][2];
	uint64_t rng = seed;

	for (size_t i = 0; i < N; i++) {
		size_t n = (size_t)(rng_next(&rng) % (i % 100 == 0 ? 300000 : 200)) + 1;
		unsigned char *p = arena_alloc(n);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		for (size_t k = 0; k < n; k++)
			if (p[k] != 0)
				ck_abort_msg(SEEDED(
				    "allocation %zu of %zu bytes: byte %zu not zero", i, n, k));
		memset(p, 0xff, n);
		r[i][0] = (uintptr_t)p;
		r[i][1] = (uintptr_t)p + n;
	}
	for (size_t i = 0; i < N; i += 97)
		ck_assert_msg(registered(r[i][0], r[i][1]),
		    SEEDED("allocation %zu not in a registered "
			   "map",
			i));
	qsort(r, N, sizeof(r[0]), cmp_lo);
	for (size_t i = 1; i < N; i++)
		ck_assert_msg(r[i - 1][1] <= r[i][0], SEEDED("allocations overlap"));
}
END_TEST

#define THREADS 8
#define PER     20000

struct worker {
	pthread_t t;
	uint64_t rng;
	uintptr_t lo[PER], hi[PER];
	unsigned long bad;
};

static void *
alloc_many(void *arg)
{
	struct worker *w = arg;

	for (size_t i = 0; i < PER; i++) {
		size_t n = (size_t)(rng_next(&w->rng) % 500) + 1;
		unsigned char *p = arena_alloc(n);

		if (p == NULL || (uintptr_t)p % 16 != 0 || p[0] != 0 || p[n - 1] != 0) {
			w->bad++;
			continue;
		}
		memset(p, 0x5a, n);
		w->lo[i] = (uintptr_t)p;
		w->hi[i] = (uintptr_t)p + n;
	}
	return NULL;
}

/* Threads race for chunks: every allocation is its own. */
START_TEST(alloc_threads_disjoint)
{
	static struct worker w[THREADS];
	static uintptr_t all[THREADS * PER][2];
	size_t n = 0;

	for (int k = 0; k < THREADS; k++) {
		w[k].rng = seed * 31 + (uint64_t)k;
		w[k].bad = 0;
		ck_assert_int_eq(pthread_create(&w[k].t, NULL, alloc_many, &w[k]), 0);
	}
	for (int k = 0; k < THREADS; k++)
		ck_assert_int_eq(pthread_join(w[k].t, NULL), 0);
	for (int k = 0; k < THREADS; k++) {
		ck_assert_msg(w[k].bad == 0, SEEDED("thread %d: %lu bad allocations", k, w[k].bad));
		for (size_t i = 0; i < PER; i++) {
			all[n][0] = w[k].lo[i];
			all[n++][1] = w[k].hi[i];
		}
	}
	qsort(all, n, sizeof(all[0]), cmp_lo);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(all[i - 1][1] <= all[i][0],
		    SEEDED("two threads got overlapping memory"));
}
END_TEST

/* Under RLIMIT_AS: no reservations; a map that would take libleak past a
 * sixteenth of the limit is refused with one line (once); lifting the
 * budget (the exit dump) lets it through. */
START_TEST(address_space_budget)
{
	struct rlimit rl;
	char statm[64];
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert(fgets(statm, sizeof(statm), f) != NULL);
	fclose(f);
	pages = strtoul(statm, NULL, 10);
	rl.rlim_cur = rl.rlim_max = (rlim_t)pages * 4096 + ((rlim_t)512 << 20);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
	arena_limit_init();
	ck_assert_ptr_null(arena_reserve(4096));
	capture_begin();
	void *small = arena_map(4096);
	void *big = arena_map((size_t)rl.rlim_cur / 16 + 4096);
	void *again = arena_map((size_t)rl.rlim_cur / 16 + 4096);
	const char *out = capture_end();

	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_null(big);
	ck_assert_ptr_null(again);
	ck_assert_str_eq(out,
	    "libleak: the address-space limit (ulimit -v) is near; libleak takes no "
	    "more memory and stops tracking new blocks (counted as dropped)\n");
	arena_lift_budget();
	big = arena_map((size_t)rl.rlim_cur / 16 + 4096);
	ck_assert_ptr_nonnull(big);
}
END_TEST

static Suite *
arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("arena");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, map_zeroed_rounded_registered);
	tcase_add_test(tc, reserve_and_discard);
	tcase_add_test(tc, fault_knob);
	tcase_add_test(tc, alloc_runs_out_with_the_chunk);
	tcase_add_test(tc, alloc_aligned_zeroed_disjoint);
	tcase_add_test(tc, alloc_threads_disjoint);
#ifndef __SANITIZE_ADDRESS__
	tcase_add_test(tc, address_space_budget); /* ASan's shadow is most of the limit */
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(arena_suite(), "check_arena");
}
