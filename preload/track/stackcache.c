/*
 * stackcache.c - per-thread cache of recent allocation stacks, checked
 * against the return addresses in their stack slots.
 *
 * A loop that allocates from one call path calls malloc with the same
 * return addresses stored at the same stack slots every time. Unwinding
 * would find the same frames again, so we remember, per thread, the last
 * few chains: the slot of each frame's return address and the value found
 * there. A lookup compares those values with what the slots hold now: when
 * all are equal, the stack is the one we unwound before, and its id is
 * reused without unwinding. Nothing is assumed: every slot is read.
 *
 * The cache is fully associative (WAYS chains, replaced round robin): a
 * lookup tries the way its (slot0, first value) tag last hit in, then scans
 * the ways whose tags hash like its own (a bit mask per hash, kept with the
 * tags: reading all 32 tags was 60% of a lookup on the paths workload) and
 * checks the chains whose tags match. Hashing the tag to one way
 * made every allocation that comes through the same wrapper at the same
 * depth (all of python's objects, through PyMem_RawMalloc) fight over one
 * way: 77% hits on python3 against 99.7% now.
 *
 * Why equal slots mean an equal stack: the chain starts at slot0, the slot
 * of the return address into the hook's caller, which the hook knows from
 * its own frame. A frame whose canonical frame address is its stack
 * pointer plus a constant (what compilers emit at a call site, with or
 * without frame pointers) puts its caller's return address at its own slot
 * plus that constant; so, frame by frame, equal slots and equal return
 * addresses imply the unwinder's next step is the same. That constant is
 * learned per return address from full libunwind cursor walks (which report
 * each frame's stack pointer) and trusted only after two walks agree; a
 * return address seen with two different distances (a frame sized at run
 * time with alloca, a signal frame) is marked variable, and a chain through
 * it is never cached. Before a chain is cached, every slot it names is
 * checked to lie below the outermost slot a full walk saw on this thread's
 * stack, and to hold the expected value.
 *
 * LEAK_VERIFY_STACKS=1 unwinds on every hit as well and counts any
 * difference; the differential test runs with it.
 *
 * Code unloaded: everything above holds for the code mapped at each return
 * address; dlclose() can unmap a library and a later dlopen() map another
 * at the same addresses, with other frame sizes. Then the rules and the
 * distances learned for those addresses, the chains walked with them and
 * the memo's are wrong for the new code (a program that dlclosed a plugin
 * with 1 KiB frames and dlopened one with 256-byte frames got stacks
 * without its caller's frame, libunwind's own cache agreeing).
 * stackcache_code_unloaded() forgets what the offset table learned and
 * bumps code_gen; each thread finds the new generation at its next lookup
 * or walk and empties its ways, its rules and its memo.
 *
 * Concurrency: the chains are per thread (initial-exec TLS). The offset
 * table is global, open addressing over return addresses, lock-free: an
 * entry's key is claimed with a CAS (acq_rel) and its value changes with
 * relaxed stores, since a stale value only costs a miss or a re-learn;
 * readers load the key with acquire (pairs with the claiming CAS).
 * Size: over the usual ~500 lines because the cache's lookup, its store,
 * the learned slot distances and the walk they allow share one per-thread
 * record and its invariants; apart, each file would restate them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "base/arena.h"
#include "track/cfi.h"
#include "track/hot.h"
#include "track/stackcache.h"
#include "track/stackmemo.h"

#define WAYS           32
#define PROBES         4 /* chains compared by one lookup past its hint */
#define HINTS          128
#define COLD_AFTER     32 /* scans of a tag that missed in a row before it is cold */
#define COLD_EVERY     7  /* a cold tag's ways are scanned once in COLD_EVERY + 1 */
#define CHAIN_MAX      48
#define OFF_BITS       15
#define OFF_UNKNOWN    0
#define OFF_VARIABLE   (-1)
#define RC_SIZE        512
#define RC_END         (-1)
#define MEMO_AFTER     512  /* walks by CFI rules before a thread gets a memo */
#define MEMOS_MAX      8    /* memos in all (4 MB each at most) */
#define JUDGE_EVERY    1024 /* lookups between judgements of the ways */
#define COLD_WAYS_RATE 64

/* A cached chain: frame k's return address ip[k] sits at the way's slot0
 * plus off[k]. Offsets, not addresses: a hit reads the chain's data for
 * every frame (sqlite3: 17 a lookup), and 12 bytes a frame fit in fewer
 * cache lines than 16 (32 ways: 16 KB a thread, not 25). */
struct chain {
	unsigned n; /* frames in off[] and ip[] */
	stack_id_t id;
	uint32_t off[CHAIN_MAX]; /* off[0] is 0 */
	uintptr_t ip[CHAIN_MAX];
};

struct tag {
	uintptr_t slot0; /* 0: way empty */
	uintptr_t ip0;   /* the value slot0 held */
};

struct off_entry {
	_Atomic uintptr_t ip;     /* 0: free */
	_Atomic int32_t off;      /* learned distance to the next slot; OFF_* */
	_Atomic int32_t seen;     /* ground-truth walks that agreed */
	_Atomic int32_t rule;     /* cfi_rule()'s answer; 0 until asked */
	_Atomic int32_t rule_off; /* CFI_SP: the distance it gives */
};

/* One thread's chains, in arena memory so that they outlive it: when a
 * thread exits (a pthread key destructor) its cache is handed back, and the
 * next thread that starts on the same stack block (glibc reuses them, and
 * the thread pointer with them) takes it over, chains and all. Its first
 * allocations then hit instead of paying a cold unwind (libunwind builds a
 * per-thread cache on a thread's first trace: tens of µs). Nothing is
 * assumed across threads either: a hit still checks every slot, and a
 * taken-over cache is used only after mincore() says its slots are mapped.
 * Only the owner reads or writes the fields besides `owned`. */
struct tcache {
	/* the ways' first slot and value, apart from the chains */
	struct tag tags[WAYS];
	/* hint[tag_hash()]: the way that last hit or was stored with such a
	 * tag; python3 has 1.0 tag match a lookup, so it is nearly always the
	 * only way to check */
	uint8_t hint[HINTS];
	/* ways_of[tag_hash()]: a bit for each way whose tag hashes there; a
	 * scan visits those alone, not all WAYS tags */
	uint32_t ways_of[HINTS];
	/* cold[tag_hash()]: scans of the ways that missed in a row, then
	 * counting on (a hit resets it): see stackcache_lookup() */
	uint8_t cold[HINTS];
	unsigned next_victim; /* round robin */
	struct {
		uintptr_t ip;   /* 0: empty */
		intptr_t off;   /* CFI_SP's distance, or RC_END */
	} rc[RC_SIZE];          /* this thread's copy of the CFI rules
			       * it walked last, direct-mapped by ip:
			       * no probing, no atomics */
	uintptr_t mapped_lo;    /* [mapped_lo, mapped_hi): stack pages */
	uintptr_t mapped_hi;    /* mincore() said are mapped */
	uintptr_t tp;           /* pthread_self() of the last owner */
	struct stackmemo *memo; /* the second level, after MEMO_AFTER walks; or NULL */
	unsigned walks;         /* walks by CFI rules while memo is NULL */
	bool walk_keyed;        /* the last walk asked the memo under walk_key */
	bool walk_ended;        /* the last walk found the outermost frame */
	uint64_t walk_key;
	unsigned looks;      /* lookups since the ways were last judged */
	unsigned hits;       /* of them, hits */
	bool ways_cold;      /* with a memo, the ways hit under 1 lookup in
			       * COLD_WAYS_RATE: scanned and filled once in
			       * COLD_EVERY + 1 */
	_Atomic int owned;   /* 1 while a thread uses it */
	unsigned code_gen;   /* the code_gen its ways, rules and memo are of */
	struct tcache *next; /* registry, newest first; never unlinked */
	struct chain chains[WAYS];
};

static __thread struct tcache *mine __attribute__((tls_model("initial-exec")));
static _Atomic(struct tcache *) caches;
static pthread_key_t tc_key;
static bool tc_key_ok;

static void tc_release(void *p);
static bool stack_mapped(struct tcache *t, uintptr_t lo, uintptr_t hi);
static struct off_entry *offs; /* 2^OFF_BITS entries, from arena_map */
/* Bumped by stackcache_code_unloaded(): release, after the offset table is
 * reset; pairs with the acquire in tc_current(). */
static _Atomic unsigned code_gen;
static _Atomic int memos; /* memos mapped, at most MEMOS_MAX */

bool
stackcache_init(void)
{
	tc_key_ok = pthread_key_create(&tc_key, tc_release) == 0;
	offs = arena_map(sizeof(*offs) << OFF_BITS);
	return offs != NULL;
}

/* Thread exit: the cache goes back to the registry for the next thread. */
static void
tc_release(void *p)
{
	struct tcache *t = p;

	mine = NULL;
	/* release: pairs with the claiming CAS's acquire in tc_claim(); the next
	 * owner sees this thread's last chains. */
	atomic_store_explicit(&t->owned, 0, memory_order_release);
}

/* Keeps t's chains for a thread on the same stack block only if every slot
 * they name is mapped; otherwise empties t. */
static void
tc_adopt(struct tcache *t, bool same_stack)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	t->mapped_lo = t->mapped_hi = 0;
	/* The memo's chains are checked by reading their slots, which only the
	 * stack they came from is sure to have: a new owner starts it empty. */
	if (t->memo != NULL)
		stackmemo_clear(t->memo);
	t->walk_keyed = false;
	for (unsigned w = 0; same_stack && w < WAYS; w++) {
		const struct chain *c = &t->chains[w];

		if (t->tags[w].slot0 == 0 || c->n == 0)
			continue;
		lo = t->tags[w].slot0 < lo ? t->tags[w].slot0 : lo;
		uintptr_t end = t->tags[w].slot0 + c->off[c->n - 1] + sizeof(uintptr_t);

		hi = end > hi ? end : hi;
	}
	if (same_stack && hi != 0 && stack_mapped(t, lo, hi))
		return;
	memset(t->tags, 0, sizeof(t->tags));
	memset(t->ways_of, 0, sizeof(t->ways_of));
	t->mapped_lo = t->mapped_hi = 0;
}

/* This thread's cache: its predecessor's on the same stack block if that
 * one is free, else any free one, else a new one. NULL when arena memory
 * runs out. May map memory; never calls malloc. */
static struct tcache *
tc_claim(void)
{
	uintptr_t tp = (uintptr_t)pthread_self();
	struct tcache *t, *spare = NULL;

	/* acquire: pairs with the push below; a cache's fields are initialised. */
	for (t = atomic_load_explicit(&caches, memory_order_acquire); t != NULL; t = t->next) {
		int free_ = 0;

		if (atomic_load_explicit(&t->owned, memory_order_relaxed) != 0)
			continue;
		/* tp is read before the claim: a stale read only picks a worse
		 * cache, and the claim below decides. acquire: pairs with
		 * tc_release(). */
		if (t->tp == tp &&
		    atomic_compare_exchange_strong_explicit(&t->owned, &free_, 1,
			memory_order_acquire, memory_order_relaxed))
			break;
		if (spare == NULL)
			spare = t;
	}
	if (t != NULL) {
		tc_adopt(t, true);
	} else {
		int free_ = 0;

		t = spare;
		if (t != NULL &&
		    atomic_compare_exchange_strong_explicit(&t->owned, &free_, 1,
			memory_order_acquire, memory_order_relaxed)) {
			tc_adopt(t, false);
		} else {
			t = arena_alloc(sizeof(*t));
			if (t == NULL)
				return NULL;
			atomic_store_explicit(&t->owned, 1, memory_order_relaxed);
			t->next = atomic_load_explicit(&caches, memory_order_relaxed);
			/* release: publishes t's (zeroed) fields to walkers. */
			while (!atomic_compare_exchange_weak_explicit(&caches, &t->next, t,
			    memory_order_release, memory_order_relaxed))
				;
		}
	}
	t->tp = tp;
	mine = t;
	/* Our key was made in the constructor, among the first 32: its value
	 * lives in the thread descriptor, no allocation. */
	if (tc_key_ok)
		pthread_setspecific(tc_key, t);
	return t;
}

/* Empties t's ways, rules and memo if code was unloaded since they were
 * filled (see the header). */
static inline void
tc_current(struct tcache *t)
{
	/* acquire: pairs with the release in stackcache_code_unloaded(); the
	 * reset offset table is seen. */
	unsigned gen = atomic_load_explicit(&code_gen, memory_order_acquire);

	if (__builtin_expect(t->code_gen == gen, 1))
		return;
	t->code_gen = gen;
	memset(t->tags, 0, sizeof(t->tags));
	memset(t->ways_of, 0, sizeof(t->ways_of));
	memset(t->rc, 0, sizeof(t->rc));
	if (t->memo != NULL)
		stackmemo_clear(t->memo);
	t->walk_keyed = false;
}

void
stackcache_code_unloaded(void)
{
	if (offs == NULL)
		return;
	/* The keys stay (an entry is never freed; probing needs them); what
	 * was learned for them is forgotten and learned again from the code
	 * mapped now. relaxed: like every value store (see the header); a
	 * walk racing with the unload of code its own stack runs through is
	 * the program's error. */
	for (size_t i = 0; i < ((size_t)1 << OFF_BITS); i++) {
		struct off_entry *e = &offs[i];

		if (atomic_load_explicit(&e->ip, memory_order_relaxed) == 0)
			continue;
		atomic_store_explicit(&e->rule, 0, memory_order_relaxed);
		atomic_store_explicit(&e->seen, 0, memory_order_relaxed);
		atomic_store_explicit(&e->off, OFF_UNKNOWN, memory_order_relaxed);
	}
	/* release: pairs with tc_current()'s acquire. */
	atomic_fetch_add_explicit(&code_gen, 1, memory_order_release);
}

/* The word at slot0 + off. */
static inline uintptr_t
stack_word(uintptr_t slot0, uint32_t off)
{
	return *(const uintptr_t *)(slot0 + off);
}

/* True when every slot of c past the first (c's way starts at slot0)
 * still holds its cached value. */
static inline bool
chain_holds(const struct chain *c, uintptr_t slot0)
{
	unsigned k = 1;

	/* Four slots a branch: a hit compares every slot of a chain 30 frames
	 * deep (sqlite3's), and the loads do not depend on one another. */
	for (; k + 4 <= c->n; k += 4) {
		uintptr_t d = (stack_word(slot0, c->off[k]) ^ c->ip[k]) |
		    (stack_word(slot0, c->off[k + 1]) ^ c->ip[k + 1]) |
		    (stack_word(slot0, c->off[k + 2]) ^ c->ip[k + 2]) |
		    (stack_word(slot0, c->off[k + 3]) ^ c->ip[k + 3]);

		if (d != 0)
			return false;
	}
	for (; k < c->n; k++)
		if (stack_word(slot0, c->off[k]) != c->ip[k])
			return false;
	return true;
}

static inline unsigned
tag_hash(uintptr_t slot0, uintptr_t v0)
{
	return (unsigned)(((slot0 >> 3) ^ v0) * 0x9e3779b97f4a7c15ull >> 57);
}

_Static_assert(WAYS <= 32, "ways_of[] holds a bit per way");

/* Empties way w before its chain is rewritten: its tag leaves ways_of[]. */
static inline void
way_forget(struct tcache *t, unsigned w)
{
	if (t->tags[w].slot0 != 0)
		t->ways_of[tag_hash(t->tags[w].slot0, t->tags[w].ip0)] &= ~((uint32_t)1 << w);
	t->tags[w].slot0 = 0;
}

/* Tags way w, whose chain is written, and makes it the hint of its tag. */
static inline void
way_tag(struct tcache *t, unsigned w, uintptr_t slot0, uintptr_t ip0)
{
	unsigned h = tag_hash(slot0, ip0);

	t->tags[w].ip0 = ip0;
	t->tags[w].slot0 = slot0;
	t->ways_of[h] |= (uint32_t)1 << w;
	t->hint[h] = (uint8_t)w;
}

/* Writes chain slots/ips[0..n) (n <= CHAIN_MAX) as stack id into the next
 * way, round robin: a way is replaced after WAYS newer chains. Not when a
 * slot lies below slots[0] or 4 GB or more above it (no stack is). */
static void
way_write(struct tcache *t, const uintptr_t *slots, const uintptr_t *ips, unsigned n, stack_id_t id)
{
	for (unsigned k = 1; k < n; k++)
		if (slots[k] < slots[0] || slots[k] - slots[0] > UINT32_MAX)
			return;
	unsigned w = t->next_victim++ % WAYS;
	struct chain *c = &t->chains[w];

	way_forget(t, w);
	for (unsigned k = 0; k < n; k++)
		c->off[k] = (uint32_t)(slots[k] - slots[0]);
	memcpy(c->ip, ips, n * sizeof(ips[0]));
	c->n = n;
	c->id = id;
	way_tag(t, w, slots[0], ips[0]);
}

static inline bool
way_holds(const struct tcache *t, unsigned w, uintptr_t slot0, uintptr_t v0)
{
	return t->tags[w].slot0 == slot0 && t->tags[w].ip0 == v0 &&
	    chain_holds(&t->chains[w], slot0);
}

HOT_INLINE bool
stackcache_lookup(uintptr_t slot0, stack_id_t *id)
{
	struct tcache *t = mine;

	if (__builtin_expect(t == NULL, 0) && (t = tc_claim()) == NULL)
		return false;
	tc_current(t);
	uintptr_t v0 = *(const uintptr_t *)slot0;
	unsigned h = tag_hash(slot0, v0);
	unsigned w = t->hint[h] % WAYS; /* always < WAYS; the mask says so */

	if (__builtin_expect(++t->looks == JUDGE_EVERY, 0)) {
		/* A thread whose call paths are too many for the ways (deep,
		 * varied stacks) has them found by the memo; scanning and
		 * filling the ways would only cost it. Judged anew every
		 * JUDGE_EVERY lookups, so a loop that starts warms them again. */
		t->ways_cold = t->memo != NULL && t->hits * COLD_WAYS_RATE < t->looks;
		t->looks = t->hits = 0;
	}
	if (!way_holds(t, w, slot0, v0)) {
		if (t->ways_cold && (t->looks & COLD_EVERY) != 0)
			return false; /* a skipped scan is a miss: still exact */
		/* A tag whose last COLD_AFTER scans compared its chains and
		 * found none holding (more paths through one innermost frame
		 * than there are ways, taken in turn: leakdump's 1,000) is
		 * cold: its ways are scanned once in COLD_EVERY + 1 lookups,
		 * enough to see it warm up again. A skipped scan is a miss,
		 * so a hit is still exact. */
		uint8_t c = t->cold[h];

		if (c >= COLD_AFTER) {
			t->cold[h] = (uint8_t)(c + 1); /* 255 wraps to 0: warm again */
			if ((c & COLD_EVERY) != 0)
				return false;
		}
		/* At most PROBES chains are compared: when many ways share the
		 * tag (1,000 paths through one innermost frame), comparing them
		 * all costs more than the miss, which walks the CFI rules. */
		unsigned probes = 0;

		/* Only the ways whose tags hash like this one (ways_of), in
		 * increasing order, as a scan of them all would meet them. */
		w = WAYS;
		for (uint32_t bits = t->ways_of[h]; bits != 0; bits &= bits - 1) {
			unsigned v = (unsigned)__builtin_ctz(bits);

			if (t->tags[v].slot0 != slot0 || t->tags[v].ip0 != v0)
				continue;
			if (chain_holds(&t->chains[v], slot0)) {
				w = v;
				break;
			}
			if (++probes == PROBES)
				break;
		}
		if (w >= WAYS || probes == PROBES) {
			/* Only chains of this tag that no longer hold make it
			 * colder: a tag no way has costs the tag scan alone. */
			if (probes > 0 && c < COLD_AFTER)
				t->cold[h] = (uint8_t)(c + 1);
			return false;
		}
		t->cold[h] = 0;
		t->hint[h] = (uint8_t)w;
	}
	t->hits++;
	*id = t->chains[w].id;
	return true;
}

static struct off_entry *
off_find(uintptr_t ip, bool claim)
{
	size_t mask = ((size_t)1 << OFF_BITS) - 1;
	size_t i = (size_t)((ip * 0x9e3779b97f4a7c15ull) >> (64 - OFF_BITS));

	if (offs == NULL)
		return NULL;
	for (size_t n = 0; n <= mask; n++, i = (i + 1) & mask) {
		struct off_entry *e = &offs[i];
		/* acquire: pairs with the claiming CAS below. */
		uintptr_t k = atomic_load_explicit(&e->ip, memory_order_acquire);

		if (k == ip)
			return e;
		if (k != 0)
			continue;
		if (!claim)
			return NULL;
		/* acq_rel: publishes the claim; a racing claimer of the same ip
		 * sees ours and uses this entry. */
		if (atomic_compare_exchange_strong_explicit(&e->ip, &k, ip, memory_order_acq_rel,
			memory_order_acquire) ||
		    k == ip)
			return e;
	}
	return NULL; /* full: nothing more is learned */
}

/* One ground-truth observation: return address ip had the next slot at
 * distance off. Two equal observations make it trusted; a different one
 * makes it variable for good. */
static void
off_learn(uintptr_t ip, intptr_t off)
{
	struct off_entry *e = off_find(ip, true);

	if (e == NULL)
		return;
	int32_t cur = atomic_load_explicit(&e->off, memory_order_relaxed);
	if (off <= 0 || off > (1 << 20)) {
		atomic_store_explicit(&e->off, OFF_VARIABLE, memory_order_relaxed);
		return;
	}
	if (cur == OFF_UNKNOWN) {
		atomic_store_explicit(&e->off, (int32_t)off, memory_order_relaxed);
		atomic_store_explicit(&e->seen, 1, memory_order_relaxed);
	} else if (cur == off) {
		atomic_fetch_add_explicit(&e->seen, 1, memory_order_relaxed);
	} else {
		atomic_store_explicit(&e->off, OFF_VARIABLE, memory_order_relaxed);
	}
}

/* The CFI rule of e's return address: asked once (ask: cfi_rule() may be
 * called now), then cached; 0 while unknown. */
static int
off_rule(struct off_entry *e, uintptr_t ip, bool ask, int32_t *off)
{
	/* acquire: pairs with the release below; rule_off is written. */
	int rule = atomic_load_explicit(&e->rule, memory_order_acquire);

	if (rule == 0 && ask) {
		int32_t o = 0;

		rule = cfi_rule(ip, &o);
		/* Racing askers compute the same answer: plain stores. */
		atomic_store_explicit(&e->rule_off, o, memory_order_relaxed);
		/* release: pairs with the acquire above. */
		atomic_store_explicit(&e->rule, rule, memory_order_release);
	}
	if (rule == CFI_SP)
		*off = atomic_load_explicit(&e->rule_off, memory_order_relaxed);
	return rule;
}

/* The trusted distance after return address ip, or 0: the CFI's when it
 * says CFA = RSP + k (exact), else a learned one (ask: see off_rule). */
static intptr_t
off_trusted(uintptr_t ip, bool ask)
{
	struct off_entry *e = off_find(ip, ask);
	int32_t off = 0;

	if (e == NULL)
		return 0;
	if (off_rule(e, ip, ask, &off) == CFI_SP)
		return off;
	if (atomic_load_explicit(&e->seen, memory_order_relaxed) < 2)
		return 0;
	off = atomic_load_explicit(&e->off, memory_order_relaxed);
	return off > 0 ? off : 0;
}

/* True when every page of [lo, hi) is mapped (mincore()). */
static bool
pages_mapped(uintptr_t lo, uintptr_t hi)
{
	const uintptr_t page = 4096;
	unsigned char vec[256];

	for (uintptr_t p = lo; p < hi; p += sizeof(vec) * page) {
		size_t len = hi - p < sizeof(vec) * page ? hi - p : sizeof(vec) * page;

		if (mincore((void *)p, len, vec) != 0)
			return false; /* ENOMEM: a page is not mapped */
	}
	return true;
}

#define MAPPED_JOIN ((uintptr_t)8 << 20) /* a gap this small is asked about */

/* True when every page of [lo, hi) is mapped; t remembers the range. A
 * range apart from the known one (a frame of a page or more between
 * them: a local buffer of PATH_MAX bytes) is joined to it when the pages
 * between are mapped too, as a stack's are: replacing the known range
 * instead made every walk through such a frame ask mincore() again for
 * every slot past it (26.7x the run of a program with 4.8 KB frames). */
static bool
stack_mapped(struct tcache *t, uintptr_t lo, uintptr_t hi)
{
	const uintptr_t page = 4096;

	if (lo >= t->mapped_lo && hi <= t->mapped_hi)
		return true;
	lo &= ~(page - 1);
	hi = (hi + page - 1) & ~(page - 1);
	if (t->mapped_hi != 0) {
		uintptr_t jlo = lo < t->mapped_lo ? lo : t->mapped_lo;
		uintptr_t jhi = hi > t->mapped_hi ? hi : t->mapped_hi;

		if (jhi - jlo <= MAPPED_JOIN && pages_mapped(jlo, t->mapped_lo) &&
		    pages_mapped(t->mapped_hi, jhi)) {
			t->mapped_lo = jlo;
			t->mapped_hi = jhi;
			return true;
		}
	}
	if (!pages_mapped(lo, hi))
		return false;
	t->mapped_lo = lo; /* apart from the old range: replace it */
	t->mapped_hi = hi;
	return true;
}

bool
stackcache_store(uintptr_t slot0, const uintptr_t *ips, unsigned n, stack_id_t id)
{
	uintptr_t slot[CHAIN_MAX];
	struct tcache *t = mine;

	if (t == NULL || n == 0 || n > CHAIN_MAX)
		return false;
	slot[0] = slot0;
	for (unsigned k = 1; k < n; k++) {
		intptr_t off = off_trusted(ips[k - 1], true);

		if (off == 0)
			return true; /* learn first (a cursor walk); cached on a later call */
		slot[k] = slot[k - 1] + (uintptr_t)off;
	}
	if (!stack_mapped(t, slot0, slot[n - 1] + sizeof(uintptr_t)))
		return false; /* a wrong distance ran off the stack */
	for (unsigned k = 0; k < n; k++) {
		/* A trusted distance was wrong: a frame sized at run time. A
		 * ground-truth walk now marks its return address variable. */
		if (*(const uintptr_t *)slot[k] != ips[k])
			return true;
	}
	way_write(t, slot, ips, n, id);
	return false;
}

unsigned
stackcache_walk(uintptr_t slot0, uintptr_t *pcs, unsigned max)
{
	struct tcache *t = mine;
	uintptr_t slot = slot0;
	unsigned n = 0;

	if (t == NULL && (t = tc_claim()) == NULL)
		return 0;
	tc_current(t);
	while (n < max) {
		if (!stack_mapped(t, slot, slot + sizeof(uintptr_t)))
			break;
		uintptr_t ip = *(const uintptr_t *)slot;

		pcs[n++] = ip;
		/* No cfi_rule() here: the loader may be changing its list. */
		intptr_t off = off_trusted(ip, false);
		if (off == 0)
			break; /* nothing learned beyond: the stack ends here */
		slot += (uintptr_t)off;
	}
	return n;
}

static inline unsigned
rc_index(uintptr_t ip)
{
	return (unsigned)((ip ^ (ip >> 9)) & (RC_SIZE - 1));
}

/* The walkable rule of ip: its CFI_SP distance, RC_END, or 0 (any other
 * rule: leave it to libunwind). From the thread's copy, else the table. */
static inline intptr_t
rc_rule(struct tcache *t, uintptr_t ip)
{
	unsigned i = rc_index(ip);

	if (__builtin_expect(t->rc[i].ip == ip, 1))
		return t->rc[i].off;
	struct off_entry *e = off_find(ip, true);
	int32_t off = 0;
	int rule = e == NULL ? CFI_OTHER : off_rule(e, ip, true, &off);
	intptr_t v = rule == CFI_SP ? off : rule == CFI_END ? RC_END : 0;

	if (v != 0) {
		t->rc[i].ip = ip;
		t->rc[i].off = v;
	}
	return v;
}

/* This thread's memo, mapped after MEMO_AFTER walks while fewer than
 * MEMOS_MAX exist (a thread that walks that often has more call paths than
 * the ways hold); NULL until then or when none can be had. */
static struct stackmemo *
memo_of(struct tcache *t)
{
	if (__builtin_expect(t->memo != NULL, 1) || ++t->walks < MEMO_AFTER)
		return t->memo;
	t->walks = 0;
	/* relaxed: a count, guarding no data; the memo is this thread's. */
	if (atomic_fetch_add_explicit(&memos, 1, memory_order_relaxed) >= MEMOS_MAX) {
		atomic_fetch_sub_explicit(&memos, 1, memory_order_relaxed);
		return NULL;
	}
	t->memo = stackmemo_new();
	if (t->memo == NULL)
		atomic_fetch_sub_explicit(&memos, 1, memory_order_relaxed);
	return t->memo;
}

static void ways_store(struct tcache *t, const uintptr_t *slots, const uintptr_t *ips, unsigned n,
    stack_id_t id);

unsigned
stackcache_unwind(uintptr_t slot0, uintptr_t *chain, uintptr_t *slots, unsigned max,
    uintptr_t own_lo, uintptr_t own_hi, stack_id_t *known)
{
	struct tcache *t = mine;
	uintptr_t slot = slot0;
	unsigned n = 0, counted = 0;

	*known = 0;
	if (t == NULL && (t = tc_claim()) == NULL)
		return 0;
	tc_current(t);
	struct stackmemo *memo = memo_of(t);

	t->walk_keyed = false;
	t->walk_ended = false;
	while (n < max + UNWIND_OWN_MAX) {
		if ((slot < t->mapped_lo || slot + sizeof(uintptr_t) > t->mapped_hi) &&
		    !stack_mapped(t, slot, slot + sizeof(uintptr_t)))
			return 0; /* cannot be: leave it to libunwind */
		uintptr_t ip = *(const uintptr_t *)slot;

		chain[n] = ip;
		slots[n++] = slot;
		if (ip - own_lo >= own_hi - own_lo && ++counted == max)
			break; /* enough: what lies beyond is not asked */
		if (n == MEMO_KEY_FRAMES && memo != NULL) {
			/* The first frames are the key (libleak's one frame, as
			 * main's return into it, may be among them): a chain
			 * stored under it is checked slot by slot. */
			t->walk_key = stackmemo_key(slot0, chain);
			t->walk_keyed = true;
			*known = stackmemo_find(memo, t->walk_key, chain, slots, max, &n);
			if (*known != 0) {
				/* Into a way as well: the next lookup of this chain
				 * (a loop that starts) finds it there, not here. */
				ways_store(t, slots, chain, n, *known);
				return n;
			}
		}
		intptr_t off = rc_rule(t, ip);
		if (off == RC_END) {
			t->walk_ended = true;
			break;
		}
		if (off == 0)
			return 0; /* frame pointers, a signal frame, no CFI: libunwind */
		slot += (uintptr_t)off;
	}
	return n;
}

void
stackcache_store_walked(const uintptr_t *slots, const uintptr_t *ips, unsigned n, stack_id_t id,
    const uintptr_t *pcs, unsigned np)
{
	struct tcache *t = mine;

	if (t == NULL || n == 0 || n > CHAIN_MAX)
		return;
	if (t->walk_keyed && t->memo != NULL)
		stackmemo_store(t->memo, t->walk_key, slots, ips, n, pcs, np, id, t->walk_ended);
	t->walk_keyed = false;
	ways_store(t, slots, ips, n, id);
}

/* Puts a walked chain into a way, unless the ways or its tag are cold. */
static void
ways_store(struct tcache *t, const uintptr_t *slots, const uintptr_t *ips, unsigned n,
    stack_id_t id)
{
	if (n == 0 || n > CHAIN_MAX)
		return;
	if (t->ways_cold && (t->looks & COLD_EVERY) != 0)
		return;
	/* A cold tag's chains keep missing: storing one more would only
	 * push out a chain that may hit. When its count wraps (lookup) the
	 * tag is stored again. */
	if (t->cold[tag_hash(slots[0], ips[0])] >= COLD_AFTER)
		return;
	way_write(t, slots, ips, n, id);
}

void
stackcache_observe_variable(uintptr_t ip)
{
	off_learn(ip, -1);
}

void
stackcache_observe(const uintptr_t *ip, const uintptr_t *slot, unsigned n)
{
	for (unsigned k = 0; k + 1 < n; k++)
		off_learn(ip[k], (intptr_t)(slot[k + 1] - slot[k]));
}
