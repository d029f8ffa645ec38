/*
 * exit_race.c - threads that leave the process at the same time. Each mode
 * leaks one 32-byte block first, so every dump has exactly one record.
 *   two:  two threads call exit(7) together (a barrier releases them);
 *         exit status 7.
 *   main: main returns 3 while a worker calls exit(3) at the same moment;
 *         exit status 3.
 *   late: main returns 0; one of its exit handlers wakes a worker, which
 *         then calls exit(5). Under the preload the process ends with
 *         main's 0, the exit that came first (without it, glibc 2.36 lets
 *         the two race: 5 in about two runs of three here).
 *   underscore: two threads call _exit(9) together; exit status 9.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

static pthread_barrier_t go;
static int wake[2];
static int code;

static void *
exiter(void *arg)
{
	pthread_barrier_wait(&go);
	if (arg != NULL)
		_exit(code);
	exit(code);
}

static void *
late(void *arg)
{
	char c;

	(void)arg;
	if (read(wake[0], &c, 1) == 1)
		exit(5);
	return NULL;
}

static void
wake_worker(void)
{
	(void)!write(wake[1], "x", 1);
}

int
main(int argc, char **argv)
{
	pthread_t t[2];

	if (argc != 2)
		return 2;
	e2e_sink = malloc(32);
	e2e_sink = NULL;
	if (strcmp(argv[1], "two") == 0 || strcmp(argv[1], "underscore") == 0) {
		void *u = strcmp(argv[1], "underscore") == 0 ? (void *)1 : NULL;

		code = u != NULL ? 9 : 7;
		pthread_barrier_init(&go, NULL, 2);
		pthread_create(&t[0], NULL, exiter, u);
		pthread_create(&t[1], NULL, exiter, u);
		pthread_join(t[0], NULL);
		pthread_join(t[1], NULL);
		return 1;
	}
	if (strcmp(argv[1], "main") == 0) {
		code = 3;
		pthread_barrier_init(&go, NULL, 2);
		pthread_create(&t[0], NULL, exiter, NULL);
		pthread_barrier_wait(&go);
		return 3;
	}
	if (strcmp(argv[1], "late") == 0) {
		if (pipe(wake) != 0)
			return 2;
		pthread_create(&t[0], NULL, late, NULL);
		atexit(wake_worker);
		return 0;
	}
	return 2;
}
