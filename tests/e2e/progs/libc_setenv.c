/*
 * libc_setenv.c - setenv() of 20 new variables: glibc keeps the strings it
 * allocated for them in a tsearch() tree of its own (a static of libc's,
 * for the process's life), whose left-child pointers carry the colour bit
 * (see reach_tsearch.c). libleak takes those tagged pointers for
 * references in trees libc builds for itself: no possible block, the tree
 * reachable. Valgrind with --run-libc-freeres=no calls some of the nodes
 * possibly lost; its default run frees the tree first.
 */
#include <stdio.h>
#include <stdlib.h>

#include "e2e.h"

int
main(void)
{
	char name[16];

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "LIBLEAK_E2E_%d", i);
		if (setenv(name, "value", 1) != 0)
			return 1;
	}
	say("set 20\n");
	return 0;
}
