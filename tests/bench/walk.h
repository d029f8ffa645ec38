/*
 * walk.h - distinct call paths for the benchmark workloads (paths, leakdump).
 *
 * WALK_DEFINE_STEPS() defines eight functions walk_step0..7 and a table of
 * pointers to them. walk_alloc(path) descends path->depth levels, at level i
 * calling walk_steps[path->digit[i]] through the pointer, and the innermost
 * level calls malloc(path->size). Two paths with different digit strings or
 * depths therefore reach malloc through different return addresses: a
 * different stack. Every step uses the callee's result before returning
 * (a volatile store), so -O2 cannot turn the calls into tail jumps and
 * flatten the stack. Header-only so each workload stays one file; included
 * by one .c file per program.
 */
#ifndef BENCH_WALK_H
#define BENCH_WALK_H

#include <stdint.h>
#include <stdlib.h>

#define WALK_MAX_DEPTH 60

struct walk_path {
	int depth;                      /* levels, 0..WALK_MAX_DEPTH */
	size_t size;                    /* bytes for the final malloc */
	unsigned char digit[WALK_MAX_DEPTH];    /* step at each level, 0..7 */
};

typedef void *(*walk_fn)(const struct walk_path *, int);

static volatile uintptr_t walk_sink;
static walk_fn walk_steps[8];

static void *
walk_alloc(const struct walk_path *p, int level)
{
	if (level >= p->depth)
		return malloc(p->size);
	return walk_steps[p->digit[level]](p, level + 1);
}

#define WALK_STEP(k)                                                            \
	static __attribute__((noinline)) void *                                 \
	walk_step##k(const struct walk_path *p, int level)                      \
	{                                                                       \
		void *r = walk_alloc(p, level);                                 \
		walk_sink = (uintptr_t)r ^ (uintptr_t)(k);                      \
		return r;                                                       \
	}

#define WALK_DEFINE_STEPS()                                                     \
	WALK_STEP(0) WALK_STEP(1) WALK_STEP(2) WALK_STEP(3)                     \
	WALK_STEP(4) WALK_STEP(5) WALK_STEP(6) WALK_STEP(7)                     \
	static void                                                             \
	walk_init(void)                                                         \
	{                                                                       \
		walk_fn f[8] = { walk_step0, walk_step1, walk_step2, walk_step3, \
			walk_step4, walk_step5, walk_step6, walk_step7 };       \
		for (int i = 0; i < 8; i++)                                     \
			walk_steps[i] = f[i];                                   \
	}

#endif
