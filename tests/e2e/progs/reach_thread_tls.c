/*
 * reach_thread_tls.c - a live thread keeps the only pointer to a 96-byte
 * block in a __thread variable (static TLS) and then blocks reading a pipe
 * that nobody writes; the main thread keeps a 72-byte block in its own copy
 * of the variable and returns. Expected: reachable 2 blocks 168 bytes, plus
 * the thread's dynamic-loader blocks, which are not compared.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "e2e.h"

static __thread char *t_held;

NOINLINE static void
take(size_t size)
{
	t_held = malloc(size);
	NO_TAIL_CALL();
}

static void *
worker(void *arg)
{
	(void)arg;
	take(96);
	e2e_scrub_stack();   /* no stale copy of the address below our frame */
	e2e_park();
	return NULL;
}

int
main(void)
{
	if (e2e_start_parked(worker) != 0)
		return 1;
	take(72);
	e2e_scrub_stack();
	say("tls holds it\n");
	return 0;
}
