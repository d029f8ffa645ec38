/*
 * check_stackcache.c - stackcache.c: the per-thread cache of allocation
 * stacks against a naive model, on fake stacks in the test's own memory.
 *
 * A fake stack is an array of words; a chain is a run of "return
 * addresses" written into it, each the learned distance after the one
 * before. The model knows what the offset table should have learned from
 * the observations it was given (unknown, one observation, trusted after
 * two agreeing, variable for good after a disagreeing one), which chains
 * the 32 ways hold (round robin, only chains actually stored), and so what
 * stackcache_lookup(), stackcache_store() and stackcache_walk() must
 * answer while the test writes chains over each other and pokes slots.
 * Also: every slot of a chain is compared, distances are learned and
 * never trusted when they vary, way replacement, a distance that runs off
 * the mapped stack, the offset table full, and the handover of a thread's
 * cache to the next thread on the same stack block. On the test's real
 * stack, stackcache_unwind()'s walk by CFI rules is compared with
 * libunwind's cursor walk.
 *
 * Every case calls stackcache_init() in its own (forked) process, so the
 * global offset table starts empty. The seed comes from TEST_SEED or the
 * clock; failure messages name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "track/stackcache.h"
#include "track/stackmemo.h"
#include "seeded.h"

#define WAYS       32  /* stackcache.c's */
#define CHAIN_MAX  48  /* stackcache.c's: longer chains are never cached */
#define OFF_BITS   15  /* stackcache.c's offset table: 2^15 return addresses */
#define MEMO_AFTER 512 /* stackcache.c's: walks before a thread's memo */

static uintptr_t *
map_words(size_t words)
{
	void *p = mmap(NULL, words * sizeof(uintptr_t), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_msg(p != MAP_FAILED, "test mmap failed");
	return p;
}

/* Teaches that the slot after return address ip lies `off` bytes further
 * out: one observation of a two-frame walk. */
static void
teach(uintptr_t ip, intptr_t off)
{
	uintptr_t ips[2] = { ip, 0x1 };
	uintptr_t slots[2] = { 0x100000, 0x100000 + (uintptr_t)off };

	stackcache_observe(ips, slots, 2);
}

/* Writes ips[0..n) into the fake stack from slot0, each at the distance
 * off[k] (bytes) after the one before; the slots go to slot[]. */
static void
lay(uintptr_t slot0, const uintptr_t *ips, const intptr_t *off, unsigned n, uintptr_t *slot)
{
	slot[0] = slot0;
	for (unsigned k = 1; k < n; k++)
		slot[k] = slot[k - 1] + (uintptr_t)off[k - 1];
	for (unsigned k = 0; k < n; k++)
		*(uintptr_t *)slot[k] = ips[k];
}

/* A lookup that must hit with id want. */
#define HITS(slot0, want)                                                                         \
	do {                                                                                      \
		stack_id_t got_ = 0;                                                              \
		ck_assert_msg(stackcache_lookup((slot0), &got_), "lookup missed, expected id %u", \
		    (unsigned)(want));                                                            \
		ck_assert_uint_eq(got_, (want));                                                  \
	} while (0)

#define MISSES(slot0)                                                       \
	do {                                                                \
		stack_id_t got_ = 0;                                        \
		ck_assert_msg(!stackcache_lookup((slot0), &got_),           \
		    "lookup hit (id %u), expected a miss", (unsigned)got_); \
	} while (0)

/* ---- learning distances */

START_TEST(store_asks_for_a_walk_until_two_walks_agree)
{
	uintptr_t *st = map_words(1024);
	uintptr_t ips[3] = { 0x401000, 0x402000, 0x403000 };
	intptr_t off[2] = { 64, 200 };
	uintptr_t slot[3];

	ck_assert(stackcache_init());
	lay((uintptr_t)&st[10], ips, off, 3, slot);
	MISSES(slot[0]);                                 /* claims this thread's cache */
	ck_assert(stackcache_store(slot[0], ips, 3, 5)); /* nothing known: walk */
	stackcache_observe(ips, slot, 3);
	MISSES(slot[0]);
	ck_assert(stackcache_store(slot[0], ips, 3, 5)); /* one walk is not trust */
	stackcache_observe(ips, slot, 3);
	MISSES(slot[0]);
	ck_assert(!stackcache_store(slot[0], ips, 3, 5)); /* two agreeing: cached */
	HITS(slot[0], 5);
	HITS(slot[0], 5);
	/* the last return address needs no distance: only ips[0..n-1) do */
	ck_assert(!stackcache_store(slot[0], ips, 2, 6));
}
END_TEST

START_TEST(disagreeing_walks_make_a_distance_variable)
{
	uintptr_t *st = map_words(1024);
	uintptr_t ips[2] = { 0x411000, 0x412000 };
	intptr_t off_a[1] = { 64 }, off_b[1] = { 96 };
	uintptr_t slot[2];

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[0]);
	lay((uintptr_t)&st[4], ips, off_a, 2, slot);
	stackcache_observe(ips, slot, 2);
	lay((uintptr_t)&st[4], ips, off_b, 2, slot);
	stackcache_observe(ips, slot, 2); /* an alloca frame: another size */
	for (int r = 0; r < 5; r++) {
		lay((uintptr_t)&st[4], ips, off_a, 2, slot);
		stackcache_observe(ips, slot, 2);
		ck_assert_msg(stackcache_store(slot[0], ips, 2, 9),
		    "round %d: a variable "
		    "distance was trusted",
		    r);
		MISSES(slot[0]);
	}
	uintptr_t pcs[4];

	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 4), 1); /* stops at ips[0] */
	ck_assert_uint_eq(pcs[0], ips[0]);
}
END_TEST

START_TEST(observe_variable_is_never_trusted)
{
	uintptr_t *st = map_words(1024);
	uintptr_t ips[2] = { 0x421000, 0x422000 };
	intptr_t off[1] = { 48 };
	uintptr_t slot[2];

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[0]);
	lay((uintptr_t)&st[2], ips, off, 2, slot);
	stackcache_observe_variable(ips[0]); /* a signal frame follows it */
	for (int r = 0; r < 4; r++)
		stackcache_observe(ips, slot, 2);
	ck_assert(stackcache_store(slot[0], ips, 2, 3));
	MISSES(slot[0]);
	/* and after it was trusted: variable from then on */
	uintptr_t ips2[2] = { 0x423000, 0x424000 };

	lay((uintptr_t)&st[100], ips2, off, 2, slot);
	stackcache_observe(ips2, slot, 2);
	stackcache_observe(ips2, slot, 2);
	ck_assert(!stackcache_store(slot[0], ips2, 2, 4));
	HITS(slot[0], 4);
	stackcache_observe_variable(ips2[0]);
	ck_assert(stackcache_store(slot[0], ips2, 2, 4));
}
END_TEST

/* A distance that is not forward (0 or negative) or over 1 MiB is not a
 * frame size: variable. */
START_TEST(impossible_distances_are_variable)
{
	static const intptr_t bad[] = { 0, -8, -4096, (1 << 20) + 8 };
	uintptr_t *st = map_words(1024);

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[0]);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uintptr_t ip = 0x431000 + i * 0x100;
		uintptr_t ips[2] = { ip, 0x439000 };

		teach(ip, bad[i]);
		teach(ip, 64);
		teach(ip, 64);
		st[8] = ip;
		st[16] = 0x439000;
		ck_assert_msg(stackcache_store((uintptr_t)&st[8], ips, 2, 1),
		    "distance %ld trusted", (long)bad[i]);
	}
	/* 1 MiB itself is a frame size */
	uintptr_t *big = map_words((1 << 20) / 8 + 16);
	uintptr_t ips[2] = { 0x438000, 0x439000 };

	teach(ips[0], 1 << 20);
	teach(ips[0], 1 << 20);
	big[0] = ips[0];
	big[(1 << 20) / 8] = ips[1];
	ck_assert(!stackcache_store((uintptr_t)&big[0], ips, 2, 2));
	HITS((uintptr_t)&big[0], 2);
}
END_TEST

/* A trusted distance that is wrong this time (the frame after it was
 * sized at run time): the slot it names does not hold the next return
 * address, so nothing is cached and a walk is asked for. */
START_TEST(store_checks_every_slot_it_computes)
{
	uintptr_t *st = map_words(1024);
	uintptr_t ips[4] = { 0x441000, 0x442000, 0x443000, 0x444000 };
	intptr_t off[3] = { 32, 64, 16 };
	uintptr_t slot[4];

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[0]);
	lay((uintptr_t)&st[8], ips, off, 4, slot);
	stackcache_observe(ips, slot, 4);
	stackcache_observe(ips, slot, 4);
	for (unsigned k = 0; k < 4; k++) {
		uintptr_t keep = *(uintptr_t *)slot[k];

		*(uintptr_t *)slot[k] = keep + 1;
		ck_assert_msg(stackcache_store(slot[0], ips, 4, 7), "slot %u differs, yet stored",
		    k);
		MISSES(slot[0]);
		*(uintptr_t *)slot[k] = keep;
	}
	ck_assert(!stackcache_store(slot[0], ips, 4, 7));
	HITS(slot[0], 7);
}
END_TEST

START_TEST(store_refuses_empty_and_long_chains)
{
	uintptr_t *st = map_words(4096);
	uintptr_t ips[CHAIN_MAX + 1], slot[CHAIN_MAX + 1];
	intptr_t off[CHAIN_MAX + 1];

	ck_assert(stackcache_init());
	for (unsigned k = 0; k <= CHAIN_MAX; k++) {
		ips[k] = 0x451000 + 16 * k;
		off[k] = 24;
	}
	lay((uintptr_t)&st[4], ips, off, CHAIN_MAX + 1, slot);
	MISSES(slot[0]);
	stackcache_observe(ips, slot, CHAIN_MAX + 1);
	stackcache_observe(ips, slot, CHAIN_MAX + 1);
	ck_assert(!stackcache_store(slot[0], ips, 0, 1));
	MISSES(slot[0]);
	ck_assert(!stackcache_store(slot[0], ips, CHAIN_MAX + 1, 2)); /* too long: never */
	MISSES(slot[0]);
	ck_assert(!stackcache_store(slot[0], ips, CHAIN_MAX, 3)); /* the longest kept */
	HITS(slot[0], 3);
	st[4 + 3 * (CHAIN_MAX - 1)]++; /* its last slot */
	MISSES(slot[0]);
}
END_TEST

/* ---- lookups compare every slot */

START_TEST(lookup_misses_when_any_slot_changed)
{
	uintptr_t *st = map_words(2048);
	enum {
		N = 12
	};
	uintptr_t ips[N], slot[N];
	intptr_t off[N];

	ck_assert(stackcache_init());
	for (unsigned k = 0; k < N; k++) {
		ips[k] = 0x461000 + 0x10 * k;
		off[k] = 8 * (1 + k % 5);
	}
	lay((uintptr_t)&st[32], ips, off, N, slot);
	MISSES(slot[0]);
	stackcache_observe(ips, slot, N);
	stackcache_observe(ips, slot, N);
	ck_assert(!stackcache_store(slot[0], ips, N, 42));
	HITS(slot[0], 42);
	for (unsigned k = 0; k < N; k++) {
		uintptr_t keep = *(uintptr_t *)slot[k];

		*(uintptr_t *)slot[k] = keep ^ 0x10;
		ck_assert_msg(!stackcache_lookup(slot[0], &(stack_id_t){ 0 }),
		    "slot %u changed, lookup still hit", k);
		*(uintptr_t *)slot[k] = keep;
		HITS(slot[0], 42);
	}
	/* words between the slots are not part of the chain */
	for (uintptr_t *p = (uintptr_t *)slot[0]; p <= (uintptr_t *)slot[N - 1]; p++) {
		bool in = false;

		for (unsigned k = 0; k < N; k++)
			in |= (uintptr_t)p == slot[k];
		if (!in)
			*p = ~*p;
	}
	HITS(slot[0], 42);
	/* the same values one word further: another slot0, another chain */
	MISSES(slot[0] + 8);
}
END_TEST

/* Chains that share their first slot and its value (one wrapper, one depth)
 * live in different ways; a lookup finds the one whose deeper slots hold. */
START_TEST(same_tag_different_chains)
{
	uintptr_t *st = map_words(1024);
	uintptr_t a[2] = { 0x471000, 0x472000 }, b[2] = { 0x471000, 0x473000 };
	intptr_t off[1] = { 40 };
	uintptr_t slot[2];

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[0]);
	teach(a[0], 40);
	teach(a[0], 40);
	lay((uintptr_t)&st[16], a, off, 2, slot);
	ck_assert(!stackcache_store(slot[0], a, 2, 1));
	lay((uintptr_t)&st[16], b, off, 2, slot);
	ck_assert(!stackcache_store(slot[0], b, 2, 2));
	for (int r = 0; r < 3; r++) {
		lay((uintptr_t)&st[16], a, off, 2, slot);
		HITS(slot[0], 1);
		lay((uintptr_t)&st[16], b, off, 2, slot);
		HITS(slot[0], 2);
	}
	*(uintptr_t *)slot[1] = 0x474000;
	MISSES(slot[0]);
}
END_TEST

/* ---- ways */

/* Round robin: the chain stored WAYS stores ago is the one replaced. */
START_TEST(way_replacement_round_robin)
{
	uintptr_t *st = map_words(4096);
	enum {
		CHAINS = 3 * WAYS + 5
	};

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[4095]);
	for (unsigned c = 0; c < CHAINS; c++) {
		uintptr_t ip = 0x481000 + 0x10 * c;

		st[8 * c] = ip; /* one-frame chains: no distance needed */
		ck_assert(!stackcache_store((uintptr_t)&st[8 * c], &ip, 1, c + 1));
		for (unsigned o = 0; o <= c; o++) {
			stack_id_t id = 0;
			bool hit = stackcache_lookup((uintptr_t)&st[8 * o], &id);

			if (c - o < WAYS) {
				ck_assert_msg(hit && id == o + 1,
				    "after %u stores chain %u (id %u): "
				    "hit %d id %u",
				    c + 1, o, o + 1, hit, id);
			} else {
				ck_assert_msg(!hit, "after %u stores chain %u should be gone",
				    c + 1, o);
			}
		}
	}
	/* a refused store takes no way */
	uintptr_t ip = 0x48f000;

	st[2000] = ip;
	ck_assert(!stackcache_store((uintptr_t)&st[2000], &ip, 0, 999));
	for (unsigned o = CHAINS - WAYS; o < CHAINS; o++)
		HITS((uintptr_t)&st[8 * o], o + 1);
}
END_TEST

/* ---- the model */

#define SLOTS  8192 /* words of a model's fake stack */
#define ALPHA  40   /* return addresses a model uses */
#define SHAPES 96   /* chains it calls with: more than WAYS */
#define SLOT0S 6    /* distinct first slots: tags collide */

struct way {
	uintptr_t slot0; /* 0: empty */
	unsigned n;
	stack_id_t id;
	uintptr_t slot[CHAIN_MAX];
	uintptr_t val[CHAIN_MAX];
};

struct model {
	uintptr_t *stack;      /* SLOTS words */
	uintptr_t base;        /* alphabet: base + 16 * i */
	unsigned words[ALPHA]; /* true distance after ip i in words; 0: varies per call */
	int32_t off[ALPHA];    /* what the table learned: bytes; 0 unknown, -1 variable */
	int32_t seen[ALPHA];
	struct {
		unsigned n;
		unsigned s0; /* slot0 index */
		unsigned ip[CHAIN_MAX + 4];
	} shape[SHAPES];
	struct way ways[WAYS];
	unsigned victim;
	uint64_t rng;
	unsigned long hits, misses, stored, walks, pokes, probes, probe_hits;
	unsigned long cold; /* misses though a way holds: the tag was cold */
	char fail[256];     /* first disagreement, "" while none */
};

static int
alpha_of(const struct model *m, uintptr_t ip)
{
	if (ip < m->base || (ip - m->base) % 16 != 0 || (ip - m->base) / 16 >= ALPHA)
		return -1;
	return (int)((ip - m->base) / 16);
}

static void
model_learn(struct model *m, uintptr_t ip, intptr_t off)
{
	int a = alpha_of(m, ip);

	if (a < 0)
		return;
	if (off <= 0 || off > (1 << 20))
		m->off[a] = -1;
	else if (m->off[a] == 0) {
		m->off[a] = (int32_t)off;
		m->seen[a] = 1;
	} else if (m->off[a] == off)
		m->seen[a]++;
	else
		m->off[a] = -1;
}

static intptr_t
model_trusted(const struct model *m, uintptr_t ip)
{
	int a = alpha_of(m, ip);

	return a >= 0 && m->seen[a] >= 2 && m->off[a] > 0 ? m->off[a] : 0;
}

static void
model_init(struct model *m, uint64_t rng, uintptr_t base)
{
	memset(m, 0, sizeof(*m));
	m->rng = rng;
	m->base = base;
	m->stack = map_words(SLOTS);
	for (unsigned a = 0; a < ALPHA; a++)
		m->words[a] = a < 2 ? 0 : 1 + (unsigned)(rng_next(&m->rng) % 24); /* two vary */
	for (unsigned s = 0; s < SHAPES; s++) {
		uint64_t r = rng_next(&m->rng);

		/* mostly short, some at and past CHAIN_MAX */
		m->shape[s].n = r % 16 == 0 ? CHAIN_MAX - 2 + (unsigned)(r >> 8) % 6 :
					      1 + (unsigned)(r >> 8) % 20;
		m->shape[s].s0 = (unsigned)(rng_next(&m->rng) % SLOT0S) * 3;
		for (unsigned k = 0; k < m->shape[s].n; k++) {
			uint64_t q = rng_next(&m->rng);

			/* the two whose frame size varies are rare */
			m->shape[s].ip[k] = q % 64 == 0 ? (unsigned)(q >> 8) % 2 :
							  2 + (unsigned)((q >> 8) % (ALPHA - 2));
		}
	}
}

/* Writes shape s into the fake stack: its values and slots into ips[] and
 * slot[], with this call's distance for the return addresses whose frame
 * size varies. */
static unsigned
model_lay(struct model *m, unsigned s, uintptr_t *ips, uintptr_t *slot)
{
	unsigned n = m->shape[s].n;
	size_t at = m->shape[s].s0;

	for (unsigned k = 0; k < n; k++) {
		unsigned a = m->shape[s].ip[k];

		ips[k] = m->base + 16 * a;
		slot[k] = (uintptr_t)&m->stack[at];
		m->stack[at] = ips[k];
		at += m->words[a] != 0 ? m->words[a] : 1 + rng_next(&m->rng) % 4;
	}
	return n;
}

/* Whether way w holds what the stack holds now. */
static bool
model_way_holds(const struct way *w, uintptr_t slot0)
{
	if (w->slot0 != slot0)
		return false;
	for (unsigned k = 0; k < w->n; k++)
		if (*(const uintptr_t *)w->slot[k] != w->val[k])
			return false;
	return true;
}

/* stackcache_store() as the model sees it. */
static bool
model_store(struct model *m, const uintptr_t *ips, unsigned n, uintptr_t slot0, stack_id_t id)
{
	uintptr_t slot[CHAIN_MAX];

	if (n == 0 || n > CHAIN_MAX)
		return false;
	slot[0] = slot0;
	for (unsigned k = 1; k < n; k++) {
		intptr_t off = model_trusted(m, ips[k - 1]);

		if (off == 0)
			return true;
		slot[k] = slot[k - 1] + (uintptr_t)off;
	}
	for (unsigned k = 0; k < n; k++)
		if (*(const uintptr_t *)slot[k] != ips[k])
			return true;
	struct way *w = &m->ways[m->victim++ % WAYS];

	w->slot0 = slot0;
	w->n = n;
	w->id = id;
	memcpy(w->slot, slot, n * sizeof(slot[0]));
	memcpy(w->val, ips, n * sizeof(ips[0]));
	m->stored++;
	return false;
}

#define MODEL_FAIL(m, ...)                                                   \
	do {                                                                 \
		if ((m)->fail[0] == '\0')                                    \
			snprintf((m)->fail, sizeof((m)->fail), __VA_ARGS__); \
	} while (0)

/* The model's answer to a lookup at slot0: whether some way holds, and
 * whether one holding has id `id`. */
static bool
model_lookup(const struct model *m, uintptr_t slot0, stack_id_t id, bool *id_ok)
{
	bool any = false;

	*id_ok = false;
	for (unsigned w = 0; w < WAYS; w++) {
		if (model_way_holds(&m->ways[w], slot0)) {
			any = true;
			*id_ok |= m->ways[w].id == id;
		}
	}
	return any;
}

/* One allocation as track.c makes it: lookup; on a miss store, and on
 * store's request a ground-truth walk (the chain's own slots). */
static void
model_call(struct model *m, unsigned op)
{
	uintptr_t ips[CHAIN_MAX + 4], slot[CHAIN_MAX + 4];
	unsigned s = (unsigned)(rng_next(&m->rng) % SHAPES);
	unsigned n = model_lay(m, s, ips, slot);
	stack_id_t id = 0;
	bool hit = stackcache_lookup(slot[0], &id);
	bool ok, any = model_lookup(m, slot[0], id, &ok);

	/* A miss though a way holds is allowed when the tag's scans kept
	 * missing (cold, see stackcache_lookup); model_check_cold() bounds
	 * how often. */
	if ((hit && !any) || (hit && !ok)) {
		MODEL_FAIL(m, "op %u shape %u (n %u): lookup %s (id %u), model %s", op, s, n,
		    hit ? "hit" : "missed", id, any ? "has a matching way" : "has none");
		return;
	}
	m->cold += !hit && any;
	if (hit) {
		m->hits++;
		return;
	}
	m->misses++;
	bool want = model_store(m, ips, n, slot[0], s + 1);
	bool walk = stackcache_store(slot[0], ips, n, s + 1);

	if (walk != want) {
		MODEL_FAIL(m, "op %u shape %u (n %u): store returned %d, model %d", op, s, n, walk,
		    want);
		return;
	}
	if (walk) {
		m->walks++;
		stackcache_observe(ips, slot, n);
		for (unsigned k = 0; k + 1 < n; k++)
			model_learn(m, ips[k], (intptr_t)(slot[k + 1] - slot[k]));
	}
}

/* A lookup at one of the first slots without writing a chain first: the
 * stack holds whatever the last chains and pokes left, so any way may
 * have gone stale (a slot changed) or come back. */
static void
model_probe(struct model *m, unsigned op)
{
	uintptr_t slot0 = (uintptr_t)&m->stack[(rng_next(&m->rng) % SLOT0S) * 3];
	stack_id_t id = 0;
	bool hit = stackcache_lookup(slot0, &id);
	bool ok, any = model_lookup(m, slot0, id, &ok);

	if ((hit && !any) || (hit && !ok))
		MODEL_FAIL(m, "op %u: probe at word %zu %s (id %u), model %s", op,
		    (size_t)((uintptr_t *)slot0 - m->stack), hit ? "hit" : "missed", id,
		    any ? "has a matching way" : "has none");
	m->cold += !hit && any;
	m->probe_hits += hit;
	m->probes++;
}

/* stackcache_walk() from a shape's first slot, against the model's
 * trusted distances (at most 48 steps of at most 24 words: in the stack). */
static void
model_walk(struct model *m, unsigned op)
{
	uintptr_t ips[CHAIN_MAX + 4], slot[CHAIN_MAX + 4], pcs[CHAIN_MAX], want[CHAIN_MAX];
	unsigned s = (unsigned)(rng_next(&m->rng) % SHAPES);
	unsigned max = 1 + (unsigned)(rng_next(&m->rng) % CHAIN_MAX);
	unsigned n = 0;
	uintptr_t at;

	model_lay(m, s, ips, slot);
	for (at = slot[0]; n < max;) {
		uintptr_t ip = *(const uintptr_t *)at;
		intptr_t off = model_trusted(m, ip);

		want[n++] = ip;
		if (off == 0)
			break;
		at += (uintptr_t)off;
	}
	unsigned got = stackcache_walk(slot[0], pcs, max);

	if (got != n || memcmp(pcs, want, n * sizeof(pcs[0])) != 0)
		MODEL_FAIL(m, "op %u: walk of shape %u (max %u) gave %u frames, model %u", op, s,
		    max, got, n);
}

static void
model_run(struct model *m, unsigned ops)
{
	for (unsigned op = 0; op < ops && m->fail[0] == '\0'; op++) {
		uint64_t r = rng_next(&m->rng) % 10000;

		if (r < 6000) {
			model_call(m, op);
		} else if (r < 8000) {
			model_probe(m, op);
		} else if (r < 9200) {
			/* poke a slot: an alphabet value or junk */
			size_t at = (size_t)(rng_next(&m->rng) % 512);

			m->stack[at] = rng_next(&m->rng) % 2 ?
			    m->base + 16 * (rng_next(&m->rng) % ALPHA) :
			    rng_next(&m->rng);
			m->pokes++;
		} else if (r < 9201) {
			/* a signal frame after one of a few: it is for good */
			uintptr_t ip = m->base + 16 * (2 + rng_next(&m->rng) % 3);

			stackcache_observe_variable(ip);
			model_learn(m, ip, -1);
		} else {
			model_walk(m, op);
		}
	}
}

START_TEST(model_random_chains)
{
	static struct model m;

	ck_assert(stackcache_init());
	model_init(&m, seed * 31 + (uint64_t)_i, 0x500000);
	model_run(&m, 60000);
	ck_assert_msg(m.fail[0] == '\0', SEEDED("%s", m.fail));
	ck_assert_msg(m.cold * 20 < m.hits + m.probe_hits,
	    SEEDED("%lu misses with a way holding, %lu hits", m.cold, m.hits + m.probe_hits));
	ck_assert_msg(m.hits > 1000 && m.stored > 2 * WAYS && m.walks > 10 && m.probe_hits > 100 &&
		m.probes - m.probe_hits > 100,
	    SEEDED("too little exercised: %lu hits, %lu stored, "
		   "%lu walks, %lu of %lu probes hit",
		m.hits, m.stored, m.walks, m.probe_hits, m.probes));
}
END_TEST

/* Threads, each with its own cache and fake stack and its own return
 * addresses, sharing the offset table. */
#define MODEL_THREADS 4

static void *
model_thread(void *arg)
{
	struct model *m = arg;

	model_run(m, 30000);
	return NULL;
}

START_TEST(model_threads)
{
	static struct model m[MODEL_THREADS];
	pthread_t tid[MODEL_THREADS];

	ck_assert(stackcache_init());
	for (unsigned t = 0; t < MODEL_THREADS; t++)
		model_init(&m[t], seed * 7 + t, 0x600000 + (uintptr_t)t * 0x10000);
	for (unsigned t = 0; t < MODEL_THREADS; t++)
		ck_assert_int_eq(pthread_create(&tid[t], NULL, model_thread, &m[t]), 0);
	for (unsigned t = 0; t < MODEL_THREADS; t++)
		ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
	for (unsigned t = 0; t < MODEL_THREADS; t++) {
		ck_assert_msg(m[t].fail[0] == '\0', SEEDED("thread %u: %s", t, m[t].fail));
		ck_assert_msg(m[t].hits > 100, SEEDED("thread %u: %lu hits", t, m[t].hits));
		ck_assert_msg(m[t].cold * 20 < m[t].hits + m[t].probe_hits,
		    SEEDED("thread %u: %lu misses with a way holding, %lu hits", t, m[t].cold,
			m[t].hits + m[t].probe_hits));
	}
}
END_TEST

/* ---- walks */

START_TEST(walk_follows_learned_distances)
{
	uintptr_t *st = map_words(1024);
	uintptr_t ips[6] = { 0x491000, 0x492000, 0x493000, 0x494000, 0x495000, 0x496000 };
	intptr_t off[5] = { 16, 80, 8, 256, 40 };
	uintptr_t slot[6], pcs[8];

	ck_assert(stackcache_init());
	lay((uintptr_t)&st[3], ips, off, 6, slot);
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 0), 0);
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 1); /* nothing learned */
	ck_assert_uint_eq(pcs[0], ips[0]);
	stackcache_observe(ips, slot, 6);
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 1); /* once is not trust */
	stackcache_observe(ips, slot, 6);
	memset(pcs, 0, sizeof(pcs));
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 6); /* ips[5]: no distance */
	ck_assert_mem_eq(pcs, ips, sizeof(ips));
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 3), 3);
	ck_assert_mem_eq(pcs, ips, 3 * sizeof(ips[0]));
	/* a walk reads what the slots hold now, not a cached chain */
	*(uintptr_t *)slot[2] = 0x49f000;
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 3);
	ck_assert_uint_eq(pcs[2], 0x49f000);
}
END_TEST

/* dlclose() unloaded code, and a library with other frame sizes may be
 * mapped at the same addresses next: the chains, the learned distances and
 * the walk they allowed are all forgotten, and the new distances are
 * learned and cached as if the addresses were new. */
START_TEST(code_unloaded_forgets_distances_and_chains)
{
	uintptr_t *st = map_words(1024);
	uintptr_t ips[4] = { 0x4a1000, 0x4a2000, 0x4a3000, 0x4a4000 };
	intptr_t off_old[3] = { 1040, 24, 72 }, off_new[3] = { 272, 24, 72 };
	uintptr_t slot[4], pcs[8];

	ck_assert(stackcache_init());
	lay((uintptr_t)&st[3], ips, off_old, 4, slot);
	MISSES(slot[0]);
	stackcache_observe(ips, slot, 4);
	stackcache_observe(ips, slot, 4);
	ck_assert(!stackcache_store(slot[0], ips, 4, 7));
	HITS(slot[0], 7);
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 4);

	stackcache_code_unloaded();
	MISSES(slot[0]);                                        /* the way is gone */
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 1); /* nothing trusted */
	ck_assert(stackcache_store(slot[0], ips, 4, 7));        /* asks for a walk again */

	/* The new code's frame after ips[0] is smaller. */
	memset(st, 0, 1024 * sizeof(uintptr_t));
	lay((uintptr_t)&st[3], ips, off_new, 4, slot);
	stackcache_observe(ips, slot, 4);
	stackcache_observe(ips, slot, 4);
	ck_assert(!stackcache_store(slot[0], ips, 4, 8));
	HITS(slot[0], 8);
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 4);
	ck_assert_mem_eq(pcs, ips, sizeof(ips));
}
END_TEST

/* mincore(), counted: stackcache.c's calls resolve to this one. */
static unsigned long mincore_calls;

int
mincore(void *addr, size_t len, unsigned char *vec)
{
	mincore_calls++;
	return (int)syscall(SYS_mincore, addr, len, vec);
}

/* A frame of three pages between two slots of a chain (a local buffer of
 * PATH_MAX bytes): the known-mapped range grows over it once, instead of
 * being replaced, so walks do not ask mincore() at every slot past it;
 * with the pages between unmapped, the walk still reads what is mapped. */
START_TEST(walks_past_a_big_frame_ask_mincore_once)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t ips[4] = { 0x4a5000, 0x4a6000, 0x4a7000, 0x4a8000 };
	intptr_t off[3] = { 16, 3 * page + 8, 16 };
	uintptr_t slot[4], pcs[8];

	for (int gap = 0; gap < 2; gap++) {
		uintptr_t *st = map_words(5 * (size_t)page / 8);

		ck_assert(stackcache_init());
		lay((uintptr_t)&st[2], ips, off, 4, slot);
		stackcache_observe(ips, slot, 4);
		stackcache_observe(ips, slot, 4);
		if (gap)
			ck_assert_int_eq(munmap((char *)st + page, 2 * (size_t)page), 0);
		mincore_calls = 0;
		for (int i = 0; i < 100; i++) {
			memset(pcs, 0, sizeof(pcs));
			ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 8), 4);
			ck_assert_mem_eq(pcs, ips, sizeof(ips));
		}
		if (!gap)
			ck_assert_msg(mincore_calls <= 2, "%lu mincore() calls in 100 walks",
			    mincore_calls);
	}
}
END_TEST

/* A learned distance that leads off the mapped stack: store gives up
 * without asking for a walk, and a walk stops before the unmapped slot. */
START_TEST(unmapped_slots_are_never_read)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t *two = map_words(2 * (size_t)page / 8);
	uintptr_t end = (uintptr_t)two + (uintptr_t)page;
	uintptr_t ips[2] = { 0x4a1000, 0x4a2000 };
	uintptr_t pcs[4];

	ck_assert_int_eq(munmap((void *)end, (size_t)page), 0);
	ck_assert(stackcache_init());
	teach(ips[0], 64);
	teach(ips[0], 64);
	uintptr_t slot0 = end - 32; /* its next slot lies past end */

	*(uintptr_t *)slot0 = ips[0];
	MISSES(slot0);
	ck_assert(!stackcache_store(slot0, ips, 2, 1));
	MISSES(slot0);
	ck_assert_uint_eq(stackcache_walk(slot0, pcs, 4), 1);
	ck_assert_uint_eq(pcs[0], ips[0]);
}
END_TEST

/* The offset table has 2^15 entries: once they are all taken, a new
 * return address is never learned (store keeps asking for walks, a walk
 * stops at it), and what was learned before still holds. */
START_TEST(offset_table_full)
{
	uintptr_t *st = map_words(1024);
	uintptr_t old[2] = { 0x4b0000, 0x4b0010 }, fresh[2] = { 0x7000000000, 0x4b0010 };
	intptr_t off[1] = { 32 };
	uintptr_t slot[2], pcs[4];

	ck_assert(stackcache_init());
	MISSES((uintptr_t)&st[1000]);
	teach(old[0], 32);
	teach(old[0], 32);
	for (uintptr_t k = 1; k < ((uintptr_t)1 << OFF_BITS) + 64; k++)
		teach(0x10000000 + 16 * k, 8);
	teach(fresh[0], 32);
	teach(fresh[0], 32);
	lay((uintptr_t)&st[10], fresh, off, 2, slot);
	ck_assert(stackcache_store(slot[0], fresh, 2, 1));
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 4), 1);
	lay((uintptr_t)&st[10], old, off, 2, slot);
	ck_assert(!stackcache_store(slot[0], old, 2, 2));
	HITS(slot[0], 2);
	ck_assert_uint_eq(stackcache_walk(slot[0], pcs, 4), 2);
}
END_TEST

/* ---- threads: one cache each, handed over on the same stack block */

/* A chain the handover cases share: taught to the global table, written
 * in a fake stack that is not any thread's. */
static uintptr_t *hand_stack;
static uintptr_t hand_ips[3] = { 0x4c1000, 0x4c2000, 0x4c3000 };
static uintptr_t hand_slot[3];

static void
hand_setup(uintptr_t *stack)
{
	intptr_t off[2] = { 48, 24 };

	hand_stack = stack;
	lay((uintptr_t)&stack[16], hand_ips, off, 3, hand_slot);
	stackcache_observe(hand_ips, hand_slot, 3);
	stackcache_observe(hand_ips, hand_slot, 3);
}

struct hand {
	pthread_t self;
	int hit; /* lookup of the shared chain: 1 hit, 0 miss */
	stack_id_t id;
	bool store;       /* store the chain (after the lookup) */
	bool store_first; /* store before any lookup */
	bool walk_first;  /* what that store returned */
	bool stored;
	pthread_barrier_t *hold; /* wait here twice before exiting, if set */
};

static void *
hand_run(void *arg)
{
	struct hand *h = arg;

	h->self = pthread_self();
	if (h->store_first)
		h->walk_first = stackcache_store(hand_slot[0], hand_ips, 3, 77);
	h->hit = stackcache_lookup(hand_slot[0], &h->id);
	if (h->store && !h->hit)
		h->stored = !stackcache_store(hand_slot[0], hand_ips, 3, 77);
	if (h->hold != NULL) {
		pthread_barrier_wait(h->hold);
		pthread_barrier_wait(h->hold);
	}
	return NULL;
}

static void
hand_thread(struct hand *h)
{
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, hand_run, h), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}

START_TEST(thread_caches_are_their_own)
{
	static uintptr_t stack[256];
	pthread_barrier_t hold;
	pthread_t t;
	struct hand a = { .store = true, .hold = &hold }, c = { 0 };

	ck_assert(stackcache_init());
	hand_setup(stack);
	ck_assert_int_eq(pthread_barrier_init(&hold, NULL, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, hand_run, &a), 0);
	pthread_barrier_wait(&hold); /* a stored its chain and is alive */
	ck_assert(!a.hit && a.stored);
	hand_thread(&c);
	ck_assert_msg(!c.hit, "a thread hit another live thread's chain");
	MISSES(hand_slot[0]); /* nor does this one */
	pthread_barrier_wait(&hold);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

/* The next thread on the same stack block (glibc reuses a joined thread's
 * stack, its thread pointer with it) takes the cache, chains and all. */
START_TEST(handover_to_next_thread_on_same_stack)
{
	static uintptr_t stack[256];
	struct hand a = { .store = true }, b = { 0 }, c = { 0 };

	ck_assert(stackcache_init());
	hand_setup(stack);
	hand_thread(&a);
	ck_assert(!a.hit && a.stored);
	hand_thread(&b);
	if (pthread_equal(a.self, b.self)) {
		ck_assert_msg(b.hit && b.id == 77,
		    "same stack block: the chain was not handed over "
		    "(hit %d id %u)",
		    b.hit, b.id);
	} else {
		ck_assert_msg(!b.hit, "another stack block got the chain");
		fprintf(stderr, "check_stackcache: glibc gave the next thread another stack\n");
	}
	/* and on again, after b exited */
	hand_thread(&c);
	if (pthread_equal(b.self, c.self))
		ck_assert(c.hit && c.id == 77);
	MISSES(hand_slot[0]); /* the main thread never had it */
}
END_TEST

/* Waits on the barrier twice, never touching the stack cache. */
static void *
sit(void *arg)
{
	pthread_barrier_wait(arg);
	pthread_barrier_wait(arg);
	return NULL;
}

/* A free cache taken by a thread on another stack block is emptied. */
START_TEST(handover_to_another_stack_empties)
{
	static uintptr_t stack[256];
	pthread_barrier_t hold;
	pthread_t t;
	struct hand a = { .store = true }, b = { 0 };

	ck_assert(stackcache_init());
	hand_setup(stack);
	hand_thread(&a);
	ck_assert(a.stored);
	/* a sitter takes a's stack block without claiming a cache, so b runs
	 * on another block and finds a's cache free */
	ck_assert_int_eq(pthread_barrier_init(&hold, NULL, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, sit, &hold), 0);
	pthread_barrier_wait(&hold);
	hand_thread(&b);
	pthread_barrier_wait(&hold);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	if (pthread_equal(b.self, a.self))
		ck_assert(b.hit && b.id == 77);
	else
		ck_assert_msg(!b.hit,
		    "a cache passed to a thread on another stack kept its chains");
}
END_TEST

/* For the unmapped handover: claims a cache with a lookup elsewhere, lets
 * the main thread map the fake stack back, then looks the chain up. */
struct reclaim {
	struct hand h;
	pthread_barrier_t step;
	uintptr_t elsewhere;
};

static void *
reclaim_run(void *arg)
{
	struct reclaim *r = arg;
	stack_id_t id;

	r->h.self = pthread_self();
	(void)stackcache_lookup(r->elsewhere, &id); /* claims, with the slots unmapped */
	pthread_barrier_wait(&r->step);
	pthread_barrier_wait(&r->step); /* the memory is back */
	r->h.hit = stackcache_lookup(hand_slot[0], &r->h.id);
	return NULL;
}

/* A handed-over cache whose slots are no longer mapped is emptied, not
 * read: the next thread's first lookup elsewhere must not fault, and the
 * chain does not come back when the memory does. */
START_TEST(handover_with_unmapped_slots_empties)
{
	size_t bytes = 4096;
	/* far below where mmap places things, so that nothing is given the
	 * page while it is unmapped */
	uintptr_t *stack = mmap((void *)0x300000000000, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	static uintptr_t elsewhere[8] = { 0x4cf000 };

	if (stack == MAP_FAILED)
		stack = map_words(bytes / 8);
	static struct reclaim r;
	struct hand a = { .store = true };
	pthread_t t;

	ck_assert(stackcache_init());
	hand_setup(stack);
	hand_thread(&a);
	ck_assert(a.stored);
	ck_assert_int_eq(munmap(stack, bytes), 0);
	memset(&r, 0, sizeof(r));
	r.elsewhere = (uintptr_t)&elsewhere[0];
	ck_assert_int_eq(pthread_barrier_init(&r.step, NULL, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, reclaim_run, &r), 0);
	pthread_barrier_wait(&r.step);
	/* Something else (a sanitizer's runtime, say) may have been given the
	 * freed page meanwhile: then the slots were mapped at the claim, and
	 * the page is not ours to map again. */
	unsigned char vec[1];

	if (mincore(stack, bytes, vec) == 0) {
		pthread_barrier_wait(&r.step);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
		fprintf(stderr,
		    "check_stackcache: the unmapped page was mapped again by someone "
		    "else; nothing to check\n");
		return;
	}
	void *back = mmap(stack, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	ck_assert_ptr_eq(back, stack);
	hand_setup(stack); /* the same chain in the same slots */
	pthread_barrier_wait(&r.step);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(!r.h.hit, "chains over unmapped slots were kept (same stack block: %d)",
	    pthread_equal(a.self, r.h.self) != 0);
	if (!pthread_equal(a.self, r.h.self))
		fprintf(stderr, "check_stackcache: glibc gave the next thread another stack\n");
}
END_TEST

/* Store before this thread's first lookup: no cache yet, nothing stored. */
START_TEST(store_before_any_lookup_stores_nothing)
{
	static uintptr_t stack[256];
	struct hand a = { .store_first = true };

	ck_assert(stackcache_init());
	hand_setup(stack);
	hand_thread(&a);
	ck_assert(!a.walk_first); /* nothing to teach either */
	ck_assert(!a.hit);
}
END_TEST

/* stackcache_unwind() on this test's real stack (built -O2, no frame
 * pointers): the chain it walks by CFI rules is the one libunwind's cursor
 * walk finds from the same slot, return address for return address and
 * slot for slot; a walked chain, once stored, is a hit. */
static unsigned
unwind_here(uintptr_t slot0, uintptr_t *ip, uintptr_t *slot, unsigned max)
{
	unw_context_t uc;
	unw_cursor_t cur;
	unsigned n = 0;
	bool started = false;

	ck_assert(unw_getcontext(&uc) == 0 && unw_init_local(&cur, &uc) == 0);
	while (n < max && unw_step(&cur) > 0) {
		unw_word_t pc, sp;

		unw_get_reg(&cur, UNW_REG_IP, &pc);
		unw_get_reg(&cur, UNW_REG_SP, &sp);
		if (!started && sp - sizeof(uintptr_t) != slot0)
			continue;
		started = true;
		ip[n] = pc;
		slot[n++] = sp - sizeof(uintptr_t);
	}
	return n;
}

static volatile uintptr_t real_sink;

static __attribute__((noinline)) void
real_frames(int left)
{
	volatile uintptr_t pad[5];

	pad[0] = (uintptr_t)left;
	if (left > 0) {
		real_frames(left - 1);
	} else {
		uintptr_t slot0 = (uintptr_t)__builtin_dwarf_cfa() - sizeof(uintptr_t);
		uintptr_t chain[64], slots[64], ip[64], slot[64];
		stack_id_t known = 1;
		unsigned n = stackcache_unwind(slot0, chain, slots, 48, 0, 0, &known);
		unsigned m = unwind_here(slot0, ip, slot, 64);
		stack_id_t id = 0;

		ck_assert_msg(n > 20, "walked %u frames (libunwind %u)", n, m);
		ck_assert_uint_eq(n, m);
		for (unsigned k = 0; k < n; k++) {
			ck_assert_msg(chain[k] == ip[k], "frame %u: %#lx, libunwind %#lx", k,
			    (unsigned long)chain[k], (unsigned long)ip[k]);
			ck_assert(slots[k] == slot[k]);
		}
		ck_assert_uint_eq(known, 0); /* no memo yet: too few walks */
		stackcache_store_walked(slots, chain, n, 77, NULL, 0);
		ck_assert(stackcache_lookup(slot0, &id));
		ck_assert_uint_eq(id, 77);
	}
	real_sink = pad[0];
}

START_TEST(unwind_matches_libunwind_on_real_frames)
{
	ck_assert(stackcache_init());
	real_frames(24);
}
END_TEST

/* The memo on real frames: a thread gets one after MEMO_AFTER walks; the
 * walk after the first one stored into it stops at the key's frames with
 * the stored id and the whole chain; stored frames that differ from the stack's make it walk
 * on. memo_leaf() keeps the arrays out of memo_frames()'s frames. */
static __attribute__((noinline)) void
memo_leaf(void)
{
	uintptr_t slot0 = (uintptr_t)__builtin_dwarf_cfa() - sizeof(uintptr_t);
	uintptr_t chain[64], slots[64], pcs[64];
	stack_id_t known = 0;
	unsigned i, n = 0, walked = 0;

	for (i = 0; i < MEMO_AFTER + 2; i++) {
		n = stackcache_unwind(slot0, chain, slots, 30, 0, 0, &known);
		if (known != 0)
			break;
		walked = n;
		memcpy(pcs, chain, n * sizeof(chain[0]));
		stackcache_store_walked(slots, chain, n, 77, pcs, n);
	}
	ck_assert_uint_eq(walked, 30);
	ck_assert_uint_eq(known, 77);
	ck_assert_uint_eq(i, MEMO_AFTER);
	/* It stopped walking at the key; the rest comes from the memo. */
	ck_assert_uint_eq(n, 30);
	ck_assert_mem_eq(chain, pcs, 30 * sizeof(chain[0]));
	for (unsigned k = 0; k < 30; k++)
		ck_assert_uint_eq(*(const uintptr_t *)slots[k], chain[k]);
	n = stackcache_unwind(slot0, chain, slots, 30, 0, 0, &known);
	ck_assert_uint_eq(known, 77);
	/* WAYS other chains push it out of the ways; found in the memo, it
	 * goes back into them, and the next lookup finds it there. */
	static uintptr_t other[WAYS];
	stack_id_t id = 0;
	for (unsigned w = 0; w < WAYS; w++) {
		uintptr_t ip = 0x4a1000 + 0x10 * w, at = (uintptr_t)&other[w];

		other[w] = ip;
		stackcache_store_walked(&at, &ip, 1, 100 + w, &ip, 1);
	}
	ck_assert(!stackcache_lookup(slot0, &id));
	n = stackcache_unwind(slot0, chain, slots, 30, 0, 0, &known);
	ck_assert_uint_eq(known, 77);
	ck_assert(stackcache_lookup(slot0, &id));
	ck_assert_uint_eq(id, 77);
	/* Another frame limit: not the stored chain's. */
	n = stackcache_unwind(slot0, chain, slots, 29, 0, 0, &known);
	ck_assert_uint_eq(known, 0);
	ck_assert_uint_eq(n, 29);
	/* The stored frames now differ from the stack's at frame 20: a walk. */
	pcs[20] ^= 1;
	n = stackcache_unwind(slot0, chain, slots, 30, 0, 0, &known);
	ck_assert_uint_eq(known, 0);
	ck_assert_uint_eq(n, 30);
	pcs[20] ^= 1;
}

static __attribute__((noinline)) void
memo_frames(int left)
{
	volatile uintptr_t pad[3];

	pad[0] = (uintptr_t)left;
	if (left > 0)
		memo_frames(left - 1);
	else
		memo_leaf();
	real_sink = pad[0];
}

START_TEST(memo_after_many_walks_on_real_frames)
{
	ck_assert(stackcache_init());
	memo_frames(40);
}
END_TEST

static Suite *
stackcache_suite(void)
{
	Suite *s = suite_create("stackcache");
	TCase *tc = tcase_create("learn");

	tcase_add_test(tc, store_asks_for_a_walk_until_two_walks_agree);
	tcase_add_test(tc, disagreeing_walks_make_a_distance_variable);
	tcase_add_test(tc, observe_variable_is_never_trusted);
	tcase_add_test(tc, impossible_distances_are_variable);
	tcase_add_test(tc, store_checks_every_slot_it_computes);
	tcase_add_test(tc, store_refuses_empty_and_long_chains);
	tcase_add_test(tc, offset_table_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_test(tc, lookup_misses_when_any_slot_changed);
	tcase_add_test(tc, same_tag_different_chains);
	tcase_add_test(tc, way_replacement_round_robin);
	tcase_add_test(tc, walk_follows_learned_distances);
	tcase_add_test(tc, code_unloaded_forgets_distances_and_chains);
	tcase_add_test(tc, unmapped_slots_are_never_read);
	tcase_add_test(tc, walks_past_a_big_frame_ask_mincore_once);
	tcase_add_test(tc, unwind_matches_libunwind_on_real_frames);
	tcase_add_test(tc, memo_after_many_walks_on_real_frames);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, model_random_chains, 0, 4);
	tcase_add_loop_test(tc, model_threads, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_test(tc, thread_caches_are_their_own);
	tcase_add_test(tc, handover_to_next_thread_on_same_stack);
	tcase_add_test(tc, handover_to_another_stack_empties);
	tcase_add_test(tc, handover_with_unmapped_slots_empties);
	tcase_add_test(tc, store_before_any_lookup_stores_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(stackcache_suite(), "check_stackcache");
}
