/*
 * threads.c - argv[1] threads (default 300) run at once; each allocates and
 * frees 200 blocks of varying size and leaks one block of 64 bytes from
 * thread_leak(). Expected dump: thread_leak N blocks, 64 * N bytes, in one
 * rec; no thread_churn.
 */
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

static pthread_barrier_t start;

NOINLINE static void *
thread_leak(void)
{
	void *p = malloc(64);

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void
thread_churn(unsigned seed)
{
	void *held[16] = { 0 };

	for (int i = 0; i < 200; i++) {
		int k = (int)(seed % 16);

		seed = seed * 1103515245 + 12345;
		free(held[k]);
		held[k] = (i & 1) ? malloc(seed % 512 + 1) : calloc(1, seed % 64 + 1);
		if (i % 7 == 0)
			held[k] = realloc(held[k], seed % 1000 + 1);
	}
	for (int k = 0; k < 16; k++)
		free(held[k]);
}

static void *
worker(void *arg)
{
	pthread_barrier_wait(&start);
	thread_churn((unsigned)(size_t)arg);
	e2e_sink = thread_leak();
	return NULL;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300;
	pthread_t *tid = calloc((size_t)n, sizeof(*tid));
	pthread_attr_t attr;
	int started = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_barrier_init(&start, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++)
		if (pthread_create(&tid[i], &attr, worker, (void *)(size_t)(i + 1)) == 0)
			started++;
	if (started != n) {
		say("only %d threads started\n", started);
		return 1;
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	pthread_barrier_destroy(&start);
	pthread_attr_destroy(&attr);
	say("%d threads done\n", n);
	return 0;
}
