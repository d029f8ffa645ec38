/*
 * threads.c - benchmark workload: many short-lived threads.
 *
 * Starts THREADS_TOTAL threads, THREADS_AT_ONCE at a time; each makes
 * THREADS_ALLOCS allocations of 24..280 bytes from two call sites, frees
 * them and exits. Nearly all of a tracker's cost here is what it pays the
 * first time a thread allocates (its first unwind, its per-thread state),
 * which the other workloads, with their few long threads, never show.
 * Nothing is leaked. Run by scripts/bench; no arguments.
 * Exit status: 0, or 2 on bad usage or a failed allocation or thread.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS_TOTAL   4000
#define THREADS_AT_ONCE 4
#define THREADS_ALLOCS  16

static __attribute__((noinline)) void *
make_small(size_t i)
{
	return malloc(24 + i);
}

static __attribute__((noinline)) void *
make_big(size_t i)
{
	return malloc(256 + i);
}

static void *
worker(void *arg)
{
	void *p[THREADS_ALLOCS];

	(void)arg;
	for (size_t i = 0; i < THREADS_ALLOCS; i++) {
		p[i] = i % 2 ? make_big(i) : make_small(i);
		if (p[i] == NULL)
			return (void *)1;
		*(volatile char *)p[i] = 1;
	}
	for (size_t i = 0; i < THREADS_ALLOCS; i++)
		free(p[i]);
	return NULL;
}

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "threads: usage: threads (no arguments)\n");
		return 2;
	}
	for (int done = 0; done < THREADS_TOTAL; done += THREADS_AT_ONCE) {
		pthread_t t[THREADS_AT_ONCE];
		void *res;

		for (int k = 0; k < THREADS_AT_ONCE; k++)
			if (pthread_create(&t[k], NULL, worker, NULL) != 0)
				goto out_fail;
		for (int k = 0; k < THREADS_AT_ONCE; k++)
			if (pthread_join(t[k], &res) != 0 || res != NULL)
				goto out_fail;
	}
	return 0;

out_fail:
	fprintf(stderr, "threads: a thread or an allocation failed\n");
	return 2;
}
