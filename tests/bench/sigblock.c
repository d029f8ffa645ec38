/*
 * sigblock.c - benchmark workload: worker threads that block every signal,
 * as liblzma's and many thread pools' do.
 *
 * SIGBLOCK_THREADS workers block all signals (pthread_sigmask), then do
 * SIGBLOCK_OPS work items, each a malloc of 16..527 bytes (on a ring of
 * live blocks: the oldest is freed) that is filled and checksummed, as a
 * pool's tasks would, and, done, wait on a condition variable that is never
 * signalled; main waits for them to finish their work and returns while
 * they wait. An exit scan that signals them to stop them would wait for an
 * answer that can never come. Nothing is leaked but what the ring holds at
 * exit (still reachable from the workers' stacks). Run by scripts/bench;
 * no arguments. Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGBLOCK_THREADS 2
#define SIGBLOCK_OPS     1000000
#define SIGBLOCK_RING    256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int done, failed;
static volatile uint64_t sum_sink;

static void *
worker(void *arg)
{
	void *ring[SIGBLOCK_RING] = { 0 };
	uint64_t s = 0x9e3779b97f4a7c15ull + (uintptr_t)arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (long i = 0; i < SIGBLOCK_OPS; i++) {
		size_t k = (size_t)i % SIGBLOCK_RING;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		size_t n = 16 + (size_t)(s % 512);
		uint64_t sum = 0;

		free(ring[k]);
		ring[k] = malloc(n);
		if (ring[k] == NULL) {
			failed = 1;
			continue;
		}
		memset(ring[k], (int)i, n);
		for (size_t b = 0; b < n; b++)
			sum = sum * 31 + ((volatile unsigned char *)ring[k])[b];
		sum_sink = sum;
	}
	pthread_mutex_lock(&lock);
	done++;
	pthread_cond_signal(&done_cv);
	for (;;)
		pthread_cond_wait(&never, &lock); /* until the process exits */
	return ring[0];
}

int
main(int argc, char **argv)
{
	pthread_t t;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "sigblock: usage: sigblock (no arguments)\n");
		return 2;
	}
	for (uintptr_t i = 0; i < SIGBLOCK_THREADS; i++)
		if (pthread_create(&t, NULL, worker, (void *)i) != 0) {
			fprintf(stderr, "sigblock: cannot start a thread\n");
			return 2;
		}
	pthread_mutex_lock(&lock);
	while (done < SIGBLOCK_THREADS)
		pthread_cond_wait(&done_cv, &lock);
	pthread_mutex_unlock(&lock);
	if (failed) {
		fprintf(stderr, "sigblock: allocation failed\n");
		return 2;
	}
	return 0;
}
