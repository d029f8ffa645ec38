/*
 * stack_paths.c - allocations from deep, varied and recursive call paths,
 * for the stack cache's differential test: the same call sites reached at
 * different depths, through function pointers, through frames whose size
 * is only known at run time (alloca), and from two threads. Frees about
 * half of what it allocates. Prints a checksum so runs can be compared.
 */
#include <alloca.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

typedef void *(*step_fn)(unsigned, unsigned);

static void *step_a(unsigned depth, unsigned seed);
static void *step_b(unsigned depth, unsigned seed);
static void *step_c(unsigned depth, unsigned seed);
static void *step_vla(unsigned depth, unsigned seed);

static step_fn steps[] = { step_a, step_b, step_c, step_vla };

NOINLINE static void *
leaf(unsigned seed)
{
	void *p = malloc(16 + seed % 200);

	memset(p, (int)seed, 16);
	return p;
}

NOINLINE static void *
next(unsigned depth, unsigned seed)
{
	if (depth == 0)
		return leaf(seed);
	return steps[(seed >> (depth % 16)) % 4](depth - 1, seed * 1103515245u + 12345u);
}

NOINLINE static void *
step_a(unsigned depth, unsigned seed)
{
	volatile char pad[24];

	pad[0] = (char)seed;
	return next(depth, seed ^ (unsigned)pad[0]);
}

NOINLINE static void *
step_b(unsigned depth, unsigned seed)
{
	volatile char pad[200];

	pad[3] = (char)depth;
	void *p = next(depth, seed + 7);
	return pad[3] >= 0 ? p : NULL;
}

NOINLINE static void *
step_c(unsigned depth, unsigned seed)
{
	return next(depth, seed * 3 + 1);
}

/* A frame sized at run time: the distance to its caller's slot varies. */
NOINLINE static void *
step_vla(unsigned depth, unsigned seed)
{
	size_t n = 16 + (seed % 7) * 64;
	volatile char *buf = alloca(n);

	buf[n - 1] = 1;
	return next(depth, seed + (unsigned)buf[n - 1]);
}

static void *
worker(void *arg)
{
	unsigned seed = (unsigned)(size_t)arg;
	unsigned long sum = 0;
	void *keep[64] = { 0 };

	for (unsigned i = 0; i < 20000; i++) {
		seed = seed * 1664525u + 1013904223u;
		/* Few distinct paths repeat often (loops), the rest vary. */
		unsigned depth = (i % 3 == 0) ? 5 : 1 + seed % 40;
		void *p = next(depth, (i % 3 == 0) ? 42 : seed);
		unsigned k = seed % 64;

		sum += (unsigned char)*(char *)p;
		free(keep[k]);
		keep[k] = p;
	}
	for (unsigned k = 0; k < 64; k += 2)
		free(keep[k]);
	return (void *)sum;
}

int
main(void)
{
	pthread_t t;
	void *a;
	void *b;

	pthread_create(&t, NULL, worker, (void *)7);
	b = worker((void *)11);
	pthread_join(t, &a);
	printf("checksum %lu\n", (unsigned long)a + (unsigned long)b);
	return 0;
}
