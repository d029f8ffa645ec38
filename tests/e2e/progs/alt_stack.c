/*
 * alt_stack.c - a signal handler on an 8 KiB signal stack (sigaltstack,
 * with a guard page below it, as a thread stack has) that allocates
 * through a frame with a frame pointer (built -O0), so a stack-cache miss
 * would walk with libunwind; one block per signal leaks from
 * leak_in_handler(). Crash handlers allocate so. Three signals; prints
 * "handled 3". Exit status 0, or 1 when the stack cannot be mapped.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "e2e.h"

#define ALT_SIZE 8192

static volatile sig_atomic_t handled;

NOINLINE static void
leak_in_handler(void)
{
	e2e_sink = malloc(24);
}

static void
on_signal(int sig)
{
	(void)sig;
	char *p = malloc(100);

	free(p);
	leak_in_handler();
	e2e_sink = NULL;
	handled++;
}

int
main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)page + ALT_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m, (size_t)page, PROT_NONE) != 0)
		return 1;
	stack_t ss = { .ss_sp = m + page, .ss_size = ALT_SIZE, .ss_flags = 0 };
	struct sigaction sa;

	if (sigaltstack(&ss, NULL) != 0)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < 3; i++)
		raise(SIGUSR1);
	say("handled %d\n", (int)handled);
	return 0;
}
