/*
 * reach_indirect.c - a lost 48-byte block holds the only pointer to a
 * 64-byte block, which holds the only pointer to an 80-byte block.
 * Expected: definite 1 block 48 bytes, indirect 2 blocks 144 bytes.
 */
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void
lose_chain(void)
{
	void **head = malloc(48);
	void **mid = malloc(64);

	mid[0] = malloc(80);
	head[0] = mid;
	NO_TAIL_CALL();
}

int
main(void)
{
	lose_chain();
	e2e_scrub_stack();
	say("chain lost\n");
	return 0;
}
