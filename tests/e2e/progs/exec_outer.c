/*
 * exec_outer.c - leaks 1 block of 99 bytes from outer_leak(), then execs
 * argv[1] with the rest of argv. The exec'd image writes the dump (same pid);
 * outer_leak must not be in it.
 */
#include <stdlib.h>

#include "e2e.h"

NOINLINE static void *outer_leak(void) { void *p = malloc(99); NO_TAIL_CALL(); return p; }

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	e2e_sink = outer_leak();
	say("outer execs\n");
	execv(argv[1], argv + 1);
	say("execv failed\n");
	return 1;
}
