/*
 * report_fork.c - both processes leak from leak_both() (parent 2 blocks of
 * 40 bytes, child 3 blocks of 40 bytes, after the fork); the child alone
 * also leaks 1 block of 13 bytes from child_only(). The parent waits for
 * the child, then exits with argv[1] as its status (default 0).
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "e2e.h"

NOINLINE static void
leak_both(int n)
{
	for (int i = 0; i < n; i++)
		e2e_sink = malloc(40);  /* MARK:leak_both */
	e2e_sink = NULL;
}

NOINLINE static void
child_only(void)
{
	e2e_sink = malloc(13);
	e2e_sink = NULL;
}

int
main(int argc, char **argv)
{
	int status, n = 3;
	pid_t pid = fork();

	if (pid < 0)
		return 100;
	if (pid > 0) {
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return 101;
		n = 2;
	}
	leak_both(n);   /* one call site: the same stack in both processes */
	if (pid == 0) {
		child_only();
		return 0;
	}
	return argc > 1 ? atoi(argv[1]) : 0;
}
