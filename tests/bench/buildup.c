/*
 * buildup.c - benchmark workload: millions of live blocks, then all freed.
 *
 * Allocates BUILDUP_BLOCKS blocks of 32..96 bytes (fixed pseudo-random
 * sizes), writes to each, keeps them all live at once, then frees them in
 * allocation order. The peak RSS of this program is what the tracker's table
 * adds to when every block is live. Run by scripts/bench; no arguments.
 * Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUILDUP_BLOCKS 4000000

int
main(int argc, char **argv)
{
	uint64_t seed = 0x2545f4914f6cdd1dull;
	char **blocks;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "buildup: usage: buildup (no arguments)\n");
		return 2;
	}
	blocks = malloc(BUILDUP_BLOCKS * sizeof(*blocks));
	if (blocks == NULL)
		goto out_oom;
	for (size_t i = 0; i < BUILDUP_BLOCKS; i++) {
		size_t n;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		n = 32 + (size_t)(seed % 65);
		blocks[i] = malloc(n);
		if (blocks[i] == NULL)
			goto out_oom;
		memset(blocks[i], (int)(i & 0xff), n);
	}
	for (size_t i = 0; i < BUILDUP_BLOCKS; i++)
		free(blocks[i]);
	free(blocks);
	return 0;

out_oom:
	fprintf(stderr, "buildup: allocation failed\n");
	return 2;
}
