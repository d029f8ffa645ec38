/*
 * check.h - what the tally tests share: CHECK(), and the faults a build
 * injects into one test by its name (TEST_NAME, defined by each test):
 *   -DINJECT_LEAK='"test_count"'  that test leaks one 40-byte block, from
 *                                 injected_leak();
 *   -DINJECT_FAIL='"test_count"'  that test fails (exit 1).
 * Each build system passes them from its own knob (make INJECT_LEAK=...,
 * configure CPPFLAGS=..., cmake -DINJECT_LEAK=..., meson -Dinject_leak=...).
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed;

#define CHECK(cond) do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_failed = 1; \
		} \
	} while (0)

/* Kept in a volatile global for a moment, so the compiler keeps the call. */
static void *volatile check_sink;

static void __attribute__((noinline, unused))
injected_leak(void)
{
	check_sink = malloc(40);
	check_sink = NULL;
}

/* The test's exit status, after the injected faults. */
static int
check_done(void)
{
#ifdef INJECT_LEAK
	if (strcmp(INJECT_LEAK, TEST_NAME) == 0)
		injected_leak();
#endif
#ifdef INJECT_FAIL
	if (strcmp(INJECT_FAIL, TEST_NAME) == 0) {
		fprintf(stderr, "%s: failing as INJECT_FAIL asks\n", TEST_NAME);
		check_failed = 1;
	}
#endif
	printf("%s: %s\n", TEST_NAME, check_failed ? "failed" : "ok");
	return check_failed;
}

#endif /* CHECK_H */
