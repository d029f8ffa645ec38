/*
 * leak_plain.c - one direct leak from leak_one(), one freed block, exit 3.
 * Expected dump: leak_one 1 block 100 bytes, nothing else.
 */
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void
leak_one(void)
{
	e2e_sink = malloc(100);
}

NOINLINE static void
keep_freed(void)
{
	char *p = malloc(50);

	p[0] = 'x';
	e2e_sink = p;
	free(p);
}

int
main(void)
{
	leak_one();
	keep_freed();
	e2e_sink = NULL;
	say("leak_plain done\n");
	return 3;
}
