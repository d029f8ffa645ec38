/*
 * thread_exit.c - a second thread leaks one block of 77 bytes from
 * worker_leak() and calls exit(5) while main waits in pthread_join().
 * Expected: exit status 5, a dump with worker_leak 1 77 and main_leak 1 66.
 */
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void *main_leak(void) { void *p = malloc(66); NO_TAIL_CALL(); return p; }
NOINLINE static void *worker_leak(void) { void *p = malloc(77); NO_TAIL_CALL(); return p; }

static void *
worker(void *arg)
{
	(void)arg;
	e2e_sink = worker_leak();
	e2e_sink = NULL;
	say("worker exits\n");
	exit(5);
}

int
main(void)
{
	pthread_t t;

	e2e_sink = main_leak();
	e2e_sink = NULL;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	pthread_join(t, NULL);
	say("not reached\n");
	return 0;
}
