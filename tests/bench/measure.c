/*
 * measure.c - run one command and print its wall time, peak RSS and status.
 *
 * Usage: measure -o RESULT -- PROG [ARG...]
 * Writes one line to the file RESULT: "<wall seconds> <peak RSS KiB> <status>", where
 * status is "ok" (exit 0), "exit:N" or "signal:N". The wall time is
 * CLOCK_MONOTONIC from just before fork() to the end of wait4(); the peak RSS
 * is wait4()'s ru_maxrss, the largest resident set of the child or of any
 * descendant it waited for (so heaptrack's wrapper script and the program it
 * starts both count). The child inherits measure's stdin, stdout and stderr,
 * which the caller redirects; RESULT is created before the child starts, so
 * an unwritable RESULT costs no run.
 * Called by scripts/bench for every timed run.
 * Exit status: 0 the line was written (whatever the child did), 2 usage
 * error, RESULT not writable, or the child could not be started (one line on
 * stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The child: exec, or report the failure and exit 127 as a shell does; the
 * parent turns that into exit:127. */
static void
run_child(char **argv, FILE *result)
{
	fclose(result);
	execvp(argv[0], argv);
	fprintf(stderr, "measure: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *result;
	double t0;
	double t1;
	pid_t pid;
	int st;

	if (argc < 5 || strcmp(argv[1], "-o") != 0 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "measure: usage: measure -o RESULT -- PROG [ARG...]\n");
		return 2;
	}
	result = fopen(argv[2], "we");
	if (result == NULL) {
		fprintf(stderr, "measure: cannot create '%s': %s\n", argv[2], strerror(errno));
		return 2;
	}
	t0 = now_seconds();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "measure: fork: %s\n", strerror(errno));
		goto out_close;
	}
	if (pid == 0)
		run_child(argv + 4, result);
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
			goto out_close;
		}
	}
	t1 = now_seconds();
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		fprintf(result, "%.4f %ld ok\n", t1 - t0, ru.ru_maxrss);
	else if (WIFEXITED(st))
		fprintf(result, "%.4f %ld exit:%d\n", t1 - t0, ru.ru_maxrss, WEXITSTATUS(st));
	else
		fprintf(result, "%.4f %ld signal:%d\n", t1 - t0, ru.ru_maxrss, WTERMSIG(st));
	if (fclose(result) != 0) {
		fprintf(stderr, "measure: cannot write '%s': %s\n", argv[2], strerror(errno));
		return 2;
	}
	return 0;

out_close:
	fclose(result);
	return 2;
}
