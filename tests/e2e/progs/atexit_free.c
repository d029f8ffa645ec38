/*
 * atexit_free.c - blocks freed by an atexit handler must not be reported.
 * alloc_global() allocates 4 blocks of 128 bytes held in globals; free_all(),
 * registered with atexit(), frees them. real_leak() leaks 1 block of 8.
 * Expected dump: real_leak 1 8 only.
 */
#include <stdlib.h>

#include "e2e.h"

static void *globals[4];

NOINLINE static void
alloc_global(void)
{
	for (int i = 0; i < 4; i++)
		globals[i] = malloc(128);
}

static void
free_all(void)
{
	for (int i = 0; i < 4; i++)
		free(globals[i]);
}

NOINLINE static void *real_leak(void) { void *p = malloc(8); NO_TAIL_CALL(); return p; }

int
main(void)
{
	alloc_global();
	atexit(free_all);
	e2e_sink = real_leak();
	e2e_sink = NULL;
	say("atexit registered\n");
	return 0;
}
