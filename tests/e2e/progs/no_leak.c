/*
 * no_leak.c - allocates through every C entry point and frees everything.
 * Expected dump: no rec line at all.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

NOINLINE static void
all_freed(void)
{
	void *p;

	free(malloc(10));
	free(calloc(4, 4));
	p = realloc(NULL, 8);
	p = realloc(p, 800);
	free(p);
	free(reallocarray(NULL, 3, 3));
	if (posix_memalign(&p, 64, 64) == 0)
		free(p);
	free(aligned_alloc(64, 128));
	free(memalign(32, 32));
	free(valloc(100));
	free(pvalloc(100));
	free(strdup("freed"));
	free(NULL);
}

int
main(void)
{
	for (int i = 0; i < 10; i++)
		all_freed();
	say("nothing leaked\n");
	return 0;
}
