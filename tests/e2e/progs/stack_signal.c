/*
 * stack_signal.c - allocations from a signal handler running on an
 * alternate stack, between allocations from a loop: chains through a
 * signal frame must never be served from the stack cache.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

void *keep[1000];                      /* global and read at the end: kept at -O2 */
static volatile int nk;

static void
on_usr1(int sig)
{
	(void)sig;
	if (nk < 1000)
		keep[nk++] = malloc(24);        /* not async-signal-safe; a test */
}

__attribute__((noinline)) static void *
loop_alloc(int i)
{
	return malloc(32 + (size_t)(i % 3));
}

int
main(void)
{
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
	void *volatile last = NULL;

	sigaltstack(&ss, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < 20000; i++) {
		free(last);
		last = loop_alloc(i);
		if (i % 20 == 0)
			raise(SIGUSR1);
	}
	int live = 0;
	for (int k = 0; k < nk; k++)
		live += keep[k] != NULL;
	printf("%d %d\n", nk, live);
	return 0;
}
