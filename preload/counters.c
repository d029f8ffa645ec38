/*
 * counters.c - allocation statistics for the dump.
 *
 * Totals (allocs, frees, dropped) are sharded over cache-line-padded slots
 * picked per thread, so threads do not share a counter line on the hot
 * path; they are summed at dump time. Live bytes and blocks must be global
 * to know the peak: one relaxed fetch_add each, and a CAS on the peak only
 * when it is exceeded (rare once the program reaches its steady state).
 *
 * Memory orders: every counter is relaxed. The dump reads them after the
 * program's threads are done or, for snapshots, as an approximate picture;
 * no counter is used to order any other memory access.
 */
#include <stdatomic.h>
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

static struct shard shards[SHARDS];
static _Atomic uint64_t live_bytes __attribute__((aligned(64)));
static _Atomic uint64_t live_blocks;
static _Atomic uint64_t peak_bytes __attribute__((aligned(64)));
static _Atomic uint64_t peak_blocks;
static _Atomic uint64_t peak_ms;
static _Atomic unsigned next_shard;
static struct timespec t0_mono;
static struct timeval t0_wall;

static __thread unsigned my_shard __attribute__((tls_model("initial-exec")));

static struct shard *
shard_self(void)
{
	if (my_shard == 0)      /* 0 = unassigned; shards are numbered from 1 */
		my_shard = atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARDS + 1;
	return &shards[my_shard - 1];
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

void
counters_alloc(uint64_t bytes)
{
	atomic_fetch_add_explicit(&shard_self()->allocs, 1, memory_order_relaxed);
	uint64_t b = atomic_fetch_add_explicit(&live_bytes, bytes, memory_order_relaxed) + bytes;
	uint64_t n = atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed) + 1;
	uint64_t p = atomic_load_explicit(&peak_bytes, memory_order_relaxed);

	if (b > p) {
		while (b > p && !atomic_compare_exchange_weak_explicit(&peak_bytes, &p, b,
		    memory_order_relaxed, memory_order_relaxed))
			;
		atomic_store_explicit(&peak_ms, counters_ms_since_start(), memory_order_relaxed);
	}
	p = atomic_load_explicit(&peak_blocks, memory_order_relaxed);
	while (n > p && !atomic_compare_exchange_weak_explicit(&peak_blocks, &p, n,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

void
counters_free(uint64_t bytes)
{
	atomic_fetch_add_explicit(&shard_self()->frees, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&live_bytes, bytes, memory_order_relaxed);
	atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
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
	s->live_bytes = atomic_load_explicit(&live_bytes, memory_order_relaxed);
	s->live_blocks = atomic_load_explicit(&live_blocks, memory_order_relaxed);
	s->peak_bytes = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
	s->peak_blocks = atomic_load_explicit(&peak_blocks, memory_order_relaxed);
	s->peak_time_ms = atomic_load_explicit(&peak_ms, memory_order_relaxed);
}
