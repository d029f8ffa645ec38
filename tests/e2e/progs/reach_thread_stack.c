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

static int g_pipe[2];
static int g_ready[2];

static void *
worker(void *arg)
{
	char *volatile held = malloc(88);
	char c;

	(void)arg;
	held[0] = 1;
	if (write(g_ready[1], "r", 1) != 1)
		return NULL;
	while (read(g_pipe[0], &c, 1) != 0)
		;               /* nobody writes: blocks until the process exits */
	return (void *)held;
}

int
main(void)
{
	pthread_t t;
	char c;

	if (pipe(g_pipe) != 0 || pipe(g_ready) != 0)
		return 1;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	if (read(g_ready[0], &c, 1) != 1)
		return 1;
	say("thread holds it\n");
	return 0;
}
