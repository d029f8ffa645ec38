/*
 * leak_loop.c - N blocks of 24 bytes leaked from one call site (N = argv[1],
 * default 50), while as many blocks of 40 bytes are freed.
 * Expected dump: leak_many N blocks, 24 * N bytes, all from one stack: the
 * head of the chain definite, the N - 1 others indirect.
 */
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void
leak_many(long n)
{
	/* Each block points at the previous one, so the chain is reachable
	 * only from the last: every block must still be reported. */
	void **prev = NULL;

	for (long i = 0; i < n; i++) {
		void **p = malloc(24);

		p[0] = prev;
		prev = p;
	}
	/* The volatile store makes the chain escape, so -O2 cannot drop
	 * the allocations; clearing it right after loses the chain. */
	e2e_sink = prev;
	e2e_sink = NULL;
}

NOINLINE static void
churn(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = malloc(40);

		e2e_sink = p;
		free(p);
	}
	e2e_sink = NULL;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 50;

	leak_many(n);
	churn(n);
	say("leaked %ld blocks\n", n);
	return 0;
}
