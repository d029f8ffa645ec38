/*
 * small_stack.c - threads on the smallest stack glibc allows
 * (PTHREAD_STACK_MIN, 16 KiB) that allocate through frames with frame
 * pointers (built -O0: CFA from RBP, so a miss unwinds with libunwind):
 * pthread_getattr_np() (which reallocs), malloc, realloc, and one leak of
 * 40 bytes per thread from leak_small(). libuv's test suite makes such a
 * thread, and it crashed on its guard page under libleak when a miss's
 * scratch arrays were sized for 256 frames. Prints "small stacks done".
 * With "check", the last thread also calls leak_check_now() and prints
 * "check N"; with "exit", it calls exit(3) instead of returning: the exit
 * dump and the check run on that thread, and crashed there too. With
 * "deepbind", it dlopens libm with RTLD_DEEPBIND (libleak's dlopen path
 * for it had a 12.5 KB frame) and prints "deepbind 1".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

int leak_check_now(void) __attribute__((weak));

static const char *mode = "";

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
	if (arg != NULL && mode[0] == 'c')
		say("check %d\n", leak_check_now != NULL ? leak_check_now() : -1);
	if (arg != NULL && mode[0] == 'e')
		exit(3);
	if (arg != NULL && mode[0] == 'd')
		say("deepbind %d\n", dlopen("libm.so.6", RTLD_NOW | RTLD_DEEPBIND) != NULL);
	return size == PTHREAD_STACK_MIN ? NULL : (void *)1;
}

int
main(int argc, char **argv)
{
	pthread_attr_t at;

	if (argc > 1)
		mode = argv[1];
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, PTHREAD_STACK_MIN);
	for (int i = 0; i < 4; i++) {
		pthread_t t;
		void *r;

		if (pthread_create(&t, &at, body, i == 3 ? &at : NULL) != 0 ||
		    pthread_join(t, &r) != 0 || r != NULL)
			return 1;
	}
	say("small stacks done\n");
	return 0;
}
