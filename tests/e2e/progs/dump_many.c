/*
 * dump_many.c - leaks 300,000 blocks from 3,000 call paths, prints
 * "exiting" and exits: its exit dump takes long enough (a few hundred
 * milliseconds) to be killed in the middle of.
 */
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void *
leak_at(int depth, size_t n)
{
	void *p = depth == 0 ? malloc(n) : leak_at(depth - 1, n);

	NO_TAIL_CALL();
	return p;
}

int
main(void)
{
	for (int i = 0; i < 300000; i++)
		e2e_sink = leak_at(i % 3000 % 40, 16 + (size_t)(i % 3000) / 40);
	e2e_sink = NULL;
	say("exiting\n");
	return 0;
}
