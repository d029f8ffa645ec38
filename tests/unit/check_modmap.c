/*
 * check_modmap.c - modmap.c: the sorted segments give the module the
 * linear search gives (the first loaded module in dump order holding the
 * address, else the first unloaded one), on seeded random module sets with
 * overlaps, nesting, shared boundaries and unloaded modules, at every
 * boundary and between; and a lookup stays fast with 20,000 modules.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modmap.h"
#include "seeded.h"

static void
random_modules(uint64_t *rng, struct dump *d, size_t n, uint64_t space)
{
	memset(d, 0, sizeof(*d));
	d->modules = calloc(n ? n : 1, sizeof(*d->modules));
	ck_assert_ptr_nonnull(d->modules);
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = rng_next(rng) % space;
		uint64_t len = 1 + rng_next(rng) % (space / 4 + 1);

		d->modules[i] = (struct module){ .id = (uint32_t)i + 1,
			.lo = lo,
			.hi = lo + len,
			.loaded = rng_next(rng) % 3 != 0 };
	}
	d->nmodules = n;
}

static void
check_against_linear(const struct dump *d, uint64_t addr, size_t round)
{
	const struct module *want = modmap_find_linear(d, addr);
	const struct module *got = modmap_find(d, addr);

	ck_assert_msg(got == want,
	    SEEDED("round %zu, addr %llu: module %ld, linear says %ld", round,
		(unsigned long long)addr, got ? (long)(got - d->modules) : -1L,
		want ? (long)(want - d->modules) : -1L));
}

START_TEST(segments_agree_with_linear_search)
{
	uint64_t rng = seed;

	for (size_t round = 0; round < 3000; round++) {
		struct dump d;
		size_t n = rng_next(&rng) % 12;
		uint64_t space = 8 + rng_next(&rng) % 200;

		random_modules(&rng, &d, n, space);
		ck_assert_int_eq(modmap_build(&d), 0);
		ck_assert_ptr_nonnull(d.segs);
		ck_assert_uint_le(d.nsegs, n > 0 ? 2 * n - 1 : 0);
		for (size_t i = 1; i < d.nsegs; i++)
			ck_assert(d.segs[i - 1].hi <= d.segs[i].lo);
		for (uint64_t a = 0; a < space + space / 4 + 2; a++)
			check_against_linear(&d, a, round);
		check_against_linear(&d, UINT64_MAX, round);
		free(d.segs);
		free(d.modules);
	}
}
END_TEST

START_TEST(high_addresses_and_empty_dump)
{
	struct module m[2] = {
		{ .id = 1, .lo = UINT64_MAX - 10, .hi = UINT64_MAX, .loaded = false },
		{ .id = 2, .lo = UINT64_MAX - 5, .hi = UINT64_MAX, .loaded = true },
	};
	struct dump d = { .modules = m, .nmodules = 2 };
	struct dump none = { 0 };

	ck_assert_int_eq(modmap_build(&d), 0);
	ck_assert_ptr_eq(modmap_find(&d, UINT64_MAX - 1), &m[1]);
	ck_assert_ptr_eq(modmap_find(&d, UINT64_MAX - 6), &m[0]);
	ck_assert_ptr_null(modmap_find(&d, UINT64_MAX));
	ck_assert_ptr_null(modmap_find(&d, 0));
	free(d.segs);
	ck_assert_int_eq(modmap_build(&none), 0);
	ck_assert_uint_eq(none.nsegs, 0);
	ck_assert_ptr_null(modmap_find(&none, 42));
	free(none.segs);
	none.segs = NULL;
	ck_assert_ptr_null(modmap_find(&none, 42)); /* linear, no modules */
}
END_TEST

START_TEST(twenty_thousand_modules_one_million_lookups)
{
	uint64_t rng = seed;
	struct dump d;
	struct timespec t0, t1;
	size_t found = 0;
	double secs;

	memset(&d, 0, sizeof(d));
	d.nmodules = 20000;
	d.modules = calloc(d.nmodules, sizeof(*d.modules));
	ck_assert_ptr_nonnull(d.modules);
	for (size_t i = 0; i < d.nmodules; i++)
		d.modules[i] = (struct module){ .id = (uint32_t)i + 1,
			.lo = 0x100000000ull + i * 65536,
			.hi = 0x100000000ull + i * 65536 + 60000,
			.loaded = true };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(modmap_build(&d), 0);
	for (size_t i = 0; i < 1000000; i++) {
		uint64_t a = 0x100000000ull + rng_next(&rng) % (20000ull * 65536);

		found += modmap_find(&d, a) != NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* 60000 of every 65536 addresses are in a module */
	ck_assert_msg(found > 900000 && found < 930000, SEEDED("%zu found", found));
	/* Loose: a sanity bound (the linear search took 7 s); make bench has
	 * the real target. */
	ck_assert_msg(secs < 2.0, SEEDED("build and 1M lookups took %.2f s", secs));
	free(d.segs);
	free(d.modules);
}
END_TEST

static Suite *
modmap_suite(void)
{
	Suite *s = suite_create("modmap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, segments_agree_with_linear_search);
	tcase_add_test(tc, high_addresses_and_empty_dump);
	tcase_add_test(tc, twenty_thousand_modules_one_million_lookups);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(modmap_suite(), "check_modmap");
}
