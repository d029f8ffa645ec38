/*
 * reach_big.c - a heap big enough that the exit scan splits its levels
 * between two threads (a level of 256 blocks and 1 MiB or more):
 *   g_par[2000] -> 2000 zeroed 2 KiB parents (reachable), each holding
 *     the start of a 512-byte block A (reachable) -> a 64-byte block C
 *       (reachable),
 *     and an address 16 bytes into a 512-byte block B (possible) -> a
 *       48-byte block D (possible: reached only through B);
 *   1000 lost 1 KiB blocks L (definite), each the only holder of a
 *     96-byte block E (indirect).
 * Expected: definite 1000 1024000, indirect 1000 96000,
 * possible 4000 1120000, reachable 6000 5248000.
 */
#include <stdlib.h>

#include "e2e.h"

#define PARENTS 2000
#define LOST    1000

void **g_par[PARENTS];

NOINLINE static void
build_reachable(void)
{
	for (int i = 0; i < PARENTS; i++) {
		void **p = calloc(1, 2048);
		void **a = calloc(1, 512);
		void **b = calloc(1, 512);

		a[0] = malloc(64);
		b[5] = malloc(48);
		p[0] = a;
		p[1] = (char *)b + 16;
		g_par[i] = p;
	}
	NO_TAIL_CALL();
}

NOINLINE static void
lose_some(void)
{
	for (int i = 0; i < LOST; i++) {
		void **l = calloc(1, 1024);

		l[3] = malloc(96);
	}
	NO_TAIL_CALL();
}

int
main(void)
{
	build_reachable();
	lose_some();
	e2e_scrub_stack();
	say("big heap\n");
	return 0;
}
