/*
 * check_stackmemo.c - stackmemo.c: the stack cache's second level, on fake
 * stacks in the test's own memory, against a naive model.
 *
 * A fake stack is an array of words; a chain is a run of "return
 * addresses" written into it at chosen distances, and its depot frames
 * are the same addresses (or all but one: libleak's own frame, as main's
 * return into it). The cases: a stored chain is found while every slot
 * holds its value and not once any slot beyond the key changes; a key
 * frame that differs; the frame limit (a chain cut at one limit is not
 * another limit's, a chain that ended is any limit's at or above its
 * length, which counts the program's frames only); the one own frame,
 * wherever it sits but first (in the key too); what is never stored (too
 * short, too long, a distance that is not whole words, a second one of
 * 256 words or more past the key, or one of 65,536, frames that differ
 * from the depot's; one big distance is kept); a key's two slots, taken
 * in turn once both are full; clear, and its generation's wrap. Then a
 * model: random chains, stores, pokes and finds, each find's answer
 * compared with a naive array of what each slot holds.
 * The seed comes from TEST_SEED or the clock; failure messages name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "track/stackmemo.h"
#include "seeded.h"

#define SLOTS_BITS  16 /* stackmemo.c's */
#define SLOTS       ((size_t)1 << SLOTS_BITS)
#define K           MEMO_KEY_FRAMES
#define STACK_WORDS (1 << 17) /* room for a frame of 65,535 words */

static uintptr_t stack[STACK_WORDS];

struct chain {
	unsigned n;
	uintptr_t ips[MEMO_FRAMES + 2];
	uintptr_t slots[MEMO_FRAMES + 2];
	uintptr_t pcs[MEMO_FRAMES + 2]; /* the depot's frames */
	unsigned np;
	bool ended;
	stack_id_t id;
	uint64_t key;
};

/* A chain of n frames from word `at`, `words[k]` words between frames
 * (every distance 3 words when words is NULL), written into the stack;
 * its depot frames are its own. */
static void
chain_make(struct chain *c, unsigned at, unsigned n, const unsigned *words, uintptr_t base)
{
	unsigned pos = at;

	memset(c, 0, sizeof(*c));
	c->n = n;
	for (unsigned k = 0; k < n; k++) {
		ck_assert(pos < STACK_WORDS);
		c->ips[k] = base + 0x10 * k + 1;
		c->slots[k] = (uintptr_t)&stack[pos];
		stack[pos] = c->ips[k];
		c->pcs[k] = c->ips[k];
		pos += words != NULL ? words[k] : 3;
	}
	c->np = n;
	c->key = stackmemo_key(c->slots[0], c->ips);
	c->id = (stack_id_t)(base & 0xffffff) | 1;
}

/* Rewrites the chain's values into the stack (another chain may have
 * written over them). */
static void
chain_write(const struct chain *c)
{
	for (unsigned k = 0; k < c->n; k++)
		*(uintptr_t *)c->slots[k] = c->ips[k];
}

static void
store(struct stackmemo *m, const struct chain *c)
{
	stackmemo_store(m, c->key, c->slots, c->ips, c->n, c->pcs, c->np, c->id, c->ended);
}

/* What a walk that read c's first K frames and asks the memo gets; a hit
 * gives back the frames past the key as a walk would read them. */
static stack_id_t
find(const struct stackmemo *m, const struct chain *c, unsigned max)
{
	uintptr_t ips[MEMO_FRAMES + 2], slots[MEMO_FRAMES + 2];
	unsigned n = 0;

	memset(ips, 0, sizeof(ips));
	memset(slots, 0, sizeof(slots));
	memcpy(ips, c->ips, K * sizeof(ips[0]));
	memcpy(slots, c->slots, K * sizeof(slots[0]));
	stack_id_t id = stackmemo_find(m, c->key, ips, slots, max, &n);
	if (id != 0) {
		ck_assert_uint_ge(n, K);
		for (unsigned k = K; k < n; k++)
			ck_assert_msg(slots[k] > slots[k - 1] &&
				ips[k] == *(const uintptr_t *)slots[k],
			    "frame %u of %u not given back", k, n);
	}
	return id;
}

START_TEST(found_while_every_slot_holds)
{
	struct stackmemo *m = stackmemo_new();
	struct chain c;

	ck_assert_ptr_nonnull(m);
	chain_make(&c, 100, 20, NULL, 0x400000);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), c.id);
	uintptr_t ips[MEMO_FRAMES + 2], slots[MEMO_FRAMES + 2];
	unsigned n = 0;

	memcpy(ips, c.ips, K * sizeof(ips[0]));
	memcpy(slots, c.slots, K * sizeof(slots[0]));
	ck_assert_uint_eq(stackmemo_find(m, c.key, ips, slots, 20, &n), c.id);
	ck_assert_uint_eq(n, c.n);
	ck_assert_mem_eq(ips, c.ips, c.n * sizeof(ips[0]));
	ck_assert_mem_eq(slots, c.slots, c.n * sizeof(slots[0]));
	for (unsigned k = K; k < c.n; k++) {
		*(uintptr_t *)c.slots[k] ^= 0x100;
		ck_assert_msg(find(m, &c, 20) == 0, "frame %u changed, still found", k);
		*(uintptr_t *)c.slots[k] ^= 0x100;
		ck_assert_uint_eq(find(m, &c, 20), c.id);
	}
	/* A different walked frame within the key (a hash that collides). */
	for (unsigned k = 0; k < K; k++) {
		struct chain d = c;

		d.ips[k] ^= 0x100;
		ck_assert_msg(find(m, &d, 20) == 0, "key frame %u differs, still found", k);
	}
}
END_TEST

START_TEST(frame_limit_and_end)
{
	struct stackmemo *m = stackmemo_new();
	struct chain cut, ended;

	chain_make(&cut, 100, 16, NULL, 0x500000);
	store(m, &cut);
	ck_assert_uint_eq(find(m, &cut, 16), cut.id);
	ck_assert_uint_eq(find(m, &cut, 17), 0); /* a walk to 17 would go on */
	ck_assert_uint_eq(find(m, &cut, 15), 0);

	chain_make(&ended, 1000, 12, NULL, 0x600000);
	ended.ended = true;
	store(m, &ended);
	ck_assert_uint_eq(find(m, &ended, 12), ended.id);
	ck_assert_uint_eq(find(m, &ended, 40), ended.id);
	ck_assert_uint_eq(find(m, &ended, 11), 0); /* cut before its end */

	/* The limit counts the program's frames, not libleak's one: a chain
	 * of 17 frames with it was cut at 16, and one of 13 ended within 12. */
	struct chain own_cut, own_ended;

	chain_make(&own_cut, 2000, 17, NULL, 0x680000);
	for (unsigned k = 10; k + 1 < own_cut.n; k++)
		own_cut.pcs[k] = own_cut.ips[k + 1];
	own_cut.np = own_cut.n - 1;
	store(m, &own_cut);
	ck_assert_uint_eq(find(m, &own_cut, 16), own_cut.id);
	ck_assert_uint_eq(find(m, &own_cut, 17), 0);
	chain_make(&own_ended, 3000, 13, NULL, 0x690000);
	own_ended.ended = true;
	for (unsigned k = 10; k + 1 < own_ended.n; k++)
		own_ended.pcs[k] = own_ended.ips[k + 1];
	own_ended.np = own_ended.n - 1;
	store(m, &own_ended);
	ck_assert_uint_eq(find(m, &own_ended, 12), own_ended.id);
	ck_assert_uint_eq(find(m, &own_ended, 32), own_ended.id);
	ck_assert_uint_eq(find(m, &own_ended, 11), 0);
}
END_TEST

START_TEST(one_own_frame_anywhere_but_first)
{
	struct stackmemo *m = stackmemo_new();

	for (unsigned at = 1; at < 20; at++) {
		struct chain c;

		chain_make(&c, 200 + 80 * at, 20, NULL, 0x700000 + 0x1000 * at);
		/* Frame `at` is libleak's: the depot has the rest, and the walk
		 * was cut at 19 of the program's frames. */
		for (unsigned k = at; k + 1 < c.n; k++)
			c.pcs[k] = c.ips[k + 1];
		c.np = c.n - 1;
		store(m, &c);
		ck_assert_msg(find(m, &c, 19) == c.id, "own frame at %u", at);
		/* Changed on the stack; a walk reads the key's frames itself. */
		*(uintptr_t *)c.slots[at] ^= 0x100;
		c.ips[at] ^= at < K ? 0x100 : 0;
		ck_assert_msg(find(m, &c, 19) == 0, "own frame at %u changed, still found", at);
		c.ips[at] ^= at < K ? 0x100 : 0;
		*(uintptr_t *)c.slots[at] ^= 0x100;
		*(uintptr_t *)c.slots[c.n - 1] ^= 0x100;
		ck_assert_msg(find(m, &c, 19) == 0, "last frame changed, own at %u", at);
	}
}
END_TEST

START_TEST(what_is_never_stored)
{
	struct stackmemo *m = stackmemo_new();
	struct chain c;
	unsigned words[MEMO_FRAMES + 2];

	chain_make(&c, 10, K - 1, NULL, 0x800000);
	c.ended = true;
	store(m, &c);
	c.n = K;                               /* a walk that read K frames there */
	ck_assert_uint_eq(find(m, &c, 32), 0); /* shorter than the key */

	chain_make(&c, 10, MEMO_FRAMES + 1, NULL, 0x810000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, MEMO_FRAMES + 1), 0); /* longer than an entry */
	chain_make(&c, 10, MEMO_FRAMES, NULL, 0x810000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, MEMO_FRAMES), c.id); /* the longest kept */

	for (unsigned k = 0; k < MEMO_FRAMES + 2; k++)
		words[k] = 3;
	/* One frame of 256 words or more past the key is kept (up to 65,535
	 * words), two are not; the key's own distances are not limited. */
	words[10] = 256; /* 2 KiB: more than a byte of words */
	chain_make(&c, 10, 20, words, 0x820000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), c.id);
	words[10] = 65535;
	chain_make(&c, 10, 20, words, 0x821000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), c.id);
	words[10] = 65536;
	chain_make(&c, 10, 20, words, 0x822000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	words[10] = 300;
	words[14] = 256;
	chain_make(&c, 10, 20, words, 0x823000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	words[10] = words[14] = 3;
	words[3] = 70000;
	chain_make(&c, 10, 20, words, 0x824000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), c.id);
	words[3] = 3;
	words[10] = 255;
	chain_make(&c, 10, 20, words, 0x825000);
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), c.id);

	/* A distance that is not whole words. */
	chain_make(&c, 3000, 20, NULL, 0x830000);
	c.slots[15] += 4;
	store(m, &c);
	c.slots[15] -= 4;
	ck_assert_uint_eq(find(m, &c, 20), 0);

	/* Depot frames that differ from the chain's: one in the key, two
	 * frames missing, one beyond the key, an own frame first. */
	chain_make(&c, 4000, 20, NULL, 0x840000);
	c.pcs[3] ^= 0x100;
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	chain_make(&c, 4000, 20, NULL, 0x880000);
	for (unsigned k = 0; k + 1 < c.n; k++)
		c.pcs[k] = c.ips[k + 1];
	c.np = c.n - 1;
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	chain_make(&c, 4000, 20, NULL, 0x850000);
	c.np = c.n - 2;
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	chain_make(&c, 4000, 20, NULL, 0x860000);
	c.pcs[12] ^= 0x100;
	store(m, &c);
	ck_assert_uint_eq(find(m, &c, 20), 0);
	store(m, &(struct chain){ 0 }); /* n = 0 */
	chain_make(&c, 4000, 20, NULL, 0x870000);
	stackmemo_store(m, c.key, c.slots, c.ips, c.n, NULL, 0, c.id, false); /* no pcs */
	ck_assert_uint_eq(find(m, &c, 20), 0);
}
END_TEST

/* A key of tag t whose slot a is sa and slot b is sb. */
static uint64_t
key_of(uint64_t t, uint64_t sa, uint64_t sb)
{
	return t << 40 | sb << SLOTS_BITS | sa;
}

START_TEST(two_slots_in_turn_and_clear)
{
	struct stackmemo *m = stackmemo_new();
	struct chain c[4];

	/* Four chains whose keys share both slots (the test picks the keys). */
	for (unsigned i = 0; i < 4; i++) {
		chain_make(&c[i], 100 + 100 * i, 12, NULL, 0x900000 + 0x1000 * i);
		c[i].key = key_of(i + 1, 77, 5);
		store(m, &c[i]);
	}
	/* 0 took slot a, 1 slot b; 2 replaced 0 in a, 3 replaced 1 in b. */
	ck_assert_uint_eq(find(m, &c[0], 12), 0);
	ck_assert_uint_eq(find(m, &c[1], 12), 0);
	ck_assert_uint_eq(find(m, &c[2], 12), c[2].id);
	ck_assert_uint_eq(find(m, &c[3], 12), c[3].id);
	/* A key whose slot b is another's slot a: found in b. */
	chain_make(&c[0], 1000, 12, NULL, 0x950000);
	c[0].key = key_of(9, 3, 77);
	store(m, &c[0]); /* slot 3 is empty: a */
	chain_make(&c[1], 1100, 12, NULL, 0x960000);
	c[1].key = key_of(10, 3, 78);
	store(m, &c[1]); /* slot 3 is 0's: b, slot 78 */
	ck_assert_uint_eq(find(m, &c[0], 12), c[0].id);
	ck_assert_uint_eq(find(m, &c[1], 12), c[1].id);

	stackmemo_clear(m);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(find(m, &c[i], 12), 0);
	store(m, &c[1]);
	ck_assert_uint_eq(find(m, &c[1], 12), c[1].id);
}
END_TEST

START_TEST(clear_past_the_generation_wrap)
{
	struct stackmemo *m = stackmemo_new();
	struct chain a, b;

	/* a stored in the first generation; after 255 clears the 8-bit
	 * generation is the first one again, and a must not come back. */
	chain_make(&a, 100, 12, NULL, 0x970000);
	chain_make(&b, 300, 12, NULL, 0x980000);
	store(m, &a);
	ck_assert_uint_eq(find(m, &a, 12), a.id);
	for (unsigned i = 0; i < 255; i++) {
		stackmemo_clear(m);
		ck_assert_uint_eq(find(m, &a, 12), 0);
		if (i == 200)
			store(m, &b); /* a later generation's: gone too */
	}
	ck_assert_uint_eq(find(m, &a, 12), 0);
	ck_assert_uint_eq(find(m, &b, 12), 0);
	store(m, &b);
	ck_assert_uint_eq(find(m, &b, 12), b.id);
}
END_TEST

/* The model: what each slot holds (the chain's index) and the memo's
 * turn between two full slots; a find's answer is the first of the key's
 * two slots whose chain has the key's tag, the limit and every value in
 * the stack now. */
struct model {
	int slot[SLOTS]; /* chain index, -1 empty */
	unsigned flip;
};

#define CHAINS 64

/* False when c has two distances of 256 words or more past the key. */
static bool
storable(const struct chain *c)
{
	unsigned big = 0;

	for (unsigned k = K; k < c->n; k++)
		big += c->slots[k] - c->slots[k - 1] > 255 * sizeof(uintptr_t);
	return big < 2;
}

static bool
model_holds(const struct chain *c, const struct chain *asked)
{
	for (unsigned k = 0; k < K; k++)
		if (c->ips[k] != asked->ips[k])
			return false;
	/* Beyond the key, c's distances from the asked chain's last key slot. */
	uintptr_t slot = asked->slots[K - 1];

	for (unsigned k = K; k < c->n; k++) {
		slot += c->slots[k] - c->slots[k - 1];
		if (*(const uintptr_t *)slot != c->ips[k])
			return false;
	}
	return true;
}

START_TEST(model_random_chains)
{
	static struct model md;
	static struct chain ch[CHAINS];
	struct stackmemo *m = stackmemo_new();
	uint64_t s = seed;

	for (size_t i = 0; i < SLOTS; i++)
		md.slot[i] = -1;
	md.flip = 0;
	/* Chains over a small region, so that they write over each other;
	 * both slots drawn from 4, tags from 4, so that slots fill, keys share
	 * one slot or both, and tags collide. */
	for (unsigned i = 0; i < CHAINS; i++) {
		unsigned n = K + (unsigned)(rng_next(&s) % (MEMO_FRAMES - K + 1));
		unsigned words[MEMO_FRAMES + 2];

		for (unsigned k = 0; k < n; k++)
			words[k] = rng_next(&s) % 16 == 0 ? 256 + (unsigned)(rng_next(&s) % 600) :
							    1 + (unsigned)(rng_next(&s) % 3);
		chain_make(&ch[i], (unsigned)(rng_next(&s) % 64), n, words,
		    0x1000000 + 0x100 * (rng_next(&s) % 3));
		ch[i].ended = rng_next(&s) % 2 == 0;
		ch[i].key = key_of(rng_next(&s) % 4 + 1, rng_next(&s) % 4, rng_next(&s) % 4);
		ch[i].id = i + 1;
	}
	for (unsigned op = 0; op < 20000; op++) {
		unsigned i = (unsigned)(rng_next(&s) % CHAINS);
		const struct chain *c = &ch[i];
		size_t sa = c->key & (SLOTS - 1), sb = (c->key >> SLOTS_BITS) & (SLOTS - 1);
		unsigned r = (unsigned)(rng_next(&s) % 10);

		if (r < 3) {
			chain_write(c);
			store(m, c);
			if (!storable(c))
				continue; /* two big distances: not stored */
			size_t to = md.slot[sa] < 0 ? sa :
			    md.slot[sb] < 0         ? sb :
			    (md.flip++ & 1)         ? sb :
						      sa;
			md.slot[to] = (int)i;
		} else if (r < 5) {
			chain_write(c);
		} else {
			unsigned max = c->ended ? c->n + (unsigned)(rng_next(&s) % 3) : c->n;
			stack_id_t want = 0;
			const size_t two[2] = { sa, sb };

			for (unsigned w = 0; w < 2 && want == 0; w++) {
				int j = md.slot[two[w]];

				if (j < 0 || (ch[j].key >> 32 | 1) != (c->key >> 32 | 1))
					continue;
				if ((ch[j].ended ? ch[j].n <= max : ch[j].n == max) &&
				    model_holds(&ch[j], c))
					want = ch[j].id;
			}
			stack_id_t got = find(m, c, max);
			ck_assert_msg(got == want,
			    SEEDED("op %u: chain %u (slots %zu, %zu): got %u, model %u", op, i, sa,
				sb, got, want));
		}
	}
}
END_TEST

static Suite *
stackmemo_suite(void)
{
	Suite *s = suite_create("stackmemo");
	TCase *tc = tcase_create("memo");

	tcase_add_test(tc, found_while_every_slot_holds);
	tcase_add_test(tc, frame_limit_and_end);
	tcase_add_test(tc, one_own_frame_anywhere_but_first);
	tcase_add_test(tc, what_is_never_stored);
	tcase_add_test(tc, two_slots_in_turn_and_clear);
	tcase_add_test(tc, clear_past_the_generation_wrap);
	tcase_add_test(tc, model_random_chains);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(stackmemo_suite(), "stackmemo");
}
