/*
 * deep.c - benchmark workload: deep, varied stacks.
 *
 * DEEP_DISTINCT call paths, 4 to DEEP_MAX_LEVELS frames deep, through
 * eight step functions with different frame sizes (each keeps a volatile
 * array of its own length), called through pointers in a per-path order;
 * the innermost level allocates. The paths are replayed round robin,
 * DEEP_ALLOCS allocations in all, each freed DEEP_RING allocations later;
 * one in 128 is leaked, so the exit dump has stacks to report. Far more
 * paths than any per-thread stack cache holds: nearly every allocation
 * misses it, which is what this measures (the unwinder on deep stacks, and
 * the stack depot with 20,000 stacks). Run by scripts/bench; no arguments.
 * Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEEP_DISTINCT   20000
#define DEEP_MAX_LEVELS 72
#define DEEP_ALLOCS     400000
#define DEEP_RING       1024

struct path {
	int depth;                            /* levels, 4..DEEP_MAX_LEVELS */
	size_t size;                          /* bytes for the final malloc */
	unsigned char digit[DEEP_MAX_LEVELS]; /* step at each level, 0..7 */
};

typedef void *(*step_fn)(const struct path *, int);

static volatile uintptr_t sink;
static step_fn steps[8];
static struct path paths[DEEP_DISTINCT];

static void *
descend(const struct path *p, int level)
{
	if (level >= p->depth)
		return malloc(p->size);
	return steps[p->digit[level]](p, level + 1);
}

/* A step with a frame of about `words` words; it uses the callee's result
 * and its array after the call, so -O2 keeps the frame and the call. */
#define STEP(k, words)                                                                  \
	static __attribute__((noinline)) void *step##k(const struct path *p, int level) \
	{                                                                               \
		volatile uintptr_t pad[words];                                          \
		pad[0] = (uintptr_t)level;                                              \
		void *r = descend(p, level);                                            \
		sink = (uintptr_t)r ^ pad[0];                                           \
		return r;                                                               \
	}
STEP(0, 1)
STEP(1, 2) STEP(2, 4) STEP(3, 6) STEP(4, 9) STEP(5, 13) STEP(6, 20) STEP(7, 32)

    int main(int argc, char **argv)
{
	static void *ring[DEEP_RING];
	uint64_t seed = 0x2545f4914f6cdd1dull;
	step_fn f[8] = { step0, step1, step2, step3, step4, step5, step6, step7 };

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "deep: usage: deep (no arguments)\n");
		return 2;
	}
	for (int i = 0; i < 8; i++)
		steps[i] = f[i];
	for (int i = 0; i < DEEP_DISTINCT; i++) {
		paths[i].depth = 4 + (int)((unsigned)i * 2654435761u % (DEEP_MAX_LEVELS - 3));
		paths[i].size = 16 + (size_t)(i % 61) * 8;
		for (int l = 0; l < DEEP_MAX_LEVELS; l++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			paths[i].digit[l] = (unsigned char)(seed % 8);
		}
	}
	for (long i = 0; i < DEEP_ALLOCS; i++) {
		size_t slot = (size_t)i % DEEP_RING;
		char *p = descend(&paths[i % DEEP_DISTINCT], 0);

		if (p == NULL) {
			fprintf(stderr, "deep: allocation failed\n");
			return 2;
		}
		p[0] = 1;
		if (i % 128 != 127)
			free(ring[slot]);
		ring[slot] = p;
	}
	for (size_t i = 0; i < DEEP_RING; i++)
		free(ring[i]);
	return 0;
}
