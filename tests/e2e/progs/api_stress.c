/* api_stress.c - leak_check_now() while other threads allocate and free:
 * each round leaks exactly LEAKS blocks from leak_known(), and every check
 * must report exactly those as new, whatever the workers were doing when
 * the world stopped. Prints "ok ROUNDS" or the first round that differed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "libleak.h"

#define WORKERS 3
#define SLOTS   256
#define LEAKS   3
#define ROUNDS  25

static void *slots[WORKERS][SLOTS]; /* every worker block is held here */
static atomic_int stop;

static void *
worker(void *arg)
{
	long w = (long)arg;
	unsigned x = (unsigned)w * 2654435761u + 1;

	while (!atomic_load(&stop)) {
		x = x * 1103515245u + 12345u;
		unsigned i = (x >> 8) % SLOTS;
		void *old = slots[w][i];

		if (old != NULL) {
			slots[w][i] = NULL;
			free(old);
		} else {
			void **p = malloc(16 + (x >> 20) % 200);

			if ((x & 7) == 0)
				p = realloc(p, 16 + (x >> 12) % 300);

			p[0] = slots[w][(i + 1) % SLOTS]; /* blocks point at blocks */
			slots[w][i] = p;
		}
	}
	return NULL;
}

NOINLINE static void
leak_known(void)
{
	for (int i = 0; i < LEAKS; i++)
		memset(malloc(40), 0x11, 40);
	NO_TAIL_CALL();
}

int
main(void)
{
	pthread_t th[WORKERS];

	for (long w = 0; w < WORKERS; w++)
		pthread_create(&th[w], NULL, worker, (void *)w);
	for (int r = 0; r < ROUNDS; r++) {
		leak_known();
		int n = leak_check_now();

		if (n != LEAKS && n != -1) {
			say("round %d: %d new\n", r, n);
			atomic_store(&stop, 1);
			for (int w = 0; w < WORKERS; w++)
				pthread_join(th[w], NULL);
			return 1;
		}
	}
	atomic_store(&stop, 1);
	for (int w = 0; w < WORKERS; w++)
		pthread_join(th[w], NULL);
	say("ok %d\n", ROUNDS);
	return 0;
}
