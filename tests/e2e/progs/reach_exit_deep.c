/*
 * reach_exit_deep.c - five nested calls below main allocate 64 blocks of
 * 168 bytes, keep their addresses only in a local array and return without
 * freeing them; main then leaves through exit(0), not by returning. The
 * dead frames are below the stack pointer at exit, so they are no root.
 * Expected: definite 64 blocks 10752 bytes.
 */
#include <stdlib.h>

#include "e2e.h"

#define NSLOTS 64

NOINLINE static void
leak_deep(int depth)
{
	char *volatile slots[NSLOTS];

	if (depth > 0) {
		leak_deep(depth - 1);
		return;
	}
	for (int i = 0; i < NSLOTS; i++)
		slots[i] = malloc(168);
	for (int i = 0; i < NSLOTS; i++)
		slots[i][0] = 1;
}

int
main(void)
{
	leak_deep(4);
	say("left through exit\n");
	exit(0);
}
