/*
 * retain_thread.c - a live thread holds the only pointer to a 56-byte
 * block (thread_keep) in a local while it blocks reading a pipe nobody
 * writes, until the process exits; it prints its tid first. Expected: the
 * block reachable, held by that thread's stack or registers, no hop.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "e2e.h"

static int g_pipe[2];
static int g_ready[2];

NOINLINE static char *
thread_keep(void)
{
	char *p = malloc(56);

	NO_TAIL_CALL();
	return p;
}

static void *
worker(void *arg)
{
	char *volatile held = thread_keep();
	char c;

	(void)arg;
	held[0] = 1;
	say("tid %ld\n", (long)syscall(SYS_gettid));
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
