/*
 * fork.c - before_fork() leaks 1 block of 11 bytes; after fork() the child
 * leaks 2 blocks of 22 from child_leak() and exits 0, the parent waits,
 * leaks 3 blocks of 33 from parent_leak() and exits with the child's status.
 * The child's pid is written to the file argv[1], not to stdout, so that
 * stdout is the same in every run.
 * Expected: parent dump before_fork 1 11 + parent_leak 3 99; child dump
 * (pid = child, ppid = parent) before_fork 1 11 + child_leak 2 44.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "e2e.h"

NOINLINE static void *before_fork(void) { void *p = malloc(11); NO_TAIL_CALL(); return p; }
NOINLINE static void *child_leak(void) { void *p = malloc(22); NO_TAIL_CALL(); return p; }
NOINLINE static void *parent_leak(void) { void *p = malloc(33); NO_TAIL_CALL(); return p; }

int
main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc != 2)
		return 2;
	e2e_sink = before_fork();
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (int i = 0; i < 2; i++)
			e2e_sink = child_leak();
		e2e_sink = NULL;
		say("child done\n");
		return 0;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	for (int i = 0; i < 3; i++)
		e2e_sink = parent_leak();
	e2e_sink = NULL;
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (write(fd, buf, (size_t)n) != n)
		return 1;
	close(fd);
	say("parent done, child status %d\n", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}
