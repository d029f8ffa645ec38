/*
 * dl_race.c - the lock-order pattern that deadlocked the preload: one
 * thread allocates inside dl_iterate_phdr() callbacks (the loader's lock
 * held), from call paths of varying depth so that its stacks are not in
 * the stack cache; another creates and joins threads, whose start-up
 * allocates inside the loader (the new thread's DTV). Prints "done".
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

#define ROUNDS 200

NOINLINE static void *
deep(int n)
{
	if (n == 0)
		return malloc(24);
	void *p = deep(n - 1);
	NO_TAIL_CALL();
	return p;
}

static int
visit(struct dl_phdr_info *info, size_t size, void *data)
{
	int *k = data;

	(void)info;
	(void)size;
	free(deep((*k)++ % 40));
	return 0;
}

static void *
walker(void *arg)
{
	int k = 0;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		dl_iterate_phdr(visit, &k);
	return NULL;
}

static void *
nothing(void *arg)
{
	return arg;
}

static void *
spawner(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, nothing, NULL) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

int
main(void)
{
	pthread_t a, b;

	if (pthread_create(&b, NULL, spawner, NULL) != 0 || pthread_create(&a, NULL, walker, NULL) != 0)
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	say("done\n");
	return 0;
}
