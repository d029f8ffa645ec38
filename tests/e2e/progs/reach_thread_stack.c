/*
 * reach_thread_stack.c - a live thread holds the only pointer to a
 * 88-byte block in a local variable while it blocks reading a pipe that
 * nobody writes; main returns. Expected: reachable 1 block 88 bytes, plus
 * the thread's own dynamic-loader blocks (DTV), which are not compared.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "e2e.h"


static void *
worker(void *arg)
{
	char *volatile held = malloc(88);

	(void)arg;
	held[0] = 1;
	e2e_park();
	return (void *)held;
}

int
main(void)
{
	if (e2e_start_parked(worker) != 0)
		return 1;
	say("thread holds it\n");
	return 0;
}
