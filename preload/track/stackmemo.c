/*
 * stackmemo.c - one thread's memo of walked chains, keyed by their first
 * frames: the stack cache's second level.
 *
 * Why: the stack cache's ways hold a thread's last 32 chains, which is
 * what a loop needs; a program that allocates from hundreds or thousands
 * of call paths in turn (an interpreter's many call sites, a parser's
 * recursion) misses them all and pays, per allocation, a walk of every
 * frame by CFI rules and a depot lookup that hashes all the frames and
 * compares them with an entry far out of cache. Here a chain is found
 * from its first MEMO_KEY_FRAMES frames: the walk stops there, and the
 * rest of the chain is checked slot by slot at the distances stored with
 * it. Those reads do not depend on one another (the walk's do: each
 * distance comes from the return address just read), and a match gives
 * the stack id without the depot, and the whole chain, which the stack
 * cache puts back into its ways (a chain that is hot again hits there).
 *
 * Why a match is the stack a walk would find: the walk goes from a slot
 * to the next by the CFI rule of the return address the slot holds, CFA =
 * RSP + k for every frame of a stored chain (stackcache_unwind() walks
 * nothing else), and a rule belongs to its return address. A stored chain
 * was walked that way; if the first frames a walk reads now are its
 * first frames and every later slot, at the stored distances from the
 * last of them, holds the stored return address, each step of a walk
 * would read the same return address and take the same distance: the same
 * chain. (slot0 is only in the key, to tell apart chains that differ
 * beyond it.) By the same induction, each slot read is one a walk would read,
 * a frame of this thread's live stack, so the memo never reads past the
 * stack it was filled from (stackcache.c clears it when a thread on
 * another stack takes it over).
 *
 * Layout: SLOTS entries; a key may sit in two of them, slot a from its
 * low 16 bits and slot b from the next 16, and the entry holds the top 32
 * as its tag. A find reads both lines at once (b is prefetched while a is
 * checked): one cache miss deep, where the earlier 8-way sets read a line
 * of tags first and then the entry the tag chose, two misses one after
 * the other (stackmemo_find was 22% of the deep workload's samples, now
 * 10%). A store takes an empty slot of the two, else one of them in turn.
 * Replayed on deep's 20,000 keys round robin, two slots missed 0.13% of
 * visits, 8-way sets 0.5%, 4-way sets 3.6%.
 *
 * An entry is one cache line: the depot entry's frames (compared, never
 * copied), the one frame of libleak's a chain may have (main's return
 * into it), the id, the tag, and each distance past the key in words, one
 * byte each, but for one of 256 words or more (a frame of 2 KiB or more:
 * a local buffer of PATH_MAX bytes), kept in 16 bits apart.
 * Clearing bumps the memo's generation: an entry of another generation is
 * empty; when the 8-bit generation wraps, the pages go back to the kernel
 * (arena_discard), so no entry of an old lap comes back. Only its owner
 * thread reads or writes a memo (an allocation inside libleak, a signal
 * handler's included, is not tracked: track/guard.h): no atomics. The
 * arena mapping costs memory only where entries are written (4 MB when
 * all are).
 */
#include <string.h>

#include "base/arena.h"
#include "track/stackmemo.h"

#define SLOTS_BITS 16
#define SLOTS      ((size_t)1 << SLOTS_BITS)
#define NO_OWN     0xff

struct entry {
	const uintptr_t *pcs; /* the depot's frames: the chain's, but own_ip */
	uintptr_t own_ip;     /* the chain's one frame of libleak's, if any */
	stack_id_t id;
	uint32_t tag;                                 /* tag_of(key) */
	uint8_t gen;                                  /* the memo's generation when stored */
	uint8_t n;                                    /* frames, MEMO_KEY_FRAMES..MEMO_FRAMES */
	uint8_t ended;                                /* the walk found the outermost frame */
	uint8_t own_at;                               /* own_ip's frame; NO_OWN: none */
	uint16_t big;                                 /* the one distance over 255 words, if any */
	uint8_t words[MEMO_FRAMES - MEMO_KEY_FRAMES]; /* frame k's: (slot[k] - slot[k - 1]) / 8,
						       * at k - MEMO_KEY_FRAMES; 0: big */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct entry) == 64, "a memo entry is one cache line");

struct stackmemo {
	struct entry e[SLOTS];
	uint8_t gen;  /* 1..255; an entry of another generation is empty */
	uint8_t flip; /* its low bit: which of two full slots a store replaces */
};

size_t
stackmemo_bytes(void)
{
	return sizeof(struct stackmemo);
}

struct stackmemo *
stackmemo_new(void)
{
	struct stackmemo *m = arena_map(sizeof(struct stackmemo));

	if (m != NULL)
		m->gen = 1;
	return m;
}

void
stackmemo_clear(struct stackmemo *m)
{
	if (++m->gen == 0) {
		arena_discard(m->e, sizeof(m->e));
		m->gen = 1;
	}
}

uint64_t
stackmemo_key(uintptr_t slot0, const uintptr_t *ips)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = (slot0 >> 3) * k;

	for (unsigned i = 0; i < MEMO_KEY_FRAMES; i++)
		h = (h ^ ips[i]) * k;
	return h ^ h >> 31;
}

static inline uint32_t
tag_of(uint64_t key)
{
	return (uint32_t)(key >> 32) | 1; /* never 0, the empty tag */
}

/* True when e's frame limit and end agree with a walk limited to max: a
 * chain that ended before both limits, or was cut at this one. The limit
 * counts the program's frames: libleak's one frame is not among them. */
static inline bool
same_limit(const struct entry *e, unsigned max)
{
	unsigned counted = e->n - (e->own_at != NO_OWN);

	return e->ended ? counted <= max : counted == max;
}

/* Frame k of e's chain: pcs[k] before own_at, own_ip at it, pcs[k - 1]
 * after it. */
static inline uintptr_t
frame(const struct entry *e, unsigned k)
{
	return k < e->own_at ? e->pcs[k] : k == e->own_at ? e->own_ip : e->pcs[k - 1];
}

/* True when the stack holds e's chain (see the header comment for why the
 * reads stay on the stack). Writes each further frame and its slot into
 * ips[] and slots[] as it checks them (scratch when it fails). */
static bool
holds(const struct entry *e, uintptr_t *ips, uintptr_t *slots)
{
	for (unsigned k = 0; k < MEMO_KEY_FRAMES; k++)
		if (frame(e, k) != ips[k])
			return false; /* another chain with the same key */
	uintptr_t slot = slots[MEMO_KEY_FRAMES - 1];

	for (unsigned k = MEMO_KEY_FRAMES; k < e->n; k++) {
		uintptr_t ip = frame(e, k);
		unsigned w = e->words[k - MEMO_KEY_FRAMES];

		slot += (uintptr_t)(w != 0 ? w : e->big) * sizeof(uintptr_t);
		if (*(const uintptr_t *)slot != ip)
			return false;
		ips[k] = ip;
		slots[k] = slot;
	}
	return true;
}

/* The two slots a key may take. */
static inline const struct entry *
slot_a(const struct stackmemo *m, uint64_t key)
{
	return &m->e[key & (SLOTS - 1)];
}

static inline const struct entry *
slot_b(const struct stackmemo *m, uint64_t key)
{
	return &m->e[(key >> SLOTS_BITS) & (SLOTS - 1)];
}

/* True when e holds a chain of this key's tag, stored since the last
 * clear, under the same frame limit. */
static inline bool
takes(const struct stackmemo *m, const struct entry *e, uint32_t tag, unsigned max)
{
	return e->tag == tag && e->gen == m->gen && same_limit(e, max);
}

stack_id_t
stackmemo_find(const struct stackmemo *m, uint64_t key, uintptr_t *ips, uintptr_t *slots,
    unsigned max, unsigned *n)
{
	const struct entry *a = slot_a(m, key), *b = slot_b(m, key);
	uint32_t tag = tag_of(key);

	__builtin_prefetch(b);
	if (takes(m, a, tag, max) && holds(a, ips, slots)) {
		*n = a->n;
		return a->id;
	}
	if (takes(m, b, tag, max) && holds(b, ips, slots)) {
		*n = b->n;
		return b->id;
	}
	return 0;
}

/* Where the chain ips[0..n) has the one frame that the depot's pcs[0..np)
 * lack (libleak's, as the frame main returns to), MEMO_FRAMES + 1 when it
 * has none, or 0 when the two differ otherwise. */
static unsigned
own_frame(const uintptr_t *ips, unsigned n, const uintptr_t *pcs, unsigned np)
{
	unsigned k = 0;

	while (k < n && k < np && ips[k] == pcs[k])
		k++;
	if (k == n && np == n)
		return MEMO_FRAMES + 1;
	if (np + 1 != n)
		return 0;
	for (unsigned j = k; j < np; j++)
		if (ips[j + 1] != pcs[j])
			return 0;
	return k;
}

void
stackmemo_store(struct stackmemo *m, uint64_t key, const uintptr_t *slots, const uintptr_t *ips,
    unsigned n, const uintptr_t *pcs, unsigned np, stack_id_t id, bool ended)
{
	uint8_t words[MEMO_FRAMES - MEMO_KEY_FRAMES];
	uint16_t big = 0;

	if (n < MEMO_KEY_FRAMES || n > MEMO_FRAMES || id == 0 || pcs == NULL)
		return;
	unsigned own = own_frame(ips, n, pcs, np);
	if (own == 0)
		return; /* the frames differ too much: walked each time */
	/* The distances past the key: the walk reads the key's frames itself. */
	for (unsigned k = MEMO_KEY_FRAMES; k < n; k++) {
		uintptr_t d = slots[k] - slots[k - 1];
		uintptr_t w = d / sizeof(uintptr_t);

		if (d == 0 || d % sizeof(uintptr_t) != 0)
			return; /* not a distance the memo can hold: walked each time */
		if (w > UINT8_MAX) {
			if (big != 0 || w > UINT16_MAX)
				return; /* a second big frame, or one of 512 KiB: walked */
			big = (uint16_t)w;
			w = 0;
		}
		words[k - MEMO_KEY_FRAMES] = (uint8_t)w;
	}
	struct entry *a = (struct entry *)slot_a(m, key), *b = (struct entry *)slot_b(m, key);
	struct entry *e = a->gen != m->gen ? a : b->gen != m->gen ? b : (m->flip++ & 1) ? b : a;

	e->tag = tag_of(key);
	e->gen = m->gen;
	e->pcs = pcs;
	e->own_ip = own < n ? ips[own] : 0;
	e->own_at = own < n ? (uint8_t)own : NO_OWN;
	e->id = id;
	e->n = (uint8_t)n;
	e->ended = ended;
	e->big = big;
	memcpy(e->words, words, n - MEMO_KEY_FRAMES);
}
