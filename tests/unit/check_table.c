/*
 * check_table.c - table.c: the lock-free live-block table against a plain
 * array model, its growth and memory use, threads, fork and mmap failure.
 *
 * Random cases draw from one seed, taken from TEST_SEED or the clock; every
 * failure message names it, so `TEST_SEED=<n> build/tests/check_table`
 * replays a run (the threaded cases only up to scheduling). TEST_VERBOSE=1
 * prints the measured bytes per live block.
 *
 * Over 500 lines: one suite per module, and each case needs its own model.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "track/table.h"
#include "seeded.h"

/* ---- helpers shared by the cases */

/* The i-th fresh address of a run: 16-aligned, distinct for distinct
 * i < 2^32 (xor and an odd multiplier are bijections), scattered. */
static uintptr_t
addr_of(uint32_t i)
{
	uint32_t b = (i ^ (uint32_t)seed) * 2654435761u;

	return ((uintptr_t)1 << 44) + ((uintptr_t)b << 4);
}

static uint64_t
size_for(uintptr_t a)
{
	uint64_t s = a >> 4;

	return (rng_next(&s) & 0xfffff) + 1;
}

static stack_id_t
stack_for(uintptr_t a)
{
	uint64_t s = a;

	return (stack_id_t)(rng_next(&s) & TABLE_MAX_STACK);
}

static void *
map_zeroed(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_msg(p != MAP_FAILED, "test mmap of %zu bytes failed", bytes);
	return p;
}

static int
cmp_addr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a;
	uintptr_t y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* foreach into a flat array. */
struct collect {
	uintptr_t *addr;
	uint64_t *size;
	stack_id_t *stack;
	size_t n;
	size_t cap;
};

static void
collect_visit(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct collect *c = ctx;

	if (c->n < c->cap) {
		c->addr[c->n] = addr;
		if (c->size != NULL)
			c->size[c->n] = size;
		if (c->stack != NULL)
			c->stack[c->n] = stack;
	}
	c->n++;
}

static void
count_visit(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	(void)addr;
	(void)size;
	(void)stack;
	++*(size_t *)ctx;
}

static size_t
table_count(struct table *t)
{
	size_t n = 0;

	table_foreach(t, count_visit, &n);
	return n;
}

/* ---- basic contract */

START_TEST(insert_contains_remove)
{
	struct table *t = table_new(8);
	uint64_t size = 0;
	stack_id_t stack = 0;

	ck_assert_ptr_nonnull(t);
	ck_assert(!table_contains(t, 0x1000));
	ck_assert(table_insert(t, 0x1000, 32, 7));
	ck_assert(table_insert(t, 0x2000, 0, 0));
	ck_assert(table_contains(t, 0x1000));
	ck_assert(table_contains(t, 0x2000));
	ck_assert(!table_contains(t, 0x1010));
	ck_assert_uint_eq(table_count(t), 2);
	ck_assert(table_remove(t, 0x1000, &size, &stack));
	ck_assert_uint_eq(size, 32);
	ck_assert_uint_eq(stack, 7);
	ck_assert(!table_contains(t, 0x1000));
	ck_assert(!table_remove(t, 0x1000, &size, &stack));
	ck_assert(!table_remove(t, 0x3000, NULL, NULL));
	ck_assert(table_remove(t, 0x2000, NULL, NULL));
	ck_assert_uint_eq(table_count(t), 0);
	/* the same address again, as an allocator hands it back */
	ck_assert(table_insert(t, 0x1000, 48, 9));
	ck_assert(table_remove(t, 0x1000, &size, &stack));
	ck_assert_uint_eq(size, 48);
	ck_assert_uint_eq(stack, 9);
	/* the key encodings are not addresses */
	for (uintptr_t a = 0; a <= 8; a++) {
		ck_assert(!table_contains(t, a));
		ck_assert(!table_remove(t, a, NULL, NULL));
	}
	table_free(t);
}
END_TEST

static const struct {
	uint64_t size_in;
	uint64_t size_out;
	stack_id_t stack_in;
	stack_id_t stack_out;
} clamps[] = {
	{ 0, 0, 0, 0 },
	{ 1, 1, 1, 1 },
	{ TABLE_MAX_SIZE, TABLE_MAX_SIZE, TABLE_MAX_STACK, TABLE_MAX_STACK },
	{ TABLE_MAX_SIZE + 1, TABLE_MAX_SIZE, TABLE_MAX_STACK + 1, 0 },
	{ UINT64_MAX, TABLE_MAX_SIZE, UINT32_MAX, 0 },
	{ (uint64_t)1 << 41, TABLE_MAX_SIZE, (stack_id_t)1 << 24 | 5, 0 },
	{ 123456789, 123456789, 0x123456, 0x123456 },
};

START_TEST(size_and_stack_clamped)
{
	struct table *t = table_new(16);
	uint64_t size = 0;
	stack_id_t stack = 0;
	struct collect c = { .addr = (uintptr_t[1]){ 0 },
		.size = (uint64_t[1]){ 0 },
		.stack = (stack_id_t[1]){ 0 },
		.cap = 1 };

	ck_assert(table_insert(t, 0x4000, clamps[_i].size_in, clamps[_i].stack_in));
	table_foreach(t, collect_visit, &c);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.addr[0], 0x4000);
	ck_assert_uint_eq(c.size[0], clamps[_i].size_out);
	ck_assert_uint_eq(c.stack[0], clamps[_i].stack_out);
	ck_assert(table_remove(t, 0x4000, &size, &stack));
	ck_assert_uint_eq(size, clamps[_i].size_out);
	ck_assert_uint_eq(stack, clamps[_i].stack_out);
	table_free(t);
}
END_TEST

/* ---- differential against a plain array */

/* Entry i is address addr_of(i); live ones are also listed densely in
 * `order` so that a random live one can be drawn in O(1). */
struct model {
	uint64_t *size;
	stack_id_t *stack;
	uint32_t *pos; /* index in order[], or NONE */
	uint32_t *order;
	size_t nlive;
	size_t nfresh; /* entries 0..nfresh-1 have been used */
	size_t cap;
};

#define NONE UINT32_MAX

static void
model_init(struct model *m, size_t cap)
{
	m->size = map_zeroed(cap * sizeof(*m->size));
	m->stack = map_zeroed(cap * sizeof(*m->stack));
	m->pos = map_zeroed(cap * sizeof(*m->pos));
	m->order = map_zeroed(cap * sizeof(*m->order));
	memset(m->pos, 0xff, cap * sizeof(*m->pos));
	m->nlive = 0;
	m->nfresh = 0;
	m->cap = cap;
}

static void
model_insert(struct table *t, struct model *m, uint32_t i, uint64_t *rng)
{
	uint64_t r = rng_next(rng);
	uint64_t size = r % 5 == 0 ? r >> 22 : r % 100000; /* some above the clamp */
	stack_id_t stack = (stack_id_t)(rng_next(rng) % ((uint64_t)TABLE_MAX_STACK + 100));

	ck_assert_msg(table_insert(t, addr_of(i), size, stack), SEEDED("insert #%u failed", i));
	m->size[i] = size > TABLE_MAX_SIZE ? TABLE_MAX_SIZE : size;
	m->stack[i] = stack > TABLE_MAX_STACK ? 0 : stack;
	m->pos[i] = (uint32_t)m->nlive;
	m->order[m->nlive++] = i;
}

static void
model_remove(struct table *t, struct model *m, uint32_t i)
{
	uint64_t size = 0;
	stack_id_t stack = 0;

	ck_assert_msg(table_remove(t, addr_of(i), &size, &stack),
	    SEEDED("remove of live #%u returned false", i));
	ck_assert_msg(size == m->size[i] && stack == m->stack[i],
	    SEEDED("#%u: size %lu stack %u, model %lu %u", i, (unsigned long)size, stack,
		(unsigned long)m->size[i], m->stack[i]));
	uint32_t last = m->order[--m->nlive];

	m->order[m->pos[i]] = last;
	m->pos[last] = m->pos[i];
	m->pos[i] = NONE;
}

static void
model_check_one(struct table *t, const struct model *m, uint32_t i)
{
	bool live = m->pos[i] != NONE;

	ck_assert_msg(table_contains(t, addr_of(i)) == live,
	    SEEDED("#%u: table says %s, model says %s", i, live ? "absent" : "present",
		live ? "live" : "dead"));
}

/* Every live block visited exactly once with its size and stack, and no
 * other block visited. */
static void
model_check_foreach(struct table *t, const struct model *m)
{
	uint32_t *seen = map_zeroed(m->cap * sizeof(*seen));
	struct collect c = { .cap = m->nlive + 1 };
	size_t bad = 0;

	c.addr = map_zeroed(c.cap * sizeof(*c.addr));
	c.size = map_zeroed(c.cap * sizeof(*c.size));
	c.stack = map_zeroed(c.cap * sizeof(*c.stack));
	table_foreach(t, collect_visit, &c);
	ck_assert_msg(c.n == m->nlive,
	    SEEDED("foreach visited %zu, model has %zu live", c.n, m->nlive));
	for (size_t k = 0; k < c.n; k++) {
		/* invert addr_of() */
		uint32_t b = (uint32_t)((c.addr[k] - ((uintptr_t)1 << 44)) >> 4);
		uint32_t i = (b * 244002641u) ^ (uint32_t)seed; /* 2654435761^-1 mod 2^32 */

		if (i >= m->nfresh || addr_of(i) != c.addr[k] || m->pos[i] == NONE ||
		    seen[i]++ != 0 || c.size[k] != m->size[i] || c.stack[k] != m->stack[i])
			bad++;
	}
	ck_assert_msg(bad == 0,
	    SEEDED("foreach: %zu of %zu visits wrong, twice or not live", bad, c.n));
	munmap(seen, m->cap * sizeof(*seen));
	munmap(c.addr, c.cap * sizeof(*c.addr));
	munmap(c.size, c.cap * sizeof(*c.size));
	munmap(c.stack, c.cap * sizeof(*c.stack));
}

/* `ops` random steps: insert a fresh block (p_fresh %), re-insert a dead
 * one, or remove a live one; at most `max_live` live. After each step the
 * touched block and one random block are checked. Returns how many times
 * the footprint grew (a new generation). */
static unsigned
model_run(struct table *t, struct model *m, size_t ops, size_t max_live, unsigned p_fresh,
    uint64_t *rng)
{
	unsigned grows = 0;
	size_t foot = table_footprint(t);

	for (size_t op = 0; op < ops; op++) {
		uint64_t r = rng_next(rng) % 100;
		uint32_t i;

		if (m->nlive > 0 && (m->nlive >= max_live || r >= p_fresh + (100 - p_fresh) / 2)) {
			i = m->order[rng_next(rng) % m->nlive];
			model_remove(t, m, i);
		} else if (r < p_fresh || m->nfresh == 0) {
			ck_assert_msg(m->nfresh < m->cap, "model too small");
			i = (uint32_t)m->nfresh++;
			model_insert(t, m, i, rng);
		} else {
			i = (uint32_t)(rng_next(rng) % m->nfresh);
			if (m->pos[i] == NONE)
				model_insert(t, m, i, rng);
		}
		model_check_one(t, m, i);
		model_check_one(t, m, (uint32_t)(rng_next(rng) % m->nfresh));
		if (op > 0 && op % 100000 == 0)
			for (uint32_t k = 0; k < m->nfresh; k++)
				model_check_one(t, m, k);
		size_t f = table_footprint(t);
		grows += f > foot;
		foot = f;
	}
	return grows;
}

START_TEST(model_growth)
{
	struct table *t = table_new(16);
	struct model m;
	uint64_t rng = seed + (uint64_t)_i * 1000003;

	model_init(&m, 300000);
	/* mostly fresh inserts: 1024 slots grow to 256 Ki and more */
	unsigned grows = model_run(t, &m, 230000, SIZE_MAX, 92, &rng);

	ck_assert_msg(m.nfresh >= 200000, SEEDED("only %zu inserts", m.nfresh));
	ck_assert_msg(grows >= 6, SEEDED("only %u new generations", grows));
	model_check_foreach(t, &m);
	table_settle(t);
	model_check_foreach(t, &m);
	for (uint32_t k = 0; k < m.nfresh; k++)
		model_check_one(t, &m, k);
	table_free(t);
}
END_TEST

START_TEST(model_churn)
{
	struct table *t = table_new(16);
	struct model m;
	uint64_t rng = seed + (uint64_t)_i * 7777777;

	model_init(&m, 400000);
	/* a bounded live set, mostly fresh addresses: tombstones pile up
	 * and force generations of the same size */
	unsigned grows = model_run(t, &m, 300000, 1500, 80, &rng);

	ck_assert_msg(grows >= 5, SEEDED("only %u new generations", grows));
	model_check_foreach(t, &m);
	table_settle(t);
	model_check_foreach(t, &m);
	while (m.nlive > 0)
		model_remove(t, &m, m.order[m.nlive - 1]);
	ck_assert_uint_eq(table_count(t), 0);
	table_free(t);
}
END_TEST

/* ---- memory follows the live blocks */

static size_t
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0;
	unsigned long resident = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

START_TEST(memory_per_block)
{
	static const size_t marks[] = { 1000, 10000, 100000, 500000, 1000000 };
	struct table *t = table_new(16);
	size_t n = 0;

	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		for (; n < marks[k]; n++)
			ck_assert(table_insert(t, addr_of((uint32_t)n), 64, 1));
		double now = (double)table_footprint(t) / (double)n;

		table_settle(t);
		double settled = (double)table_footprint(t) / (double)n;

		if (getenv("TEST_VERBOSE") != NULL)
			fprintf(stderr, "check_table: %zu live: %.1f bytes/block, %.1f settled\n",
			    n, now, settled);
		if (n == 1000000)
			ck_assert_msg(now <= 64.0, "%.1f bytes per block at %zu live", now, n);
		ck_assert_msg(settled <= 64.0, "%.1f bytes per block at %zu live, settled", settled,
		    n);
	}
	table_free(t);
}
END_TEST

START_TEST(memory_bounded_under_churn)
{
	enum {
		LIVE = 10000
	};
	static uint32_t live[LIVE];
	struct table *t = table_new(16);
	size_t rss0 = rss_bytes();
	size_t max_foot = 0;
	size_t nlive = 0;
	uint64_t rng = seed;

	for (uint32_t i = 0; i < 2000000; i++) {
		if (nlive == LIVE) {
			size_t k = rng_next(&rng) % LIVE;

			ck_assert(table_remove(t, addr_of(live[k]), NULL, NULL));
			live[k] = live[--nlive];
		}
		ck_assert(table_insert(t, addr_of(i), 32, 2));
		live[nlive++] = i;
		if (i % 1000 == 0 && table_footprint(t) > max_foot)
			max_foot = table_footprint(t);
	}
	size_t rss = rss_bytes();

	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "check_table: churn: max footprint %zu KiB, rss +%zd KiB\n",
		    max_foot >> 10, (ssize_t)(rss - rss0) / 1024);
	ck_assert_msg(max_foot < 2u << 20, "footprint reached %zu bytes", max_foot);
	/* discarded generations hold no pages: 2M fresh inserts went
	 * through well over 50 generations of 512 KiB */
	ck_assert_msg(rss < rss0 + (8u << 20), "rss grew by %zu KiB", (rss - rss0) >> 10);
	ck_assert_uint_eq(table_count(t), LIVE);
	table_free(t);
}
END_TEST

/* ---- threads
 *
 * Worker w owns the addresses base(w) + 16 j. It toggles random ones of
 * its first OWN (insert when dead, remove when live) and checks every
 * answer against its own flags; it also inserts handoff blocks and passes
 * them through a ring to worker w+1, which removes them. Failures are
 * counted, not asserted: ck_assert belongs to the main thread.
 */
#define NTHREADS    8
#define OWN         16000
#define HANDOFF_MAX 30000
#define RING        1024
#define NCOLLIDE    48 /* per worker, in the collision case */
#define REGION      ((uintptr_t)1 << 36)
#define INV_GOLDEN  0xf1de83e19937733dull /* 0x9e3779b97f4a7c15^-1 mod 2^64 */

struct ring {
	_Atomic size_t head; /* next item the consumer takes */
	_Atomic size_t tail; /* next item the producer fills */
	uintptr_t item[RING];
};

struct worker {
	pthread_t tid;
	unsigned id;
	struct table *t;
	uint64_t rng;
	size_t ops;
	bool collide;     /* the first NCOLLIDE own addresses share one slot */
	struct ring *out; /* to worker id+1 */
	struct ring *in;  /* from worker id-1 */
	size_t nhandoff;  /* handoff addresses used so far */
	uint8_t own_live[OWN];
	/* what went wrong */
	unsigned long insert_failed;
	unsigned long present_remove_false;
	unsigned long absent_remove_true;
	unsigned long wrong_meta;
	unsigned long wrong_contains;
	unsigned long handoff_false;
};

/* handoff_live[w][k]: handoff block k of worker w is in the table. Set by
 * the producer, cleared by the consumer; read after join. */
static _Atomic uint8_t handoff_live[NTHREADS][HANDOFF_MAX];
static uintptr_t collide_addr[NTHREADS * NCOLLIDE];

static uintptr_t
own_addr(const struct worker *w, size_t j)
{
	if (w->collide && j < NCOLLIDE)
		return collide_addr[w->id * NCOLLIDE + j];
	return (w->id + 1) * REGION + j * 16;
}

static uintptr_t
handoff_addr(unsigned w, size_t k)
{
	return (w + 1) * REGION + (OWN + k) * 16;
}

/* Addresses whose hash is 16 (k + 1): they all start probing at slot 0 of
 * every generation, whatever its size. */
static void
collide_init(void)
{
	for (size_t k = 0; k < NTHREADS * NCOLLIDE; k++) {
		collide_addr[k] = (uintptr_t)(INV_GOLDEN * (16 * (k + 1)));
		ck_assert(collide_addr[k] * 0x9e3779b97f4a7c15ull == 16 * (k + 1));
		ck_assert(collide_addr[k] >= (NTHREADS + 2) * REGION);
	}
}

static bool
ring_push(struct ring *r, uintptr_t a)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	/* acquire: pairs with the consumer's release of head; its slot is free. */
	if (tail - atomic_load_explicit(&r->head, memory_order_acquire) == RING)
		return false;
	r->item[tail % RING] = a;
	/* release: the item, and the table_insert() before it, to the consumer. */
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return true;
}

static bool
ring_pop(struct ring *r, uintptr_t *a)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	/* acquire: pairs with the producer's release of tail. */
	if (head == atomic_load_explicit(&r->tail, memory_order_acquire))
		return false;
	*a = r->item[head % RING];
	/* release: the slot may be refilled. */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

static void
worker_take_handoff(struct worker *w)
{
	unsigned from = (w->id + NTHREADS - 1) % NTHREADS;
	uintptr_t a;
	uint64_t size = 0;
	stack_id_t stack = 0;

	if (!ring_pop(w->in, &a))
		return;
	if (!table_remove(w->t, a, &size, &stack))
		w->handoff_false++;
	else if (size != size_for(a) || stack != stack_for(a))
		w->wrong_meta++;
	atomic_store_explicit(&handoff_live[from][(a - handoff_addr(from, 0)) / 16], 0,
	    memory_order_relaxed);
}

static void
worker_give_handoff(struct worker *w)
{
	uintptr_t a = handoff_addr(w->id, w->nhandoff);

	if (!table_insert(w->t, a, size_for(a), stack_for(a))) {
		w->insert_failed++;
		return;
	}
	atomic_store_explicit(&handoff_live[w->id][w->nhandoff], 1, memory_order_relaxed);
	w->nhandoff++;
	if (!ring_push(w->out, a)) {
		if (!table_remove(w->t, a, NULL, NULL))
			w->present_remove_false++;
		atomic_store_explicit(&handoff_live[w->id][w->nhandoff - 1], 0,
		    memory_order_relaxed);
	}
}

static void
worker_toggle(struct worker *w, uint64_t r)
{
	size_t j = w->collide && r % 2 == 0 ? (r >> 8) % NCOLLIDE : (r >> 8) % OWN;
	uintptr_t a = own_addr(w, j);
	uint64_t size = 0;
	stack_id_t stack = 0;

	if (w->own_live[j]) {
		if ((r >> 40) % 4 == 0) {
			w->wrong_contains += !table_contains(w->t, a);
		} else if (!table_remove(w->t, a, &size, &stack)) {
			w->present_remove_false++;
		} else {
			w->wrong_meta += size != size_for(a) || stack != stack_for(a);
			w->own_live[j] = 0;
		}
	} else if ((r >> 40) % 8 == 0) {
		w->wrong_contains += table_contains(w->t, a);
		w->absent_remove_true += table_remove(w->t, a, NULL, NULL);
	} else if (!table_insert(w->t, a, size_for(a), stack_for(a))) {
		w->insert_failed++;
	} else {
		w->own_live[j] = 1;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	for (size_t op = 0; op < w->ops; op++) {
		uint64_t r = rng_next(&w->rng);

		worker_take_handoff(w);
		if (r % 8 == 1 && w->nhandoff < HANDOFF_MAX)
			worker_give_handoff(w);
		worker_toggle(w, r);
	}
	return NULL;
}

/* Index of a worker's address in its [own..., handoff...] space, or -1. */
static long
locate(const struct worker *ws, uintptr_t a, unsigned *wid)
{
	for (unsigned w = 0; w < NTHREADS; w++)
		for (size_t j = 0; ws[w].collide && j < NCOLLIDE; j++)
			if (collide_addr[w * NCOLLIDE + j] == a) {
				*wid = w;
				return (long)j;
			}
	if (a < REGION || a >= (NTHREADS + 1) * REGION || a % 16 != 0)
		return -1;
	*wid = (unsigned)(a / REGION - 1);
	size_t idx = (a % REGION) / 16;

	return idx < OWN + HANDOFF_MAX ? (long)idx : -1;
}

/* After join: the table holds exactly the blocks the flags say are live. */
static void
workers_verify(struct table *t, struct worker *ws)
{
	static uint8_t seen[NTHREADS][OWN + HANDOFF_MAX];
	struct collect c = { .cap = NTHREADS * (OWN + HANDOFF_MAX) + 1 };
	size_t expect = 0;
	size_t bad = 0;

	for (unsigned w = 0; w < NTHREADS; w++) {
		struct worker *x = &ws[w];

		ck_assert_msg(x->insert_failed + x->present_remove_false + x->absent_remove_true +
			    x->wrong_meta + x->wrong_contains + x->handoff_false ==
			0,
		    SEEDED(
			"worker %u: %lu inserts failed, %lu removes of present blocks false, "
			"%lu removes of absent blocks true, %lu wrong size/stack, %lu wrong contains, "
			"%lu handed-over removes false",
			w, x->insert_failed, x->present_remove_false, x->absent_remove_true,
			x->wrong_meta, x->wrong_contains, x->handoff_false));
		for (size_t j = 0; j < OWN; j++)
			expect += x->own_live[j];
		for (size_t k = 0; k < HANDOFF_MAX; k++)
			expect += atomic_load_explicit(&handoff_live[w][k], memory_order_relaxed);
	}
	c.addr = map_zeroed(c.cap * sizeof(*c.addr));
	c.size = map_zeroed(c.cap * sizeof(*c.size));
	c.stack = map_zeroed(c.cap * sizeof(*c.stack));
	memset(seen, 0, sizeof(seen));
	table_settle(t);
	table_foreach(t, collect_visit, &c);
	ck_assert_msg(c.n == expect,
	    SEEDED("foreach visited %zu blocks, %zu are live", c.n, expect));
	for (size_t k = 0; k < c.n; k++) {
		unsigned w = 0;
		long j = locate(ws, c.addr[k], &w);
		bool live = j >= 0 &&
		    (j < OWN ?
			    ws[w].own_live[j] :
			    atomic_load_explicit(&handoff_live[w][j - OWN], memory_order_relaxed));

		if (!live || seen[w][j]++ != 0 || c.size[k] != size_for(c.addr[k]) ||
		    c.stack[k] != stack_for(c.addr[k]))
			bad++;
	}
	ck_assert_msg(bad == 0, SEEDED("%zu of %zu visits not live, repeated or wrong", bad, c.n));
	/* and every live block can still be found and removed exactly once */
	for (size_t k = 0; k < c.n; k++) {
		ck_assert(table_remove(t, c.addr[k], NULL, NULL));
		ck_assert(!table_remove(t, c.addr[k], NULL, NULL));
	}
	ck_assert_uint_eq(table_count(t), 0);
	munmap(c.addr, c.cap * sizeof(*c.addr));
	munmap(c.size, c.cap * sizeof(*c.size));
	munmap(c.stack, c.cap * sizeof(*c.stack));
}

static void
workers_run(bool collide, size_t ops, unsigned salt)
{
	static struct worker ws[NTHREADS];
	static struct ring rings[NTHREADS];
	struct table *t = table_new(16);
	size_t foot0 = table_footprint(t);

	memset(ws, 0, sizeof(ws));
	memset(rings, 0, sizeof(rings));
	memset(handoff_live, 0, sizeof(handoff_live));
	collide_init();
	for (unsigned w = 0; w < NTHREADS; w++) {
		ws[w].id = w;
		ws[w].t = t;
		ws[w].rng = seed * 31 + salt * 1000 + w;
		ws[w].ops = ops;
		ws[w].collide = collide;
		ws[w].out = &rings[w];
		ws[w].in = &rings[(w + NTHREADS - 1) % NTHREADS];
	}
	for (unsigned w = 0; w < NTHREADS; w++)
		ck_assert_int_eq(pthread_create(&ws[w].tid, NULL, worker_run, &ws[w]), 0);
	for (unsigned w = 0; w < NTHREADS; w++)
		ck_assert_int_eq(pthread_join(ws[w].tid, NULL), 0);
	/* the table grew while they ran */
	ck_assert_msg(table_footprint(t) >= 64 * foot0, "footprint %zu", table_footprint(t));
	workers_verify(t, ws);
	table_free(t);
}

START_TEST(threads_disjoint_and_handoff)
{
	workers_run(false, 300000, (unsigned)_i);
}
END_TEST

START_TEST(threads_colliding_slots)
{
	workers_run(true, 150000, (unsigned)_i);
}
END_TEST

/* ---- settle */

START_TEST(settle_then_foreach_sees_all)
{
	struct table *t = table_new(16);
	struct model m;
	uint64_t rng = seed ^ 0x5e771e;

	model_init(&m, 200000);
	/* stop right after a grow, with a migration under way */
	for (size_t grows = 0; grows < 8;)
		grows += model_run(t, &m, 1, SIZE_MAX, 100, &rng);
	size_t before = table_footprint(t);

	table_settle(t);
	ck_assert_msg(table_footprint(t) < before, "settle left %zu of %zu bytes",
	    table_footprint(t), before);
	model_check_foreach(t, &m);
	table_settle(t); /* idempotent */
	model_check_foreach(t, &m);
	table_free(t);
}
END_TEST

/* ---- fork
 *
 * A child checks its copy and reports through its exit status: 0 good,
 * other values name the first check that failed (see fork_result). It
 * arms alarm() first, so a hang comes back as SIGALRM.
 */
enum {
	FORK_OK,
	FORK_LOST,         /* after_fork lost blocks though no thread was cut off */
	FORK_MISSING,      /* a block known to be live is not found */
	FORK_COUNT,        /* foreach visited another number of blocks */
	FORK_DUP,          /* foreach visited a key twice */
	FORK_FOREIGN,      /* foreach visited a key never inserted, or wrong meta */
	FORK_REMOVE,       /* remove of a visited block false */
	FORK_REMOVE_TWICE, /* second remove true */
	FORK_NOT_EMPTY,    /* foreach after removing everything not empty */
	FORK_INSERT,       /* inserting afterwards failed */
};

static const char *const fork_what[] = {
	"ok",
	"after_fork lost blocks",
	"a live block is missing",
	"foreach count differs from the live blocks",
	"foreach visited a key twice",
	"foreach visited an unknown key or wrong size",
	"remove of a visited block was false",
	"a second remove was true",
	"not empty after removing all",
	"insert after fork failed",
};

static void
fork_result(pid_t pid, const char *when)
{
	int st = 0;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!WIFSIGNALED(st),
	    SEEDED("%s: child killed by signal %d%s", when, WTERMSIG(st),
		WTERMSIG(st) == SIGALRM ? " (hung)" : ""));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == FORK_OK,
	    SEEDED("%s: child: %s", when,
		(size_t)WEXITSTATUS(st) < sizeof(fork_what) / sizeof(fork_what[0]) ?
		    fork_what[WEXITSTATUS(st)] :
		    "?"));
}

/* Removes every visited block twice (true, then false), then inserts
 * fresh ones and finds them. */
static int
child_drain_and_reuse(struct table *t, const struct collect *c)
{
	for (size_t k = 0; k < c->n; k++) {
		if (!table_remove(t, c->addr[k], NULL, NULL))
			return FORK_REMOVE;
		if (table_remove(t, c->addr[k], NULL, NULL))
			return FORK_REMOVE_TWICE;
	}
	if (table_count(t) != 0)
		return FORK_NOT_EMPTY;
	for (uintptr_t a = 0; a < 20000; a++)
		if (!table_insert(t, 30 * REGION + a * 16, 1, 1))
			return FORK_INSERT;
	for (uintptr_t a = 0; a < 20000; a++)
		if (!table_contains(t, 30 * REGION + a * 16))
			return FORK_INSERT;
	return table_count(t) == 20000 ? FORK_OK : FORK_COUNT;
}

/* Single-threaded parent: the child's table must equal the model. */
static int
child_check_model(struct table *t, const struct model *m, struct collect *c)
{
	alarm(20);
	if (table_after_fork(t) != 0)
		return FORK_LOST;
	for (size_t k = 0; k < m->nlive; k++)
		if (!table_contains(t, addr_of(m->order[k])))
			return FORK_MISSING;
	c->n = 0;
	table_foreach(t, collect_visit, c);
	if (c->n != m->nlive)
		return FORK_COUNT;
	qsort(c->addr, c->n, sizeof(*c->addr), cmp_addr);
	for (size_t k = 1; k < c->n; k++)
		if (c->addr[k] == c->addr[k - 1])
			return FORK_DUP;
	return child_drain_and_reuse(t, c);
}

/* A sparse old generation: 100,000 blocks inserted, all but 1,000 of them
 * removed, then fresh blocks churned (the last SPARSE_FIFO stay live) until
 * a small new generation is put in front. The 1,000 old blocks are moved
 * into it a few per insert, over 4,096 inserts, while it fills. Returns the
 * footprint of the old generation alone. */
#define SPARSE_FIFO 200

static void sparse_churn_step(struct table *t, struct model *m, uint64_t *rng);

static size_t
sparse_old_generation(struct table *t, struct model *m, uint64_t *rng)
{
	model_run(t, m, 100000, SIZE_MAX, 100, rng);
	table_settle(t);
	while (m->nlive > 1000)
		model_remove(t, m, m->order[rng_next(rng) % m->nlive]);
	size_t big = table_footprint(t);

	while (table_footprint(t) <= big && m->nfresh < m->cap - 10000)
		sparse_churn_step(t, m, rng);
	ck_assert_msg(table_footprint(t) > big, SEEDED("no new generation"));
	return big;
}

/* Inserts a fresh block and removes the one inserted SPARSE_FIFO steps
 * before (the old blocks are left alone). */
static void
sparse_churn_step(struct table *t, struct model *m, uint64_t *rng)
{
	uint32_t i = (uint32_t)m->nfresh++;

	model_insert(t, m, i, rng);
	if (i >= 100000 + SPARSE_FIFO && m->pos[i - SPARSE_FIFO] != NONE)
		model_remove(t, m, i - SPARSE_FIFO);
}

/* Fork at many points while the sparse generation is moved, and let each
 * child make its table consistent with table_after_fork(). */
START_TEST(fork_during_migration)
{
	struct table *t = table_new(16);
	struct model m;
	struct collect c = { .cap = 100000 };
	uint64_t rng = seed ^ 0xf0f0;
	size_t forks = 0;

	model_init(&m, 1000000);
	c.addr = map_zeroed(c.cap * sizeof(*c.addr));
	size_t big = sparse_old_generation(t, &m, &rng);

	/* fork every 16 steps until the big generation is gone */
	for (size_t op = 0; table_footprint(t) >= big && op < 20000; op++) {
		sparse_churn_step(t, &m, &rng);
		if (op % 16 != 0)
			continue;
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			_exit(child_check_model(t, &m, &c));
		char when[64];

		snprintf(when, sizeof(when), "fork %zu (step %zu)", forks++, op);
		fork_result(pid, when);
	}
	ck_assert_msg(table_footprint(t) < big, SEEDED("big generation never retired"));
	table_free(t);
}
END_TEST

/* Fresh-address churners for the fork case: worker w inserts base + 16 k
 * for k = 0, 1, ... and keeps its last FORK_LIVE blocks live. */
#define FORK_WORKERS 4
#define FORK_LIVE    3000
#define FORK_STABLE  5000

struct churner {
	pthread_t tid;
	struct table *t;
	unsigned id;
	_Atomic bool *stop;
	unsigned long errors;
};

static void *
churner_run(void *arg)
{
	struct churner *ch = arg;
	uintptr_t base = (ch->id + 1) * REGION;

	for (uintptr_t k = 0; !atomic_load_explicit(ch->stop, memory_order_relaxed); k++) {
		uintptr_t a = base + k * 16;

		ch->errors += !table_insert(ch->t, a, size_for(a), stack_for(a));
		if (k >= FORK_LIVE)
			ch->errors += !table_remove(ch->t, a - FORK_LIVE * 16, NULL, NULL);
	}
	return NULL;
}

/* Parent threads were churning: any keys may be present, but each at most
 * once, with its own size, the stable ones all, and the table must work. */
static int
child_check_threads(struct table *t, struct collect *c)
{
	alarm(20);
	(void)table_after_fork(t);
	for (uintptr_t k = 0; k < FORK_STABLE; k++)
		if (!table_contains(t, 20 * REGION + k * 16))
			return FORK_MISSING;
	c->n = 0;
	table_foreach(t, collect_visit, c);
	if (c->n > c->cap || c->n < FORK_STABLE ||
	    c->n > FORK_STABLE + FORK_WORKERS * (FORK_LIVE + 1))
		return FORK_COUNT;
	for (size_t k = 0; k < c->n; k++)
		if (c->size[k] != size_for(c->addr[k]) || c->stack[k] != stack_for(c->addr[k]))
			return FORK_FOREIGN;
	qsort(c->addr, c->n, sizeof(*c->addr), cmp_addr);
	for (size_t k = 1; k < c->n; k++)
		if (c->addr[k] == c->addr[k - 1])
			return FORK_DUP;
	return child_drain_and_reuse(t, c);
}

START_TEST(fork_while_threads_insert)
{
	struct table *t = table_new(16);
	struct churner ch[FORK_WORKERS];
	_Atomic bool stop = false;
	struct collect c = { .cap = 100000 };
	uint64_t rng = seed ^ 0xf04c;

	c.addr = map_zeroed(c.cap * sizeof(*c.addr));
	c.size = map_zeroed(c.cap * sizeof(*c.size));
	c.stack = map_zeroed(c.cap * sizeof(*c.stack));
	for (uintptr_t k = 0; k < FORK_STABLE; k++) {
		uintptr_t a = 20 * REGION + k * 16;

		ck_assert(table_insert(t, a, size_for(a), stack_for(a)));
	}
	for (unsigned w = 0; w < FORK_WORKERS; w++) {
		ch[w] = (struct churner){ .t = t, .id = w, .stop = &stop };
		ck_assert_int_eq(pthread_create(&ch[w].tid, NULL, churner_run, &ch[w]), 0);
	}
	for (int f = 0; f < 40; f++) {
		struct timespec ts = { 0, (long)(rng_next(&rng) % 5000000) };

		nanosleep(&ts, NULL);
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			_exit(child_check_threads(t, &c));
		char when[32];

		snprintf(when, sizeof(when), "fork %d", f);
		fork_result(pid, when);
	}
	atomic_store_explicit(&stop, true, memory_order_relaxed);
	for (unsigned w = 0; w < FORK_WORKERS; w++) {
		ck_assert_int_eq(pthread_join(ch[w].tid, NULL), 0);
		ck_assert_msg(ch[w].errors == 0, "churner %u: %lu failed calls", w, ch[w].errors);
	}
	table_free(t);
}
END_TEST

/* ---- mmap failure (the LEAK_FAULT_MMAP knob) */

/* Inserts fresh blocks until one fails; all earlier ones stay found. */
static size_t
fill_until_false(struct table *t, uint32_t first, size_t limit)
{
	size_t n = 0;

	while (n < limit && table_insert(t, addr_of(first + (uint32_t)n), 8, 3))
		n++;
	ck_assert_msg(n < limit, "insert never failed after %zu blocks", n);
	for (size_t k = 0; k < n; k++)
		ck_assert_msg(table_contains(t, addr_of(first + (uint32_t)k)),
		    "block %zu of %zu lost after mmap failed", k, n);
	return n;
}

START_TEST(mmap_fails_insert_false)
{
	struct table *t = table_new(16);

	/* _i more maps succeed: the first grows work, later ones fail */
	arena_set_fault(_i);
	size_t n = fill_until_false(t, 0, 2000000);

	ck_assert_uint_ge(n, 768);
	ck_assert_uint_eq(table_count(t), n);
	ck_assert(!table_insert(t, addr_of((uint32_t)n + 1), 8, 3));
	/* room made by removes is used again */
	for (uint32_t k = 0; k < 10; k++)
		ck_assert(table_remove(t, addr_of(k), NULL, NULL));
	for (uint32_t k = 0; k < 10; k++)
		ck_assert(table_insert(t, addr_of(k), 8, 3));
	ck_assert_uint_eq(table_count(t), n);
	arena_set_fault(-1);
	table_free(t);
}
END_TEST

/* table.h: insert is false "only when memory for the table cannot be
 * mapped"; once mmap works again the table must grow again. */
START_TEST(mmap_recovers)
{
	struct table *t = table_new(16);

	arena_set_fault(0);
	size_t n = fill_until_false(t, 0, 100000);

	arena_set_fault(-1);
	ck_assert_msg(table_insert(t, addr_of((uint32_t)n), 8, 3),
	    "insert still false after mmap works again (%zu blocks)", n);
	table_free(t);
}
END_TEST

/* mmap fails while a sparse old generation is being moved into a small new
 * one: fill the new one, then keep freeing and allocating, as a program
 * under memory pressure does. Blocks inserted long ago must stay found. */
START_TEST(mmap_fails_during_migration)
{
	struct table *t = table_new(16);
	struct model m;
	uint64_t rng = seed ^ 0xfa17;

	model_init(&m, 1000000);
	sparse_old_generation(t, &m, &rng);
	arena_set_fault(0);
	size_t before = m.nlive;
	size_t failed = 0;

	while (m.nfresh < m.cap && table_insert(t, addr_of((uint32_t)m.nfresh), 8, 3)) {
		m.size[m.nfresh] = 8;
		m.stack[m.nfresh] = 3;
		m.pos[m.nfresh] = (uint32_t)m.nlive;
		m.order[m.nlive++] = (uint32_t)m.nfresh++;
	}
	ck_assert_msg(m.nfresh < m.cap, "insert never failed");
	m.nfresh++; /* the one that failed: not live */
	for (int k = 0; k < 2000; k++) {
		uint32_t newest = m.order[m.nlive - 1];

		model_remove(t, &m, newest);
		uint32_t i = (uint32_t)m.nfresh++;

		if (table_insert(t, addr_of(i), 8, 3)) {
			m.size[i] = 8;
			m.stack[i] = 3;
			m.pos[i] = (uint32_t)m.nlive;
			m.order[m.nlive++] = i;
		} else {
			failed++;
		}
	}
	arena_set_fault(-1);
	size_t lost = 0;

	for (size_t k = 0; k < m.nlive; k++)
		lost += !table_contains(t, addr_of(m.order[k]));
	ck_assert_msg(lost == 0,
	    SEEDED("%zu of %zu blocks lost (%zu live before mmap failed; "
		   "%zu inserts false while freeing and allocating)",
		lost, m.nlive, before, failed));
	table_free(t);
}
END_TEST

static Suite *
table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("basic");

	tcase_add_test(tc, insert_contains_remove);
	tcase_add_loop_test(tc, size_and_stack_clamped, 0, sizeof(clamps) / sizeof(clamps[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, model_growth, 0, 2);
	tcase_add_loop_test(tc, model_churn, 0, 2);
	tcase_add_test(tc, settle_then_foreach_sees_all);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, memory_per_block);
#ifndef __SANITIZE_ADDRESS__
	tcase_add_test(tc, memory_bounded_under_churn); /* RSS: not under ASan */
#endif
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, threads_disjoint_and_handoff, 0, 3);
	tcase_add_loop_test(tc, threads_colliding_slots, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("fork");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fork_during_migration);
	tcase_add_test(tc, fork_while_threads_insert);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, mmap_fails_insert_false, 0, 6);
	tcase_add_test(tc, mmap_recovers);
	tcase_add_test(tc, mmap_fails_during_migration);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(table_suite(), "check_table");
}
