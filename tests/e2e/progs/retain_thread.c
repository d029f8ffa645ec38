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

	(void)arg;
	held[0] = 1;
	say("tid %ld\n", (long)syscall(SYS_gettid));
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
