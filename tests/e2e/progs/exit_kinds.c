/*
 * exit_kinds.c - leaks 1 block of 55 bytes from leak_before_exit(), then
 * ends with status 9 the way argv[1] says: return, exit, _exit or _Exit.
 * Expected: status 9 and a dump with leak_before_exit 1 55 in every case.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

NOINLINE static void *leak_before_exit(void) { void *p = malloc(55); NO_TAIL_CALL(); return p; }

int
main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "return";

	e2e_sink = leak_before_exit();
	e2e_sink = NULL;
	say("ending with %s\n", how);
	if (strcmp(how, "exit") == 0)
		exit(9);
	if (strcmp(how, "_exit") == 0)
		_exit(9);
	if (strcmp(how, "_Exit") == 0)
		_Exit(9);
	return 9;
}
