/*
 * live.c - benchmark workload: two million blocks still live at exit.
 *
 * Allocates LIVE_BLOCKS blocks of 32..96 bytes (fixed pseudo-random sizes,
 * as buildup.c's), writes to each, and exits with all of them reachable
 * through a global array: the exit scan then holds its own record of every
 * block (marking, the address index) on top of the program's heap, which is
 * what this workload's peak RSS measures. Run by scripts/bench; no
 * arguments. Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_BLOCKS 2000000

char **live_blocks; /* a root: every block stays reachable */

int
main(int argc, char **argv)
{
	uint64_t seed = 0x2545f4914f6cdd1dull;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "live: usage: live (no arguments)\n");
		return 2;
	}
	live_blocks = malloc(LIVE_BLOCKS * sizeof(*live_blocks));
	if (live_blocks == NULL)
		goto out_oom;
	for (size_t i = 0; i < LIVE_BLOCKS; i++) {
		size_t n;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		n = 32 + (size_t)(seed % 65);
		live_blocks[i] = malloc(n);
		if (live_blocks[i] == NULL)
			goto out_oom;
		memset(live_blocks[i], (int)(i & 0xff), n);
	}
	return 0;

out_oom:
	fprintf(stderr, "live: allocation failed\n");
	return 2;
}
