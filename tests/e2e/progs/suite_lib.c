/*
 * suite_lib.c - the library under test of a small suite (issue 10): one
 * bug, lib_buggy() returning a copy nobody frees, reached from every test
 * and every call path; lib_xmalloc(), a wrapper every caller allocates
 * through (what --ignore-frame is for); lib_cache(), a block kept
 * reachable through a global.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static void *lib_kept;

NOINLINE void *
lib_xmalloc(size_t n)
{
	void *p = malloc(n);    /* MARK:lib_xmalloc */

	NO_TAIL_CALL();
	if (p == NULL)
		abort();
	return p;
}

NOINLINE char *
lib_buggy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);    /* MARK:lib_buggy */

	NO_TAIL_CALL();
	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

NOINLINE void
lib_cache(size_t n)
{
	lib_kept = malloc(n);
	NO_TAIL_CALL();
}
