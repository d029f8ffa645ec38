/*
 * leakdump.c - benchmark workload: a large dump for leakreport to read.
 *
 * Leaks LEAKDUMP_BLOCKS blocks of 16..79 bytes from LEAKDUMP_STACKS distinct
 * stacks (walk.h paths: four levels whose steps spell the stack number in
 * base 8, plus one to three more levels), one block per stack in turn, and
 * keeps no pointer to any of them. Under libleak the exit dump holds a
 * million definite leaks in a thousand groups; scripts/bench times
 * `leakreport --format json` on it. Run by scripts/bench; no arguments.
 * Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <stdio.h>

#include "walk.h"

#define LEAKDUMP_BLOCKS 1000000
#define LEAKDUMP_STACKS 1000

WALK_DEFINE_STEPS()

static struct walk_path paths[LEAKDUMP_STACKS];

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "leakdump: usage: leakdump (no arguments)\n");
		return 2;
	}
	walk_init();
	for (int s = 0; s < LEAKDUMP_STACKS; s++) {
		paths[s].depth = 4 + s % 3;
		for (int l = 0; l < paths[s].depth; l++)
			paths[s].digit[l] = (unsigned char)(l < 4 ? (s >> (3 * l)) & 7 : l);
	}
	for (long i = 0; i < LEAKDUMP_BLOCKS; i++) {
		struct walk_path *p = &paths[i % LEAKDUMP_STACKS];
		char *b;

		p->size = 16 + (size_t)(i % 64);
		b = walk_alloc(p, 0);
		if (b == NULL) {
			fprintf(stderr, "leakdump: allocation failed\n");
			return 2;
		}
		b[0] = 1;
	}
	walk_sink = 0;          /* the last block is not reachable through it */
	return 0;
}
