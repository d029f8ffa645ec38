/*
 * reach_thread_exited.c - a thread allocates a 104-byte block, keeps its
 * address only in a local variable and exits; main joins it and returns.
 * The dead thread's stack stays mapped (glibc caches it) but is no root.
 * Expected: definite 1 block 104 bytes, plus the thread's dynamic-loader
 * blocks, which are not compared.
 */
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

static void *
worker(void *arg)
{
	char *volatile held = malloc(104);

	(void)arg;
	held[0] = 1;
	return NULL;
}

int
main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	if (pthread_join(t, NULL) != 0)
		return 1;
	say("thread exited\n");
	return 0;
}
