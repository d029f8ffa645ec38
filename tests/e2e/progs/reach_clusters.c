/*
 * reach_clusters.c - blocks far apart in the address space: small ones in
 * the brk heap, large ones (over glibc's 128 KiB mmap threshold) in the
 * mmap area, and one in a second thread's arena, with pointers across, so
 * the exit scan's lookups cross its per-cluster bucket indexes.
 *   reachable: g_small (64) -> interior of a 1 MiB block (possible);
 *              g_big (300 KiB) -> its start -> a 32-byte block;
 *              g_thr -> a 40-byte block from the thread's arena;
 *   lost:      a 512 KiB block (definite) -> a 48-byte block (indirect).
 * Expected: definite 1 524288, indirect 1 48, possible 1 1048576,
 * reachable 4 307336.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "e2e.h"

void **g_small;
void **g_big;
void *g_thr;

NOINLINE static void
make_reachable(void)
{
	char *huge = malloc(1 << 20);

	g_small = malloc(64);
	g_small[0] = huge + 4096;       /* interior only: possible */
	g_big = malloc(300 * 1024);
	g_big[0] = malloc(32);
	NO_TAIL_CALL();
}

NOINLINE static void
make_lost(void)
{
	void **c = malloc(512 * 1024);

	c[100] = malloc(48);
	NO_TAIL_CALL();
}

static void *
in_thread(void *arg)
{
	(void)arg;
	g_thr = malloc(40);
	return NULL;
}

int
main(void)
{
	pthread_t t;

	make_reachable();
	make_lost();
	e2e_scrub_stack();
	if (pthread_create(&t, NULL, in_thread, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 2;
	say("clusters\n");
	return 0;
}
