/*
 * spawn.c - the start-up cost per process: runs itself as a child that
 * exits at once, SPAWNS times, one after the other (a test suite starts
 * hundreds of short processes). With LD_PRELOAD inherited, every child
 * pays the preload's start-up; with LEAK_ONLY naming nothing, that is the
 * one check an untracked process costs.
 */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#define SPAWNS 1000

extern char **environ;

int
main(int argc, char **argv)
{
	char *child[] = { argv[0], "child", NULL };

	if (argc == 2 && strcmp(argv[1], "child") == 0)
		return 0;
	for (int i = 0; i < SPAWNS; i++) {
		pid_t pid;
		int st;

		if (posix_spawn(&pid, argv[0], NULL, NULL, child, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawn: child %d failed\n", i);
			return 1;
		}
	}
	return 0;
}
