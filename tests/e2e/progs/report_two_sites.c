/*
 * report_two_sites.c - two call sites of malloc in one function, each
 * leaking a block on both of the two calls from one loop. Expected: two definite records
 * in make_two (2 blocks of 100 bytes, 2 of 200), whether or not the binary
 * has line information.
 */
#include <stdlib.h>

#include "e2e.h"

void *kept[4];

NOINLINE static void
make_two(int i)
{
	kept[2 * i] = malloc(100);
	kept[2 * i + 1] = malloc(200);
}

int
main(void)
{
	for (int i = 0; i < 2; i++)
		make_two(i); /* one call site: both calls have one stack */
	for (int i = 0; i < 4; i++)
		kept[i] = NULL;
	say("report_two_sites done\n");
	return 0;
}
