/*
 * reach_none.c - allocates, reallocates and frees everything, in C and
 * through strdup. Expected: no block left at all.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

int
main(void)
{
	char *a = malloc(40);
	char *s = strdup("no leak here");

	a = realloc(a, 400);
	free(s);
	free(a);
	say("nothing left\n");
	return 0;
}
