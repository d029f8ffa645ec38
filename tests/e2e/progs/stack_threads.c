/*
 * stack_threads.c - 400 short-lived threads, 4 at a time, on stacks of two
 * sizes, each allocating at a recursion depth of its own (0..3) from one
 * of two paths. glibc hands a dead thread's stack block, and so its thread
 * pointer, to a new thread: the new thread takes over its predecessor's
 * stack cache, whose chains it must never take for its own stacks unless
 * every slot agrees. Each thread leaks one 40-byte block from
 * leak_in_thread. Run with LEAK_VERIFY_STACKS=1.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "e2e.h"

#define TOTAL   400
#define AT_ONCE 4

void *leaked[TOTAL];

NOINLINE static void *
path_a(size_t n)
{
	void *p = malloc(n);

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void *
path_b(size_t n)
{
	void *p = malloc(n + 8);

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void
leak_in_thread(int i)
{
	leaked[i] = malloc(40);
	NO_TAIL_CALL();
}

NOINLINE static void
churn(int i, int depth)
{
	if (depth > 0) {
		churn(i, depth - 1);
		NO_TAIL_CALL();
		return;
	}
	for (int k = 0; k < 50; k++) {
		void *p = (i + k) % 3 ? path_a(16 + (size_t)k) : path_b(16 + (size_t)k);

		free(p);
	}
	leak_in_thread(i);
}

static void *
worker(void *arg)
{
	int i = (int)(intptr_t)arg;

	churn(i, i % 4);
	return NULL;
}

int
main(void)
{
	for (int i = 0; i < TOTAL; i += AT_ONCE) {
		pthread_t t[AT_ONCE];
		pthread_attr_t a;

		pthread_attr_init(&a);
		if ((i / AT_ONCE) % 2)
			pthread_attr_setstacksize(&a, 256 * 1024);
		for (int k = 0; k < AT_ONCE; k++)
			if (pthread_create(&t[k], &a, worker, (void *)(intptr_t)(i + k)) != 0)
				return 2;
		for (int k = 0; k < AT_ONCE; k++)
			pthread_join(t[k], NULL);
		pthread_attr_destroy(&a);
	}
	say("threads done\n");
	return 0;
}
