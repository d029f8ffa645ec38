/*
 * keys_past_32.c - pthread key values past key 31, where glibc keeps them
 * in a per-thread array: in the main thread and in a thread whose array was
 * made by libleak's own first pthread_setspecific (keys_lib.c made libleak's
 * keys the 41st and on), and in a thread that set such a key itself before
 * allocating anything (its array is the program's). Each holds a 64-byte
 * block only in key 35 (36 in the last thread); the threads stay alive
 * until exit. Expected: nothing lost; reachable, besides the ld.so blocks:
 * the three values and the last thread's own array, 4 blocks, 704 bytes.
 * (Valgrind counts the other two arrays too: 6 blocks, 1728 bytes.)
 */
#include <pthread.h>
#include <stdlib.h>

#include "e2e.h"

extern pthread_key_t keys_early[40];
static char marker;

static void *
after(void *arg)
{
	(void)arg;
	pthread_setspecific(keys_early[35], malloc(64));
	e2e_park();
	return NULL;
}

static void *
before(void *arg)
{
	(void)arg;
	pthread_setspecific(keys_early[35], &marker);   /* glibc's calloc: the program's */
	pthread_setspecific(keys_early[36], malloc(64));
	e2e_park();
	return NULL;
}

int
main(void)
{
	pthread_setspecific(keys_early[35], malloc(64));
	if (e2e_start_parked(after) != 0 || e2e_start_parked(before) != 0)
		return 1;
	say("keys set\n");
	return 0;
}
