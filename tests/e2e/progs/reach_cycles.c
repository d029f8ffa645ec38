/*
 * reach_cycles.c - two lost cycles with nothing pointing in: one of two
 * 32-byte blocks, one of three 40-byte blocks. Each cycle counts one block
 * as definite and the rest as indirect (Valgrind's cliques).
 * Expected: definite 2 blocks 72 bytes, indirect 3 blocks 112 bytes.
 */
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void
lose_cycle(int n, size_t size)
{
	void **first = malloc(size);
	void **prev = first;

	for (int i = 1; i < n; i++) {
		void **b = malloc(size);

		prev[0] = b;
		prev = b;
	}
	prev[0] = first;
	NO_TAIL_CALL();
}

int
main(void)
{
	lose_cycle(2, 32);
	lose_cycle(3, 40);
	e2e_scrub_stack();
	say("cycles lost\n");
	return 0;
}
