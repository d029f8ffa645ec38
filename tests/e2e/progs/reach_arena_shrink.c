/*
 * reach_arena_shrink.c - leaks from a thread whose glibc arena heap grew
 * and then shrank. The thread allocates 5,000 blocks of 2,000 bytes (too
 * big for the tcache, which would keep chunks from merging into the top)
 * in its own arena, each holding the address of the one before; it leaks
 * every tenth of the first 500 and frees all the others, the newest first,
 * so glibc shrinks the heap (shrink_heap: heap_info.size drops below
 * mprotect_size). The freed chunks between the leaked blocks still hold
 * their addresses: only a scan that knows this is an arena heap, and so no
 * root, finds them lost. Nothing printed in the thread (stdout's buffer
 * would sit above the blocks). Expected (both tools): definite 50 blocks,
 * 100000 bytes; nothing else.
 */
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

#define N       5000
#define SIZE    2000

static void *v[N];

static void *
worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		v[i] = malloc(SIZE);
		if (v[i] == NULL)
			return NULL;
		((void **)v[i])[8] = i > 0 ? v[i - 1] : NULL;
	}
	for (int i = N - 1; i >= 0; i--) {
		if (i >= 500 || i % 10 != 5)
			free(v[i]);
		v[i] = NULL;
	}
	return NULL;
}

int
main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 1;
	say("arena shrunk\n");
	return 0;
}
