/*
 * reach_atexit.c - a global holds a 112-byte block that points to a
 * 16-byte child; an atexit handler frees both, and main leaves through
 * exit(). Expected: no leak at all.
 */
#include <stdlib.h>

#include "e2e.h"

static void **g_held;

static void
release(void)
{
	free(g_held[0]);
	free(g_held);
	g_held = NULL;
}

int
main(void)
{
	g_held = malloc(112);
	g_held[0] = malloc(16);
	if (atexit(release) != 0)
		return 1;
	say("freed at exit\n");
	exit(0);
}
