/*
 * check_addrmap.c - addrmap.c: the direct map of live blocks against a
 * plain array model, its spills into the hash table, threads that share
 * map lines and granules, fork, mmap failure and memory per block.
 *
 * Random cases draw from one seed, taken from TEST_SEED or the clock; every
 * failure message names it, so `TEST_SEED=<n> build/tests/check_addrmap`
 * replays a run (the threaded case only up to scheduling).
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "track/addrmap.h"
#include "base/arena.h"
#include "seeded.h"

#define MAP_MAX_STACK (((stack_id_t)1 << 18) - 1) /* addrmap.c's */

/* What foreach reported, as a sorted-by-nothing list. */
struct seen {
	uintptr_t *addr;
	uint64_t *size;
	stack_id_t *stack;
	size_t n, cap;
	bool ordered; /* direct-mapped part came in address order */
	uintptr_t last;
};

static void
seen_one(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct seen *s = ctx;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->addr = realloc(s->addr, s->cap * sizeof(*s->addr));
		s->size = realloc(s->size, s->cap * sizeof(*s->size));
		s->stack = realloc(s->stack, s->cap * sizeof(*s->stack));
	}
	s->addr[s->n] = addr;
	s->size[s->n] = size;
	s->stack[s->n] = stack;
	s->n++;
}

static void
seen_free(struct seen *s)
{
	free(s->addr);
	free(s->size);
	free(s->stack);
}

START_TEST(insert_contains_remove)
{
	struct addrmap *m = addrmap_new();
	uint64_t size = 0;
	stack_id_t stack = 0;

	ck_assert_ptr_nonnull(m);
	ck_assert(!addrmap_contains(m, 0x555555560010));
	ck_assert(addrmap_insert(m, 0x555555560010, 24, 7));
	ck_assert(addrmap_insert(m, 0x555555560030, 0, 1)); /* next granule */
	ck_assert(addrmap_insert(m, 0x7f0000001000, 4095, MAP_MAX_STACK));
	ck_assert(addrmap_contains(m, 0x555555560010));
	ck_assert(!addrmap_contains(m, 0x555555560018)); /* same granule, other offset */
	ck_assert(addrmap_remove(m, 0x555555560010, &size, &stack));
	ck_assert_uint_eq(size, 24);
	ck_assert_uint_eq(stack, 7);
	ck_assert(!addrmap_remove(m, 0x555555560010, NULL, NULL));
	ck_assert(addrmap_remove(m, 0x555555560030, &size, &stack));
	ck_assert_uint_eq(size, 0);
	ck_assert_uint_eq(stack, 1);
	ck_assert(addrmap_remove(m, 0x7f0000001000, &size, &stack));
	ck_assert_uint_eq(size, 4095);
	ck_assert_uint_eq(stack, MAP_MAX_STACK);
	ck_assert_uint_eq(addrmap_spilled(m), 0);
}
END_TEST

/* Blocks the map cannot hold go to the table and come back from it. */
static const struct spill_case {
	uintptr_t a, b; /* b == 0: a alone */
	uint64_t size;
	stack_id_t stack;
	stack_id_t stored; /* what comes back */
} spills[] = {
	{ (uintptr_t)1 << 50, 0, 16, 3, 3 },                     /* above 47 bits */
	{ 0x10000, 0, (uint64_t)1 << 37, 4, 4 },                 /* size needs 38 bits */
	{ 0x18000, 0, 4096, 4, 4 },                              /* page-sized and up */
	{ 0x20000, 0x20008, 8, 5, 5 },                           /* one granule, 8 apart */
	{ 0x28000, 0x28010, 8, 5, 5 },                           /* one granule, 16 apart */
	{ 0x2c000, 0, 8, MAP_MAX_STACK + 1, MAP_MAX_STACK + 1 }, /* stack id over 18 bits */
	{ 0x30010, 0x30018, 8, 6, 6 },
	{ 0x40000, 0, 8, TABLE_MAX_STACK + 1, 0 }, /* stack id clamped, like table */
};

START_TEST(spill_and_back)
{
	const struct spill_case *c = &spills[_i];
	struct addrmap *m = addrmap_new();
	struct seen s = { 0 };
	uint64_t size;
	stack_id_t stack;

	ck_assert(addrmap_insert(m, c->a, c->size, c->stack));
	if (c->b != 0) {
		ck_assert(addrmap_insert(m, c->b, c->size + 1, c->stack + 1));
		ck_assert_uint_eq(addrmap_spilled(m), 1);
	}
	addrmap_foreach(m, seen_one, &s);
	ck_assert_uint_eq(s.n, c->b != 0 ? 2 : 1);
	ck_assert(addrmap_contains(m, c->a));
	if (c->b != 0) {
		/* the spilled one first: the map entry then is someone else's */
		ck_assert(addrmap_remove(m, c->b, &size, &stack));
		ck_assert_uint_eq(size, c->size + 1);
		ck_assert_uint_eq(stack, c->stack + 1);
		ck_assert(!addrmap_contains(m, c->b));
	}
	ck_assert(addrmap_remove(m, c->a, &size, &stack));
	ck_assert_uint_eq(size, c->size);
	ck_assert_uint_eq(stack, c->stored);
	ck_assert(!addrmap_contains(m, c->a));
	seen_free(&s);
	s = (struct seen){ 0 };
	addrmap_foreach(m, seen_one, &s);
	ck_assert_uint_eq(s.n, 0);
	seen_free(&s);
}
END_TEST

/* ---- against a model: random inserts and removes over addresses that
 * are dense (glibc-like, 32 apart), 8 apart (granule collisions), far
 * apart (several leaves) and above 47 bits. */

#define MODEL_N 60000

static uintptr_t
model_addr(uint32_t i)
{
	switch (i % 4) {
	case 0:
		return 0x555555554000 + (uintptr_t)(i / 4) * 32;
	case 1:
		return 0x7f1234560000 + (uintptr_t)(i / 4) * 8;
	case 2:
		return ((uintptr_t)(i / 4) << 29) + 0x1000;
	default:
		return ((uintptr_t)1 << 48) + (uintptr_t)(i / 4) * 16;
	}
}

/* The i with model_addr(i) == a: the four regions do not overlap. */
static size_t
model_index(uintptr_t a)
{
	if (a >= (uintptr_t)1 << 48)
		return (a - ((uintptr_t)1 << 48)) / 16 * 4 + 3;
	if (a >= 0x7f1234560000)
		return (a - 0x7f1234560000) / 8 * 4 + 1;
	if (a >= 0x555555554000)
		return (a - 0x555555554000) / 32 * 4;
	return (a >> 29) * 4 + 2;
}

START_TEST(model_random)
{
	struct addrmap *m = addrmap_new();
	static uint64_t size[MODEL_N];
	static stack_id_t stk[MODEL_N];
	static bool live[MODEL_N];
	uint64_t r = seed + (uint64_t)_i;
	size_t nlive = 0;

	for (size_t i = 0; i < MODEL_N; i++)
		live[i] = false;
	for (long op = 0; op < 400000; op++) {
		uint32_t i = (uint32_t)(rng_next(&r) % MODEL_N);
		uintptr_t a = model_addr(i);

		if (!live[i]) {
			size[i] = rng_next(&r) % 5000;
			stk[i] = (stack_id_t)(rng_next(&r) % 1000);
			ck_assert_msg(addrmap_insert(m, a, size[i], stk[i]),
			    SEEDED("insert %#lx", (unsigned long)a));
			live[i] = true;
			nlive++;
		} else {
			uint64_t sz;
			stack_id_t st;

			ck_assert_msg(addrmap_remove(m, a, &sz, &st),
			    SEEDED("remove %#lx", (unsigned long)a));
			ck_assert_msg(sz == size[i] && st == stk[i],
			    SEEDED("%#lx: %lu/%u", (unsigned long)a, (unsigned long)sz, st));
			live[i] = false;
			nlive--;
		}
		if (op % 997 == 0) {
			uint32_t j = (uint32_t)(rng_next(&r) % MODEL_N);

			ck_assert_msg(addrmap_contains(m, model_addr(j)) == live[j],
			    SEEDED("contains"));
		}
	}
	struct seen s = { 0 };
	addrmap_foreach(m, seen_one, &s);
	ck_assert_msg(s.n == nlive, SEEDED("foreach %zu, live %zu", s.n, nlive));
	/* each reported block is live with its own size and stack, once */
	static bool hit[MODEL_N];
	for (size_t i = 0; i < MODEL_N; i++)
		hit[i] = false;
	for (size_t k = 0; k < s.n; k++) {
		size_t i = model_index(s.addr[k]);

		ck_assert_msg(i < MODEL_N && model_addr((uint32_t)i) == s.addr[k] && live[i] &&
			!hit[i],
		    SEEDED("foreach gave %#lx", (unsigned long)s.addr[k]));
		ck_assert_msg(s.size[k] == size[i] && s.stack[k] == stk[i],
		    SEEDED("foreach fields"));
		hit[i] = true;
	}
	ck_assert_msg(addrmap_spilled(m) > 0, SEEDED("the 8-apart and high addresses spill"));
	seen_free(&s);
}
END_TEST

/* ---- threads: neighbours in one map line, inserted and removed by
 * different threads, with some blocks in the table at the same time. Two
 * threads never insert into one granule at once: glibc never has two live
 * blocks in one (the map's header, (c)); one thread's collisions are
 * spill_and_back's and model_random's. */

#define THREADS    4
#define PER_THREAD 200000

struct worker {
	struct addrmap *m;
	unsigned t;
	uint64_t left; /* blocks this thread leaves live */
};

static uintptr_t
thread_addr(unsigned t, uint32_t i)
{
	uintptr_t g = (uintptr_t)i * THREADS + t; /* the threads' granules interleave */

	if (i % 8 == 7)
		return ((uintptr_t)1 << 48) + g * 16; /* above 47 bits: the table */
	return 0x600000000000 + g * 32 + (t % 2) * 16;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	for (int round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < PER_THREAD; i++)
			if (!addrmap_insert(w->m, thread_addr(w->t, i), w->t + 1, i + 1))
				return "insert failed";
		for (uint32_t i = 0; i < PER_THREAD; i++) {
			uint64_t sz;
			stack_id_t st;

			if (round == 2 && i % 3 == 0)
				continue; /* stays live */
			if (!addrmap_remove(w->m, thread_addr(w->t, i), &sz, &st) ||
			    sz != w->t + 1 || st != i + 1)
				return "remove lost or mixed up a block";
		}
	}
	w->left = (PER_THREAD + 2) / 3;
	return NULL;
}

START_TEST(threads_share_lines_and_granules)
{
	struct addrmap *m = addrmap_new();
	struct worker w[THREADS];
	pthread_t th[THREADS];
	uint64_t want = 0;

	for (unsigned t = 0; t < THREADS; t++) {
		w[t] = (struct worker){ .m = m, .t = t };
		ck_assert_int_eq(pthread_create(&th[t], NULL, worker_run, &w[t]), 0);
	}
	for (unsigned t = 0; t < THREADS; t++) {
		void *res;

		ck_assert_int_eq(pthread_join(th[t], &res), 0);
		ck_assert_msg(res == NULL, "thread %u: %s", t, (const char *)res);
		want += w[t].left;
	}
	struct seen s = { 0 };
	addrmap_settle(m);
	addrmap_foreach(m, seen_one, &s);
	ck_assert_uint_eq(s.n, want);
	for (size_t k = 0; k < s.n; k++) {
		unsigned t = (unsigned)s.size[k] - 1;

		ck_assert(t < THREADS && s.addr[k] == thread_addr(t, s.stack[k] - 1));
	}
	ck_assert_uint_gt(addrmap_spilled(m), 0); /* the high addresses */
	seen_free(&s);
}
END_TEST

/* ---- fork: the child sees the parent's blocks and can go on. */

START_TEST(fork_child_keeps_blocks)
{
	struct addrmap *m = addrmap_new();

	for (uint32_t i = 0; i < 10000; i++)
		ck_assert(addrmap_insert(m, 0x500000000000 + (uintptr_t)i * 48, i, 1));
	ck_assert(addrmap_insert(m, 0x500000000008, 1, 2)); /* spilled */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct seen s = { 0 };
		size_t lost = addrmap_after_fork(m);

		addrmap_foreach(m, seen_one, &s);
		bool ok = lost == 0 && s.n == 10001 &&
		    addrmap_remove(m, 0x500000000008, NULL, NULL) &&
		    addrmap_insert(m, 0x400000000000, 5, 3) && addrmap_contains(m, 0x400000000000);
		_exit(ok ? 0 : 1);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert(!addrmap_contains(m, 0x400000000000)); /* the child's own */
}
END_TEST

/* ---- mmap failure: a leaf that cannot be mapped sends blocks to the
 * table; when the table cannot grow either, insert says false. */

START_TEST(mmap_fails_then_spills)
{
	struct addrmap *m = addrmap_new();
	uint32_t i;

	arena_set_fault(0);
	ck_assert(addrmap_insert(m, 0x300000000000, 8, 1)); /* its leaf fails: table */
	ck_assert_uint_eq(addrmap_spilled(m), 1);
	ck_assert(addrmap_contains(m, 0x300000000000));
	for (i = 1; i < 100000; i++)
		if (!addrmap_insert(m, 0x300000000000 + (uintptr_t)i * 32, 8, 1))
			break;
	ck_assert_msg(i < 100000, "the table took 100000 blocks without mapping memory");
	ck_assert(!addrmap_contains(m, 0x300000000000 + (uintptr_t)i * 32));
	arena_set_fault(-1);
	ck_assert(addrmap_insert(m, 0x300000000000 + (uintptr_t)i * 32, 8, 1));
	struct seen s = { 0 };
	addrmap_foreach(m, seen_one, &s);
	ck_assert_uint_eq(s.n, i + 1);
	seen_free(&s);
}
END_TEST

/* ---- memory: 1M blocks 64 bytes apart cost 8 bytes each (one 4-byte
 * entry per 32-byte granule), not the hash table's 32. */

START_TEST(memory_per_block)
{
	struct addrmap *m = addrmap_new();
	size_t before = addrmap_footprint(m);

	for (uint32_t i = 0; i < 1000000; i++)
		ck_assert(addrmap_insert(m, 0x560000000000 + (uintptr_t)i * 64, 40, 1));
	double per = (double)(addrmap_footprint(m) - before) / 1e6;
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "check_addrmap: %.2f bytes per block\n", per);
	ck_assert_msg(per >= 7.9 && per < 8.5, "%.2f bytes per block", per);
}
END_TEST

/* ---- the exit's copy: foreach_release visits what foreach does, then
 * the map's pages are back with the kernel and its blocks forgotten (the
 * spill table's kept); inserts work again afterwards. */

START_TEST(foreach_release_gives_the_pages_back)
{
	struct addrmap *m = addrmap_new();
	struct seen a = { 0 }, b = { 0 };
	size_t before = addrmap_footprint(m);
	const size_t n = 300000; /* 9.6 MB of heap: several 4 MB chunks of map */

	for (size_t i = 0; i < n; i++)
		ck_assert(addrmap_insert(m, 0x560000000000 + (uintptr_t)i * 32 * 33, 40, 1));
	ck_assert(addrmap_insert(m, 0x560000000008, 24, 2));   /* not 16-aligned: spilled */
	ck_assert(addrmap_insert(m, 0x570000000000, 8192, 3)); /* big: spilled */
	addrmap_foreach(m, seen_one, &a);
	ck_assert(addrmap_footprint(m) - before > n * 3);
	addrmap_foreach_release(m, seen_one, &b);
	ck_assert_uint_eq(b.n, n + 2);
	ck_assert_mem_eq(a.addr, b.addr, b.n * sizeof(*b.addr));
	ck_assert_mem_eq(a.size, b.size, b.n * sizeof(*b.size));
	ck_assert_mem_eq(a.stack, b.stack, b.n * sizeof(*b.stack));
	ck_assert_msg(addrmap_footprint(m) < before + (1u << 20),
	    "%zu bytes resident after the release (%zu before any block)", addrmap_footprint(m),
	    before);
	ck_assert(!addrmap_contains(m, 0x560000000000));
	ck_assert(!addrmap_remove(m, 0x560000000000 + 32 * 33, NULL, NULL));
	ck_assert(addrmap_contains(m, 0x560000000008));
	ck_assert(addrmap_contains(m, 0x570000000000));
	ck_assert(addrmap_insert(m, 0x560000000000, 16, 4));
	ck_assert(addrmap_contains(m, 0x560000000000));
	seen_free(&a);
	seen_free(&b);
}
END_TEST

static Suite *
addrmap_suite(void)
{
	Suite *s = suite_create("addrmap");
	TCase *tc = tcase_create("basic");
	tcase_add_test(tc, insert_contains_remove);
	tcase_add_loop_test(tc, spill_and_back, 0, sizeof(spills) / sizeof(spills[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, model_random, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, threads_share_lines_and_granules);
	tcase_add_test(tc, fork_child_keeps_blocks);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, mmap_fails_then_spills);
	tcase_add_test(tc, memory_per_block);
	tcase_add_test(tc, foreach_release_gives_the_pages_back);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return seeded_run(addrmap_suite(), "check_addrmap");
}
