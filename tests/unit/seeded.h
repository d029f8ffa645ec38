/*
 * seeded.h - reproducible randomness for a check suite: one seed, taken
 * from TEST_SEED or the clock, that every failure message can name
 * (SEEDED), and splitmix64 to draw from it. Include once per suite and
 * run the suite with seeded_run(), which prints TEST_SEED=<n> on failure
 * so that `TEST_SEED=<n> build/tests/<suite>` replays the run.
 */
#ifndef CHECK_SEEDED_H
#define CHECK_SEEDED_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long seed;

#define SEEDED(fmt, ...) "seed %lu: " fmt, seed, ##__VA_ARGS__

/* splitmix64: small, seedable, good enough to pick operations. */
static inline uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Sets the seed, runs suite s, and returns main()'s exit status. */
static inline int
seeded_run(Suite *s, const char *name)
{
	const char *env = getenv("TEST_SEED");
	SRunner *r = srunner_create(s);
	int failed;

	seed = env != NULL ? strtoul(env, NULL, 10) : (unsigned long)time(NULL);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	if (failed != 0)
		fprintf(stderr, "%s: TEST_SEED=%lu\n", name, seed);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* CHECK_SEEDED_H */
