/*
 * allocators.c - one leak through each C allocation entry point, each from a
 * function of its own, plus freed blocks that must not be reported.
 * Prints alignment checks and malloc_usable_size() of tracked blocks, which
 * must read the same with and without the preload.
 * Expected dump (function: blocks bytes):
 *   a_malloc 1 11, a_calloc 1 21, a_realloc_null 1 13, a_realloc_grow 1 4000,
 *   a_realloc_shrink 1 10, a_reallocarray 1 45, a_posix_memalign 1 33,
 *   a_aligned_alloc 1 256, a_memalign 1 40, a_valloc 1 300, a_pvalloc 1 8192
 *   (pvalloc(5000): two whole pages, as malloc_usable_size says);
 *   nothing from a_src_* or a_realloc_zero.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "e2e.h"

static void
report(const char *what, void *p, size_t align)
{
	say("%s: %s aligned=%d usable>=req=%d\n", what, p != NULL ? "ok" : "NULL",
	    align == 0 || (uintptr_t)p % align == 0, p != NULL);
	say("%s: usable %zu\n", what, p != NULL ? malloc_usable_size(p) : 0);
}

NOINLINE static void *a_malloc(void) { void *p = malloc(11); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_calloc(void) { void *p = calloc(3, 7); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_realloc_null(void) { void *p = realloc(NULL, 13); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_src_grow(void) { void *p = malloc(5); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_realloc_grow(void *old) { void *p = realloc(old, 4000); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_src_shrink(void) { void *p = malloc(1000); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_realloc_shrink(void *old) { void *p = realloc(old, 10); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_src_zero(void) { void *p = malloc(17); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_realloc_zero(void *old) { void *p = realloc(old, 0); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_reallocarray(void) { void *p = reallocarray(NULL, 5, 9); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_aligned_alloc(void) { void *p = aligned_alloc(128, 256); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_memalign(void) { void *p = memalign(32, 40); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_valloc(void) { void *p = valloc(300); NO_TAIL_CALL(); return p; }
NOINLINE static void *a_pvalloc(void) { void *p = pvalloc(5000); NO_TAIL_CALL(); return p; }

NOINLINE static void *
a_posix_memalign(void)
{
	void *p = NULL;

	return posix_memalign(&p, 64, 33) == 0 ? p : NULL;
}

static void *keep[16];

int
main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;
	int n = 0;

	report("malloc", keep[n++] = a_malloc(), 16);
	p = keep[n++] = a_calloc();
	report("calloc", p, 16);
	say("calloc zeroed: %d\n", p != NULL && ((char *)p)[0] == 0 && ((char *)p)[20] == 0);
	report("realloc_null", keep[n++] = a_realloc_null(), 16);
	report("realloc_grow", keep[n++] = a_realloc_grow(a_src_grow()), 16);
	report("realloc_shrink", keep[n++] = a_realloc_shrink(a_src_shrink()), 16);
	/* glibc frees the block and returns NULL for realloc(p, 0). */
	p = a_realloc_zero(a_src_zero());
	say("realloc_zero: %s\n", p == NULL ? "NULL" : "non-NULL");
	free(p);
	report("reallocarray", keep[n++] = a_reallocarray(), 16);
	report("posix_memalign", keep[n++] = a_posix_memalign(), 64);
	report("aligned_alloc", keep[n++] = a_aligned_alloc(), 128);
	report("memalign", keep[n++] = a_memalign(), 32);
	report("valloc", keep[n++] = a_valloc(), (size_t)page);
	report("pvalloc", keep[n++] = a_pvalloc(), (size_t)page);
	for (int i = 0; i < n; i++)
		keep[i] = NULL;
	say("allocators done\n");
	return 0;
}
