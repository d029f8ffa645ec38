/*
 * res_fork.c - descriptors across fork and exec. The parent leaks one
 * (parent_open), forks; the child leaks its own (child_open) and exits;
 * the parent waits, then execs itself with "exec" after leaking another
 * (pre_exec_open, not O_CLOEXEC) and one with O_CLOEXEC; the new image
 * leaks image_open. Each dump must list only what its own process (image)
 * opened: the child not the parent's, the new image not the old one's.
 * Prints "pid ROLE PID" and "fd NAME N" lines.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

static NOINLINE int
parent_open(void)
{
	int fd = open("/dev/null", O_RDONLY);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
child_open(void)
{
	int fd = open("/dev/zero", O_RDONLY);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
pre_exec_open(int flags)
{
	int fd = open("/dev/null", O_RDONLY | flags);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
image_open(void)
{
	int fd = open("/dev/zero", O_RDONLY);
	NO_TAIL_CALL();
	return fd;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		say("pid image %d\n", (int)getpid());
		say("fd image %d\n", image_open());
		return 0;
	}
	say("pid parent %d\n", (int)getpid());
	say("fd parent %d\n", parent_open());
	pid_t pid = fork();

	if (pid == 0) {
		say("pid child %d\n", (int)getpid());
		say("fd child %d\n", child_open());
		return 0;
	}
	waitpid(pid, NULL, 0);
	say("fd pre_exec %d\n", pre_exec_open(0));
	say("fd pre_exec_cloexec %d\n", pre_exec_open(O_CLOEXEC));
	execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
	return 1;
}
