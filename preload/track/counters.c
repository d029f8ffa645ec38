/*
 * counters.c - allocation statistics for the dump.
 *
 * The hot path must not make threads fight over one cache line, nor pay a
 * locked instruction per call, so:
 *  - allocs, frees and dropped are counted in a record of their own per
 *    thread (arena memory, one cache line), with a plain add; readers sum
 *    every record. A record is never freed: when its thread exits (a
 *    pthread key destructor) it is handed back, counts and all, and the
 *    next new thread counts on in it, so the records number the most
 *    threads that ever ran at once, and the sums stay exact;
 *  - live bytes and blocks are kept per thread as a delta in initial-exec
 *    TLS and added to the global figures only when the delta passes a
 *    threshold of 1/128 of the live heap, and at least PUBLISH_MIN bytes:
 *    a thread touches the shared line once per many operations. (Without
 *    the floor a tiny heap published on every operation: two locked adds,
 *    a compare-and-swap and a clock read on each malloc/free pair of a
 *    loop, a third of the hit path's cost.) The peak is checked on each
 *    such publication, so it is exact to within one threshold per thread:
 *    under 1% of the heap or PUBLISH_MIN bytes each.
 *    Each thread also keeps the highest its delta rose to since it last
 *    published, and a publication raises the peak to the global figure
 *    before it plus that: exact for a program whose allocations are on
 *    one thread at a time. (Without it, a test program that allocated
 *    4 KB in all had a peak of 0 bytes, under PUBLISH_MIN.)
 *    A thread's delta is published when it exits.
 * The dump takes live figures from the table itself, which is exact.
 *
 * Memory orders: every counter is relaxed. Readers (the dump, warnings)
 * want a figure, not an ordering with other memory; no counter guards
 * any other data. A record's owner adds with one instruction (signal
 * handlers on the same thread may count too: nothing is lost between a
 * load and a store); other threads only read it. Record hand-over:
 *  (a) owned := 0 (release) at thread exit -> the CAS that claims it
 *      (acquire): the new owner adds on top of the old owner's last adds.
 *  (b) registry push CAS (release) -> registry loads (acquire): a new
 *      record's fields are seen initialised.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <sys/time.h>

#include "base/arena.h"
#include "track/counters.h"
#include "track/hot.h"

struct rec {
	_Atomic uint64_t allocs;
	_Atomic uint64_t frees;
	_Atomic uint64_t dropped;
	_Atomic int owned; /* 1 while a thread counts in it */
	bool shared;       /* the fallback: add with fetch_add */
	struct rec *next;  /* registry, newest first; never unlinked */
} __attribute__((aligned(64)));

struct tls_delta {
	int64_t bytes; /* net bytes allocated since the last publication */
	int64_t blocks;
	int64_t hi_bytes; /* the highest bytes and blocks reached since then */
	int64_t hi_blocks;
	struct rec *rec; /* this thread's record; NULL before the first use */
};

static _Atomic(struct rec *) recs;
static struct rec fallback = { .owned = 1, .shared = true }; /* arena exhausted */
static pthread_key_t rec_key;
static bool rec_key_ok;
static _Atomic int64_t live_bytes __attribute__((aligned(64)));
static _Atomic int64_t live_blocks;
static _Atomic uint64_t peak_bytes __attribute__((aligned(64)));
static _Atomic uint64_t peak_blocks;
static _Atomic uint64_t peak_ms;
static struct timespec t0_mono;
static struct timeval t0_wall;

#define PUBLISH_MIN ((int64_t)16 << 10)

static __thread struct tls_delta me __attribute__((tls_model("initial-exec")));

/* Adds 1 to a record's counter. Only its owner writes it, with a single
 * instruction, so a signal handler on this thread cannot lose an add. */
static inline void
rec_bump(struct rec *r, _Atomic uint64_t *c)
{
	if (__builtin_expect(r->shared, 0))
		atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
	else
		__asm__ volatile("addq $1, %0" : "+m"(*(uint64_t *)c) : : "memory");
}

static void publish(void);

/* Thread exit: publish the live delta, hand the record back (a). */
static void
rec_release(void *p)
{
	struct rec *r = p;

	publish();
	me.rec = NULL;
	atomic_store_explicit(&r->owned, 0, memory_order_release);
}

static struct rec *
rec_claim(void)
{
	struct rec *r;
	int saved = errno; /* free() calls us too, and must keep errno */

	/* acquire: pairs with the push below (b). */
	for (r = atomic_load_explicit(&recs, memory_order_acquire); r != NULL; r = r->next) {
		int free_ = 0;

		/* acquire: pairs with rec_release() (a). */
		if (atomic_load_explicit(&r->owned, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong_explicit(&r->owned, &free_, 1,
			memory_order_acquire, memory_order_relaxed))
			break;
	}
	if (r == NULL) {
		/* arena_alloc() aligns to 16; a record owns its cache line. */
		char *raw = arena_alloc(sizeof(*r) + 63);
		if (raw == NULL) {
			errno = saved;
			return me.rec = &fallback;
		}
		r = (struct rec *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
		atomic_store_explicit(&r->owned, 1, memory_order_relaxed);
		r->next = atomic_load_explicit(&recs, memory_order_relaxed);
		/* release: publishes the record's fields (b). */
		while (!atomic_compare_exchange_weak_explicit(&recs, &r->next, r,
		    memory_order_release, memory_order_relaxed))
			;
	}
	me.rec = r;
	/* Our key was made first thing, so it is one of the first 32 and its
	 * value sits in the thread descriptor: no allocation. */
	if (rec_key_ok)
		pthread_setspecific(rec_key, r);
	errno = saved;
	return r;
}

static inline struct rec *
rec_self(void)
{
	return me.rec != NULL ? me.rec : rec_claim();
}

void
counters_start(void)
{
	rec_key_ok = pthread_key_create(&rec_key, rec_release) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t0_mono);
	gettimeofday(&t0_wall, NULL);
}

uint64_t
counters_ms_since_start(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0_mono.tv_sec) * 1000 +
	    (uint64_t)((t.tv_nsec - t0_mono.tv_nsec) / 1000000);
}

void
counters_start_time(uint64_t *sec, uint32_t *usec)
{
	*sec = (uint64_t)t0_wall.tv_sec;
	*usec = (uint32_t)t0_wall.tv_usec;
}

static void
raise_to(_Atomic uint64_t *peak, uint64_t v, bool stamp)
{
	uint64_t p = atomic_load_explicit(peak, memory_order_relaxed);

	if (v <= p)
		return;
	while (v > p &&
	    !atomic_compare_exchange_weak_explicit(peak, &p, v, memory_order_relaxed,
		memory_order_relaxed))
		;
	if (stamp)
		atomic_store_explicit(&peak_ms, counters_ms_since_start(), memory_order_relaxed);
}

/* Adds this thread's delta to the global figures. */
static void
publish(void)
{
	int64_t b = atomic_fetch_add_explicit(&live_bytes, me.bytes, memory_order_relaxed) +
	    (me.hi_bytes > me.bytes ? me.hi_bytes : me.bytes);
	int64_t n = atomic_fetch_add_explicit(&live_blocks, me.blocks, memory_order_relaxed) +
	    (me.hi_blocks > me.blocks ? me.hi_blocks : me.blocks);

	me.bytes = me.hi_bytes = 0;
	me.blocks = me.hi_blocks = 0;
	if (b > 0)
		raise_to(&peak_bytes, (uint64_t)b, true);
	if (n > 0)
		raise_to(&peak_blocks, (uint64_t)n, false);
}

/* Publishes this thread's delta when it is big enough. The new delta
 * comes in registers: read back from TLS right after its store, it waited
 * on the store (the compiler had paired the two stores into one). */
static inline void
maybe_publish(int64_t bytes, int64_t blocks)
{
	int64_t live = atomic_load_explicit(&live_bytes, memory_order_relaxed);
	int64_t limit = live / 128 > PUBLISH_MIN ? live / 128 : PUBLISH_MIN;
	int64_t d = bytes < 0 ? -bytes : bytes;

	if (d < limit && blocks < 1024 && blocks > -1024)
		return;
	publish();
}

HOT_INLINE void
counters_alloc(uint64_t bytes)
{
	struct rec *r = rec_self();

	rec_bump(r, &r->allocs);
	int64_t b = me.bytes + (int64_t)bytes, n = me.blocks + 1;
	me.bytes = b;
	me.blocks = n;
	if (b > me.hi_bytes)
		me.hi_bytes = b;
	if (n > me.hi_blocks)
		me.hi_blocks = n;
	maybe_publish(b, n);
}

HOT_INLINE void
counters_free(uint64_t bytes)
{
	struct rec *r = rec_self();

	rec_bump(r, &r->frees);
	int64_t b = me.bytes - (int64_t)bytes, n = me.blocks - 1;
	me.bytes = b;
	me.blocks = n;
	maybe_publish(b, n);
}

void
counters_drop(void)
{
	struct rec *r = rec_self();

	rec_bump(r, &r->dropped);
}

void
counters_read(struct counters_snap *s)
{
	s->allocs = s->frees = s->dropped = 0;
	/* acquire: pairs with the push in rec_claim() (b). */
	for (struct rec *r = atomic_load_explicit(&recs, memory_order_acquire); r != NULL;
	     r = r->next) {
		s->allocs += atomic_load_explicit(&r->allocs, memory_order_relaxed);
		s->frees += atomic_load_explicit(&r->frees, memory_order_relaxed);
		s->dropped += atomic_load_explicit(&r->dropped, memory_order_relaxed);
	}
	s->allocs += atomic_load_explicit(&fallback.allocs, memory_order_relaxed);
	s->frees += atomic_load_explicit(&fallback.frees, memory_order_relaxed);
	s->dropped += atomic_load_explicit(&fallback.dropped, memory_order_relaxed);
	/* The calling thread's own delta is known; other threads' are not. */
	int64_t gb = atomic_load_explicit(&live_bytes, memory_order_relaxed);
	int64_t gn = atomic_load_explicit(&live_blocks, memory_order_relaxed);
	int64_t b = gb + me.bytes, n = gn + me.blocks;
	int64_t hb = gb + (me.hi_bytes > me.bytes ? me.hi_bytes : me.bytes);
	int64_t hn = gn + (me.hi_blocks > me.blocks ? me.hi_blocks : me.blocks);
	s->live_bytes = b > 0 ? (uint64_t)b : 0;
	s->live_blocks = n > 0 ? (uint64_t)n : 0;
	s->peak_bytes = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
	s->peak_blocks = atomic_load_explicit(&peak_blocks, memory_order_relaxed);
	s->peak_time_ms = atomic_load_explicit(&peak_ms, memory_order_relaxed);
	if (hb > 0 && (uint64_t)hb > s->peak_bytes)
		s->peak_bytes = (uint64_t)hb;
	if (hn > 0 && (uint64_t)hn > s->peak_blocks)
		s->peak_blocks = (uint64_t)hn;
}

size_t
counters_records(void)
{
	size_t n = 0;

	/* acquire: pairs with the push in rec_claim() (b). */
	for (struct rec *r = atomic_load_explicit(&recs, memory_order_acquire); r != NULL;
	     r = r->next)
		n++;
	return n;
}
