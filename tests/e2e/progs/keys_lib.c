/*
 * keys_lib.c - a library whose constructor, run by ld.so before libleak's,
 * creates 40 pthread keys before anything allocates, so the keys libleak
 * and libunwind create next are past 31: glibc keeps the values of keys
 * 32-63 in a per-thread array it callocs on the first pthread_setspecific
 * of such a key, and that first call is then libleak's own. Linked into
 * keys_past_32.c.
 */
#include <pthread.h>
#include <stdlib.h>

pthread_key_t keys_early[40];

__attribute__((constructor)) static void
keys_make(void)
{
	for (int i = 0; i < 40; i++)
		pthread_key_create(&keys_early[i], NULL);
	free(malloc(16));       /* libleak starts here, after the keys */
}
