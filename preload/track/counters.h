/*
 * counters.h - allocation statistics: totals, live figures and the peak.
 */
#ifndef LIBLEAK_COUNTERS_H
#define LIBLEAK_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

struct counters_snap {
	uint64_t allocs;
	uint64_t frees;
	uint64_t live_blocks;
	uint64_t live_bytes;
	uint64_t peak_blocks;
	uint64_t peak_bytes;
	uint64_t peak_time_ms; /* ms after counters_start() */
	uint64_t dropped;
};

void counters_start(void);           /* records the start time */
void counters_alloc(uint64_t bytes); /* lock-free, async-signal-safe */
void counters_free(uint64_t bytes);
void counters_drop(void); /* a block could not be tracked */
void counters_read(struct counters_snap *s);
uint64_t counters_ms_since_start(void);
void counters_start_time(uint64_t *sec, uint32_t *usec);

/* Per-thread records made so far: the most threads that counted at once.
 * For tests. */
size_t counters_records(void);

#endif /* LIBLEAK_COUNTERS_H */
