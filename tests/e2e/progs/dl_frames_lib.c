/*
 * dl_frames_lib.c - a library built twice by stack_cache.sh, with
 * -DFRAME=1024 and -DFRAME=256: the same code, instruction for instruction,
 * but for the size of lib_alloc()'s frame, so that the two copies, loaded
 * one after the other at the same address, put the same return address
 * (lib_alloc's, into malloc's caller) in front of different frames.
 */
#include <stdlib.h>

#include "e2e.h"

#ifndef FRAME
#define FRAME 1024
#endif

NOINLINE void *
lib_alloc(size_t n)
{
	volatile char pad[FRAME];

	pad[0] = 1;
	void *p = malloc(n);
	pad[1] = 2;
	return (char *)p + (pad[0] - 1);
}
