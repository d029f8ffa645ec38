/*
 * reach_interior.c - a global points 16 bytes into a 160-byte block (and
 * nothing points at its start). The block's first words hold values that
 * match none of Valgrind's heuristics (length64, newarray, stdstring).
 * Expected: possible 1 block 160 bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "e2e.h"

char *g_inner;

NOINLINE static void
keep_inside(void)
{
	uint64_t *b = malloc(160);

	b[0] = 0x1234567;
	b[1] = 0x7654321;
	g_inner = (char *)b + 16;
	NO_TAIL_CALL();
}

int
main(void)
{
	keep_inside();
	say("interior only\n");
	return 0;
}
