/*
 * reach_xor.c - the only copy of a 56-byte block's address is kept XORed
 * with a constant in a global: no scanner can see it.
 * Expected: definite 1 block 56 bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "e2e.h"

#define MASK ((uintptr_t)0x5a5a5a5a5a5a5a5aULL)

uintptr_t g_hidden;

NOINLINE static void
hide(void)
{
	g_hidden = (uintptr_t)malloc(56) ^ MASK;
	NO_TAIL_CALL();
}

int
main(void)
{
	hide();
	e2e_scrub_stack();
	say("hidden %d\n", g_hidden != 0);
	return 0;
}
