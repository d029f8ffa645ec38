/*
 * churn.c - benchmark workload: allocator churn on two threads.
 *
 * Each thread keeps a bounded live set of CHURN_SLOTS blocks and performs
 * CHURN_OPS operations on random slots: an empty slot gets malloc (or, one
 * time in eight, calloc); a full one is freed, or one time in four realloc'd
 * to a new size. Sizes are 16..1024 bytes. The first byte of each block is
 * written, as a program would. Everything is freed at the end, so no leak
 * is expected. The random sequence is fixed (xorshift, seeded per thread),
 * so every run does the same work. Run by scripts/bench; takes no arguments.
 * Exit status: 0, or 2 on bad usage or a failed allocation.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHURN_THREADS 2
#define CHURN_SLOTS 4096
#define CHURN_OPS 2000000

static uint64_t
rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
rnd_size(uint64_t *s)
{
	return 16 + (size_t)(rnd_next(s) % 1009);
}

static void *
churn_thread(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1);
	void **live = calloc(CHURN_SLOTS, sizeof(*live));
	uintptr_t failed = 0;

	if (live == NULL)
		return (void *)1;
	for (long op = 0; op < CHURN_OPS; op++) {
		uint64_t r = rnd_next(&seed);
		size_t i = (size_t)(r % CHURN_SLOTS);
		unsigned char *p = live[i];

		if (p == NULL) {
			size_t n = rnd_size(&seed);

			p = (r >> 32) % 8 == 0 ? calloc(1, n) : malloc(n);
		} else if ((r >> 32) % 4 == 0) {
			unsigned char *q = realloc(p, rnd_size(&seed));

			if (q == NULL)
				free(p);
			p = q;
		} else {
			free(p);
			live[i] = NULL;
			continue;
		}
		if (p == NULL) {
			failed = 1;
			break;
		}
		p[0] = (unsigned char)op;
		live[i] = p;
	}
	for (size_t i = 0; i < CHURN_SLOTS; i++)
		free(live[i]);
	free(live);
	return (void *)failed;
}

int
main(int argc, char **argv)
{
	pthread_t th[CHURN_THREADS];
	int bad = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "churn: usage: churn (no arguments)\n");
		return 2;
	}
	for (uintptr_t t = 0; t < CHURN_THREADS; t++) {
		if (pthread_create(&th[t], NULL, churn_thread, (void *)t) != 0) {
			fprintf(stderr, "churn: cannot create thread %lu\n", (unsigned long)t);
			return 2;
		}
	}
	for (int t = 0; t < CHURN_THREADS; t++) {
		void *ret;

		pthread_join(th[t], &ret);
		bad |= ret != NULL;
	}
	if (bad) {
		fprintf(stderr, "churn: allocation failed\n");
		return 2;
	}
	return 0;
}
