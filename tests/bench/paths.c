/*
 * paths.c - benchmark workload: allocations from hundreds of call paths.
 *
 * PATHS_DISTINCT paths of depth 1..60 (see walk.h: eight step functions
 * called through pointers, in a per-path order) each allocate in turn,
 * PATHS_ALLOCS blocks in all. Blocks go through a ring of PATHS_RING slots,
 * so each is freed a while after it was made, as in a long-running program;
 * one block in 64 is dropped without free (a leak), so the exit dump has
 * stacks to report. What this measures is the cost of deep, varied stacks
 * for the unwinder and the stack depot. Run by scripts/bench; no arguments.
 * Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <stdio.h>

#include "walk.h"

#define PATHS_DISTINCT 512
#define PATHS_ALLOCS 600000
#define PATHS_RING 1024

WALK_DEFINE_STEPS()

static struct walk_path paths[PATHS_DISTINCT];

static void
paths_make(void)
{
	uint64_t seed = 0x853c49e6748fea9bull;

	for (int i = 0; i < PATHS_DISTINCT; i++) {
		paths[i].depth = 1 + (i * 37) % WALK_MAX_DEPTH;
		paths[i].size = 16 + (size_t)(i % 200) * 4;
		for (int l = 0; l < WALK_MAX_DEPTH; l++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			paths[i].digit[l] = (unsigned char)(seed % 8);
		}
	}
}

int
main(int argc, char **argv)
{
	static void *ring[PATHS_RING];

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "paths: usage: paths (no arguments)\n");
		return 2;
	}
	walk_init();
	paths_make();
	for (long i = 0; i < PATHS_ALLOCS; i++) {
		size_t slot = (size_t)i % PATHS_RING;
		char *p = walk_alloc(&paths[(i * 7) % PATHS_DISTINCT], 0);

		if (p == NULL) {
			fprintf(stderr, "paths: allocation failed\n");
			return 2;
		}
		p[0] = 1;
		if (i % 64 != 63)
			free(ring[slot]);
		ring[slot] = p;
	}
	for (size_t i = 0; i < PATHS_RING; i++)
		free(ring[i]);
	return 0;
}
