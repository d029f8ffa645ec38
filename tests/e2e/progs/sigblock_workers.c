/*
 * sigblock_workers.c - worker threads that block every signal, as
 * liblzma's and many thread pools' do, still running at exit.
 *
 * Each of two workers blocks all signals (pthread_sigmask), makes and frees
 * 1,000 blocks, leaks one 40-byte block from held_leak() (no pointer kept),
 * keeps the only pointer to a 72-byte block from held_block() in a volatile
 * local, and parks in read() on a pipe nobody writes; main returns once
 * /proc says both sit in read() (a worker still running between its last
 * write and the read would have no system call to take a stack from).
 * Expected under libleak: the exit scan does not wait for the workers (they
 * could never take its stop signal); their stacks are scanned from the
 * stack pointer of the read() they sit in, so the 72-byte blocks are
 * reachable (2 blocks, 144 bytes) and the 40-byte ones definite (2, 80).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static int started[2];
static pid_t tids[2];
static int ntids;
static pthread_mutex_t tid_lock = PTHREAD_MUTEX_INITIALIZER;
static void *volatile last; /* a store after malloc: no tail call at -O2 */

static __attribute__((noinline)) void *
held_leak(void)
{
	void *p = malloc(40);

	last = NULL;
	return p;
}

static __attribute__((noinline)) void *
held_block(void)
{
	void *p = malloc(72);

	last = NULL;
	return p;
}

static void *
worker(void *arg)
{
	sigset_t all;
	char c;

	(void)arg;
	pthread_mutex_lock(&tid_lock);
	tids[ntids++] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_unlock(&tid_lock);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (int i = 0; i < 1000; i++)
		free(malloc(16 + (size_t)i % 100));
	char *volatile leak = held_leak();
	leak[0] = 1;
	leak = NULL;
	char *volatile held = held_block();
	held[0] = 1;
	if (write(started[1], "r", 1) != 1)
		return NULL;
	while (read(e2e_never[0], &c, 1) != 0)
		; /* nobody writes: blocks until the process exits */
	return (void *)held;
}

/* True once thread tid sits in read() (system call 0 on x86_64). */
static int
in_read(pid_t tid)
{
	char path[64], buf[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 2 && buf[0] == '0' && buf[1] == ' ';
}

int
main(void)
{
	pthread_t t;
	char c;

	if (pipe(e2e_never) != 0 || pipe(started) != 0)
		return 1;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, worker, NULL) != 0)
			return 1;
	for (int i = 0; i < 2; i++)
		if (read(started[0], &c, 1) != 1)
			return 1;
	for (int tries = 0; tries < 5000 && !(in_read(tids[0]) && in_read(tids[1])); tries++) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	say("workers parked\n");
	return 0;
}
