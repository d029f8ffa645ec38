/*
 * small_stack.c - threads on the smallest stack glibc allows
 * (PTHREAD_STACK_MIN, 16 KiB) that allocate through frames with frame
 * pointers (built -O0: CFA from RBP, so a miss unwinds with libunwind):
 * pthread_getattr_np() (which reallocs), malloc, realloc, and one leak of
 * 40 bytes per thread from leak_small(). libuv's test suite makes such a
 * thread, and it crashed on its guard page under libleak when a miss's
 * scratch arrays were sized for 256 frames. Prints "small stacks done".
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void
leak_small(void)
{
	e2e_sink = malloc(40);
}

static void *
body(void *arg)
{
	pthread_attr_t at;
	size_t size = 0;

	(void)arg;
	if (pthread_getattr_np(pthread_self(), &at) != 0)
		return (void *)1;
	pthread_attr_getstacksize(&at, &size);
	pthread_attr_destroy(&at);
	char *p = malloc(10);
	char *q = realloc(p, 100);
	free(q);
	leak_small();
	e2e_sink = NULL;
	return size == PTHREAD_STACK_MIN ? NULL : (void *)1;
}

int
main(void)
{
	pthread_attr_t at;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, PTHREAD_STACK_MIN);
	for (int i = 0; i < 4; i++) {
		pthread_t t;
		void *r;

		if (pthread_create(&t, &at, body, NULL) != 0 || pthread_join(t, &r) != 0 ||
		    r != NULL)
			return 1;
	}
	say("small stacks done\n");
	return 0;
}
