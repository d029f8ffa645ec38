/*
 * preinit_lib.c - a library linked into pre_free.c whose constructor
 * allocates blocks that may predate tracking; pre_free frees them all.
 */
#include <stdlib.h>

void *preinit_blocks[3];

__attribute__((constructor)) static void
preinit_alloc(void)
{
	preinit_blocks[0] = malloc(40);
	preinit_blocks[1] = calloc(2, 30);
	preinit_blocks[2] = malloc(5000);
}
