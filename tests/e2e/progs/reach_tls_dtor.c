/*
 * reach_tls_dtor.c - a thread stores a 120-byte block under a
 * pthread_key_create key whose destructor frees it when the thread exits;
 * main joins it and returns. Expected: no leak, apart from the joined
 * thread's dynamic-loader blocks (DTV), which are not compared.
 */
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

static pthread_key_t g_key;

static void *
worker(void *arg)
{
	(void)arg;
	if (pthread_setspecific(g_key, malloc(120)) != 0)
		return NULL;
	return NULL;
}

int
main(void)
{
	pthread_t t;

	if (pthread_key_create(&g_key, free) != 0)
		return 1;
	if (pthread_create(&t, NULL, worker, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 1;
	say("key destructor ran\n");
	return 0;
}
