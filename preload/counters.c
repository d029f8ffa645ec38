/*
 * counters.c - allocation statistics for the dump.
 *
 * The hot path must not make threads fight over one cache line, so:
 *  - allocs, frees and dropped are sharded over cache-line-padded slots
 *    picked per thread, and summed when read;
 *  - live bytes and blocks are kept per thread as a delta in initial-exec
 *    TLS and added to the global figures only when the delta passes a
 *    threshold of 1/128 of the live heap (at least 1 block): a thread
 *    touches the shared line once per many operations while the heap is
 *    large, and on every operation while it is tiny, where the cost does
 *    not matter. The peak is checked on each such publication, so it is
 *    exact to within one threshold per thread: under 1% of the heap each.
 * The dump takes live figures from the table itself, which is exact.
 *
 * Memory orders: every counter is relaxed. Readers (the dump, warnings)
 * want a figure, not an ordering with other memory; no counter guards
 * any other data.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <sys/time.h>

#include "counters.h"

#define SHARDS 32

struct shard {
	_Atomic uint64_t allocs;
	_Atomic uint64_t frees;
	_Atomic uint64_t dropped;
	char pad[64 - 3 * sizeof(uint64_t)];
} __attribute__((aligned(64)));

struct tls_delta {
	int64_t bytes;          /* net bytes allocated since the last publication */
	int64_t blocks;
	unsigned shard;         /* 1..SHARDS; 0 before the first use */
};

static struct shard shards[SHARDS];
static _Atomic int64_t live_bytes __attribute__((aligned(64)));
static _Atomic int64_t live_blocks;
static _Atomic uint64_t peak_bytes __attribute__((aligned(64)));
static _Atomic uint64_t peak_blocks;
static _Atomic uint64_t peak_ms;
static _Atomic unsigned next_shard;
static struct timespec t0_mono;
static struct timeval t0_wall;

static __thread struct tls_delta me __attribute__((tls_model("initial-exec")));

static struct shard *
shard_self(void)
{
	if (me.shard == 0)
		me.shard = atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARDS + 1;
	return &shards[me.shard - 1];
}

void
counters_start(void)
{
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
	while (v > p && !atomic_compare_exchange_weak_explicit(peak, &p, v,
	    memory_order_relaxed, memory_order_relaxed))
		;
	if (stamp)
		atomic_store_explicit(&peak_ms, counters_ms_since_start(), memory_order_relaxed);
}

/* Adds this thread's delta to the global figures when it is big enough. */
static inline void
maybe_publish(void)
{
	int64_t live = atomic_load_explicit(&live_bytes, memory_order_relaxed);
	int64_t limit = live / 128;
	int64_t d = me.bytes < 0 ? -me.bytes : me.bytes;

	if (d < limit && me.blocks < 1024 && me.blocks > -1024)
		return;
	int64_t b = atomic_fetch_add_explicit(&live_bytes, me.bytes, memory_order_relaxed) + me.bytes;
	int64_t n = atomic_fetch_add_explicit(&live_blocks, me.blocks, memory_order_relaxed) + me.blocks;
	me.bytes = 0;
	me.blocks = 0;
	if (b > 0)
		raise_to(&peak_bytes, (uint64_t)b, true);
	if (n > 0)
		raise_to(&peak_blocks, (uint64_t)n, false);
}

void
counters_alloc(uint64_t bytes)
{
	struct shard *s = shard_self();

	atomic_fetch_add_explicit(&s->allocs, 1, memory_order_relaxed);
	me.bytes += (int64_t)bytes;
	me.blocks++;
	maybe_publish();
}

void
counters_free(uint64_t bytes)
{
	struct shard *s = shard_self();

	atomic_fetch_add_explicit(&s->frees, 1, memory_order_relaxed);
	me.bytes -= (int64_t)bytes;
	me.blocks--;
	maybe_publish();
}

void
counters_drop(void)
{
	atomic_fetch_add_explicit(&shard_self()->dropped, 1, memory_order_relaxed);
}

void
counters_read(struct counters_snap *s)
{
	s->allocs = s->frees = s->dropped = 0;
	for (int i = 0; i < SHARDS; i++) {
		s->allocs += atomic_load_explicit(&shards[i].allocs, memory_order_relaxed);
		s->frees += atomic_load_explicit(&shards[i].frees, memory_order_relaxed);
		s->dropped += atomic_load_explicit(&shards[i].dropped, memory_order_relaxed);
	}
	/* The calling thread's own delta is known; other threads' are not. */
	int64_t b = atomic_load_explicit(&live_bytes, memory_order_relaxed) + me.bytes;
	int64_t n = atomic_load_explicit(&live_blocks, memory_order_relaxed) + me.blocks;
	s->live_bytes = b > 0 ? (uint64_t)b : 0;
	s->live_blocks = n > 0 ? (uint64_t)n : 0;
	s->peak_bytes = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
	s->peak_blocks = atomic_load_explicit(&peak_blocks, memory_order_relaxed);
	s->peak_time_ms = atomic_load_explicit(&peak_ms, memory_order_relaxed);
	if (s->live_bytes > s->peak_bytes)
		s->peak_bytes = s->live_bytes;
	if (s->live_blocks > s->peak_blocks)
		s->peak_blocks = s->live_blocks;
}
