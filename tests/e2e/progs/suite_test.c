/*
 * suite_test.c - one test program of a small suite (issue 10), linked
 * with suite_lib.c: "suite_test PATHS OWN [FREE]" reaches the library's
 * bug lib_buggy() through PATHS different call paths (1..16, one block
 * each: 7 bytes for paths 0-9, 8 for 10-15), leaks OWN blocks of 100 bytes through lib_xmalloc() from
 * own_a() and own_b() in turn, and keeps one reachable 24-byte block
 * (lib_cache). FREE 1: frees everything instead, a test that does not leak.
 */
#include <stdlib.h>

#include "e2e.h"

char *lib_buggy(const char *s);
void *lib_xmalloc(size_t n);
void lib_cache(size_t n);

static int free_all;

NOINLINE static void
keep(void *p)
{
	if (free_all)
		free(p);
	else
		e2e_sink = p;
}

#define PATH(k) NOINLINE static void path_##k(void) { keep(lib_buggy("path " #k)); NO_TAIL_CALL(); }
PATH(0) PATH(1) PATH(2) PATH(3) PATH(4) PATH(5) PATH(6) PATH(7)
PATH(8) PATH(9) PATH(10) PATH(11) PATH(12) PATH(13) PATH(14) PATH(15)

static void (*const paths[16])(void) = {
	path_0, path_1, path_2, path_3, path_4, path_5, path_6, path_7,
	path_8, path_9, path_10, path_11, path_12, path_13, path_14, path_15,
};

NOINLINE static void
own_a(void)
{
	keep(lib_xmalloc(100));
	NO_TAIL_CALL();
}

NOINLINE static void
own_b(void)
{
	keep(lib_xmalloc(100));
	NO_TAIL_CALL();
}

int
main(int argc, char **argv)
{
	int npaths = argc > 1 ? atoi(argv[1]) : 1;
	int own = argc > 2 ? atoi(argv[2]) : 0;

	free_all = argc > 3 && atoi(argv[3]) == 1;
	for (int k = 0; k < npaths && k < 16; k++)
		paths[k]();
	for (int i = 0; i < own; i++) {
		if (i % 2 == 0)
			own_a();
		else
			own_b();
	}
	if (!free_all)
		lib_cache(24);
	e2e_sink = NULL;
	return 0;
}
