/*
 * check_stacks.c - stacks.c: the stack depot's ids (deduplicated, small,
 * starting at 1), stacks_get() against a model, eight threads interning
 * overlapping sets, and mmap failure.
 *
 * The seed comes from TEST_SEED or the clock; failure messages name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "track/stacks.h"
#include "seeded.h"

#define MAX_FRAMES 256

/* True when id holds exactly pcs[0..n). */
static bool
holds(struct stacks *d, stack_id_t id, const uintptr_t *pcs, unsigned n)
{
	unsigned got = 0;
	const uintptr_t *p = stacks_get(d, id, &got);

	return p != NULL && got == n && memcmp(p, pcs, n * sizeof(*pcs)) == 0;
}

/* ---- basic contract */

START_TEST(same_stack_same_id)
{
	struct stacks *d = stacks_new();
	uintptr_t a[] = { 0x401000, 0x401234, 0x7f0000001000 };
	uintptr_t a2[] = { 0x401000, 0x401234, 0x7f0000001000 }; /* equal, not the same array */

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(stacks_limit(d), 1);
	stack_id_t id = stacks_intern(d, a, 3);

	ck_assert_uint_eq(id, 1);
	ck_assert_uint_eq(stacks_intern(d, a, 3), 1);
	ck_assert_uint_eq(stacks_intern(d, a2, 3), 1);
	ck_assert_uint_eq(stacks_limit(d), 2);
	ck_assert(holds(d, 1, a, 3));
}
END_TEST

START_TEST(different_stacks_different_ids)
{
	struct stacks *d = stacks_new();
	uintptr_t base[] = { 10, 20, 30, 40 };
	uintptr_t reorder[] = { 20, 10, 30, 40 };
	uintptr_t last[] = { 10, 20, 30, 41 };
	struct {
		const uintptr_t *pcs;
		unsigned n;
	} v[] = {
		{ base, 4 },
		{ base, 3 },
		{ base, 1 },
		{ reorder, 4 },
		{ last, 4 },
		{ base + 1, 3 },
	};
	stack_id_t ids[6];

	for (unsigned i = 0; i < 6; i++) {
		ids[i] = stacks_intern(d, v[i].pcs, v[i].n);
		ck_assert_uint_eq(ids[i], i + 1); /* one thread: dense from 1 */
	}
	for (unsigned i = 0; i < 6; i++) {
		ck_assert_uint_eq(stacks_intern(d, v[i].pcs, v[i].n), ids[i]);
		ck_assert_msg(holds(d, ids[i], v[i].pcs, v[i].n), "id %u", ids[i]);
	}
	ck_assert_uint_eq(stacks_limit(d), 7);
}
END_TEST

START_TEST(edges)
{
	struct stacks *d = stacks_new();
	uintptr_t pcs[MAX_FRAMES];
	unsigned n = 99;

	for (unsigned i = 0; i < MAX_FRAMES; i++)
		pcs[i] = 0x400000 + i * 0x10;
	ck_assert_uint_eq(stacks_intern(d, pcs, 0), 0);
	ck_assert_uint_eq(stacks_limit(d), 1); /* n == 0 uses no id */
	ck_assert_ptr_null(stacks_get(d, 0, &n));
	ck_assert_ptr_null(stacks_get(d, 1, &n)); /* not yet handed out */
	ck_assert_ptr_null(stacks_get(d, UINT32_MAX, &n));
	ck_assert_uint_eq(n, 99);
	stack_id_t full = stacks_intern(d, pcs, MAX_FRAMES);
	stack_id_t one = stacks_intern(d, pcs, 1);

	ck_assert_uint_eq(full, 1);
	ck_assert_uint_eq(one, 2);
	ck_assert(holds(d, full, pcs, MAX_FRAMES));
	ck_assert(holds(d, one, pcs, 1));
	ck_assert_ptr_null(stacks_get(d, stacks_limit(d), &n));
	/* frames that look like the table's key tags are ordinary frames */
	uintptr_t odd[] = { 0, 1, 2, UINTPTR_MAX };

	ck_assert_uint_eq(stacks_intern(d, odd, 4), 3);
	ck_assert(holds(d, 3, odd, 4));
}
END_TEST

/* ---- against a model: a pool of stacks sharing prefixes and frames */

#define POOL        6000
#define POOL_FRAMES 24

struct pool {
	uintptr_t pcs[POOL][POOL_FRAMES];
	unsigned n[POOL];
};

/* Stack k: frames from a small alphabet, many sharing prefixes; distinct
 * by construction (the last frame encodes k). */
static void
pool_fill(struct pool *p, uint64_t rng)
{
	for (unsigned k = 0; k < POOL; k++) {
		unsigned n = 1 + (unsigned)(rng_next(&rng) % POOL_FRAMES);

		for (unsigned i = 0; i + 1 < n; i++)
			p->pcs[k][i] = 0x400000 + (rng_next(&rng) % 4) * 0x40 + i;
		p->pcs[k][n - 1] = 0x7f0000000000 + (uintptr_t)k * 8;
		p->n[k] = n;
	}
}

START_TEST(model_single_thread)
{
	static struct pool p;
	static stack_id_t model[POOL]; /* 0: not interned yet */
	struct stacks *d = stacks_new();
	uint64_t rng = seed + (uint64_t)_i;
	stack_id_t next = 1;

	memset(model, 0, sizeof(model));
	pool_fill(&p, rng);
	for (unsigned op = 0; op < 40000; op++) {
		unsigned k = (unsigned)(rng_next(&rng) % POOL);
		stack_id_t id = stacks_intern(d, p.pcs[k], p.n[k]);

		if (model[k] == 0)
			model[k] = next++;
		ck_assert_msg(id == model[k],
		    SEEDED("stack %u: id %u, expected %u", k, id, model[k]));
		ck_assert_msg(stacks_limit(d) == next,
		    SEEDED("limit %u, expected %u", stacks_limit(d), next));
	}
	for (unsigned k = 0; k < POOL; k++)
		if (model[k] != 0)
			ck_assert_msg(holds(d, model[k], p.pcs[k], p.n[k]),
			    SEEDED("stack %u id %u frames differ", k, model[k]));
}
END_TEST

/* ---- threads
 *
 * Thread w interns stacks [w * SHIFT, w * SHIFT + PER_THREAD) of a shared
 * pool, so neighbours overlap by most of their sets, all in the same order
 * (the most races), then again in a random order. Each checks right away
 * that stacks_get() of the id it got returns the stack.
 */
#define NTHREADS   8
#define PER_THREAD 5000
#define SHIFT      125

struct interner {
	pthread_t tid;
	unsigned id;
	struct stacks *d;
	const struct pool *p;
	uint64_t rng;
	stack_id_t got[PER_THREAD]; /* id of stack id*SHIFT + k */
	unsigned long disagree;     /* the second pass gave another id */
	unsigned long zero;         /* stacks_intern() returned 0 */
	unsigned long get_wrong;    /* stacks_get() right after was not the stack */
};

static void *
interner_run(void *arg)
{
	struct interner *w = arg;
	const struct pool *p = w->p;

	for (unsigned k = 0; k < PER_THREAD; k++) {
		unsigned s = w->id * SHIFT + k;
		stack_id_t id = stacks_intern(w->d, p->pcs[s], p->n[s]);

		w->got[k] = id;
		w->zero += id == 0;
		w->get_wrong += id != 0 && !holds(w->d, id, p->pcs[s], p->n[s]);
	}
	for (unsigned r = 0; r < PER_THREAD; r++) {
		unsigned k = (unsigned)(rng_next(&w->rng) % PER_THREAD);
		unsigned s = w->id * SHIFT + k;

		w->disagree += stacks_intern(w->d, p->pcs[s], p->n[s]) != w->got[k];
	}
	return NULL;
}

static void
interners_run(struct stacks *d, struct interner *ws, const struct pool *p)
{
	for (unsigned w = 0; w < NTHREADS; w++) {
		ws[w].id = w;
		ws[w].d = d;
		ws[w].p = p;
		ws[w].rng = seed * 17 + w;
		ck_assert_int_eq(pthread_create(&ws[w].tid, NULL, interner_run, &ws[w]), 0);
	}
	for (unsigned w = 0; w < NTHREADS; w++)
		ck_assert_int_eq(pthread_join(ws[w].tid, NULL), 0);
}

START_TEST(threads_agree)
{
	static struct pool p;
	static struct interner ws[NTHREADS];
	static stack_id_t id_of[POOL];
	static unsigned owner[1u << 20]; /* id -> stack + 1 */
	struct stacks *d = stacks_new();
	unsigned distinct = 0;

	memset(ws, 0, sizeof(ws));
	memset(id_of, 0, sizeof(id_of));
	memset(owner, 0, sizeof(owner));
	pool_fill(&p, seed + 1000 * (uint64_t)_i);
	interners_run(d, ws, &p);
	stack_id_t limit = stacks_limit(d);

	for (unsigned w = 0; w < NTHREADS; w++) {
		ck_assert_msg(ws[w].zero == 0 && ws[w].disagree == 0,
		    SEEDED("thread %u: %lu ids 0, %lu second-pass ids differ", w, ws[w].zero,
			ws[w].disagree));
		for (unsigned k = 0; k < PER_THREAD; k++) {
			unsigned s = w * SHIFT + k;
			stack_id_t id = ws[w].got[k];

			ck_assert_msg(id < limit && id < (1u << 20),
			    SEEDED("id %u, limit %u", id, limit));
			if (id_of[s] == 0) {
				id_of[s] = id;
				distinct++;
			}
			ck_assert_msg(id_of[s] == id,
			    SEEDED("stack %u: thread %u got id %u, another "
				   "thread %u",
				s, w, id, id_of[s]));
			ck_assert_msg(owner[id] == 0 || owner[id] == s + 1,
			    SEEDED("id %u given to stacks %u and %u", id, owner[id] - 1, s));
			owner[id] = s + 1;
			ck_assert_msg(holds(d, id, p.pcs[s], p.n[s]),
			    SEEDED("stacks_get(%u) is not "
				   "stack %u",
				id, s));
		}
	}
	ck_assert_uint_eq(distinct, (NTHREADS - 1) * SHIFT + PER_THREAD);
	/* ids stay small: a lost race skips at most one id per thread */
	ck_assert_msg(limit - 1 <= distinct * NTHREADS, "limit %u for %u stacks", limit, distinct);
	ck_assert_msg(limit - 1 >= distinct, "limit %u for %u stacks", limit, distinct);
	/* ids no stack won read as absent */
	for (stack_id_t id = 1; id < limit; id++) {
		unsigned n = 0;

		if (owner[id] == 0)
			ck_assert_msg(stacks_get(d, id, &n) == NULL, "skipped id %u has frames",
			    id);
	}
}
END_TEST

/* stacks_get() of an id just returned by stacks_intern() on this thread,
 * while other threads intern the same stacks: the id must be usable at
 * once (the dump may read it as soon as a block carries it). */
START_TEST(threads_get_right_after_intern)
{
	static struct pool p;
	static struct interner ws[NTHREADS];
	unsigned long wrong = 0;

	for (int round = 0; round < 4 && wrong == 0; round++) {
		struct stacks *d = stacks_new();

		memset(ws, 0, sizeof(ws));
		pool_fill(&p, seed + (uint64_t)round);
		interners_run(d, ws, &p);
		for (unsigned w = 0; w < NTHREADS; w++)
			wrong += ws[w].get_wrong;
	}
	ck_assert_msg(wrong == 0,
	    SEEDED("%lu ids had no frames (or others) right after "
		   "stacks_intern() returned them",
		wrong));
}
END_TEST

/* ---- mmap failure */

/* Every nonzero id handed out while mmap fails can be read back. */
START_TEST(mmap_fails_ids_stay_readable)
{
	struct stacks *d = stacks_new();
	uintptr_t pcs[4] = { 1, 2, 3, 0 };
	unsigned zeros = 0;
	unsigned unreadable = 0;
	unsigned first_bad = 0;

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(stacks_intern(d, pcs, 3), 1);
	arena_set_fault(0);
	for (unsigned k = 0; k < 20000; k++) {
		pcs[3] = 0x1000 + k;
		stack_id_t id = stacks_intern(d, pcs, 4);

		if (id == 0) {
			zeros++;
		} else if (!holds(d, id, pcs, 4)) {
			if (unreadable++ == 0)
				first_bad = id;
		}
	}
	arena_set_fault(-1);
	ck_assert_msg(zeros > 0, "interning never failed without mmap");
	ck_assert_msg(unreadable == 0, "%u ids returned without frames, the first %u", unreadable,
	    first_bad);
	/* stacks interned before the failure are still there */
	ck_assert(holds(d, 1, pcs, 3));
}
END_TEST

START_TEST(mmap_fails_at_once)
{
	arena_set_fault(0);
	ck_assert_ptr_null(stacks_new());
	arena_set_fault(1); /* the depot, not its buckets */
	ck_assert_ptr_null(stacks_new());
	arena_set_fault(-1);
}
END_TEST

static Suite *
stacks_suite(void)
{
	Suite *s = suite_create("stacks");
	TCase *tc = tcase_create("basic");

	tcase_add_test(tc, same_stack_same_id);
	tcase_add_test(tc, different_stacks_different_ids);
	tcase_add_test(tc, edges);
	tcase_add_loop_test(tc, model_single_thread, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, threads_agree, 0, 3);
	tcase_add_test(tc, threads_get_right_after_intern);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault");
	tcase_add_test(tc, mmap_fails_ids_stay_readable);
	tcase_add_test(tc, mmap_fails_at_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(stacks_suite(), "check_stacks");
}
