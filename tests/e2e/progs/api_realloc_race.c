/* api_realloc_race.c - leak_check_now() while another thread reallocs the
 * only block that points to a child: a check that stops the thread inside
 * realloc (the block out of the map, its successor not yet in) must still
 * see the child as reachable. Blocks of 64 KiB and 96 KiB, below glibc's
 * mmap threshold, with a small block allocated after each so that realloc
 * cannot grow in place: it copies, and the window is the copy. Prints
 * "lost 0" when no check found the child lost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "libleak.h"

#define CHECKS 150

static void **volatile hold; /* the one pointer to the moving block */
static atomic_int stop;

NOINLINE static void *
child(void)
{
	void *p = malloc(40);

	NO_TAIL_CALL();
	return p;
}

static void *
mover(void *arg)
{
	size_t n = 0;
	void *fence = NULL;

	(void)arg;
	while (!atomic_load(&stop)) {
		size_t size = (n++ & 1) ? (96 << 10) : (64 << 10);
		void **q = realloc(hold, size);

		if (q != NULL)
			hold = q;
		free(fence);
		fence = malloc(32); /* after the block: the next realloc moves it */
	}
	free(fence);
	return NULL;
}

int
main(void)
{
	pthread_t th;
	int lost = 0;

	hold = malloc(64 << 10);
	memset(hold, 0, 64 << 10);
	hold[0] = child();
	pthread_create(&th, NULL, mover, NULL);
	for (int i = 0; i < CHECKS; i++) {
		int n = leak_check_now();

		if (n > 0)
			lost += n;
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	free(hold[0]);
	free(hold);
	say("lost %d\n", lost);
	return 0;
}
