/*
 * trend.h - `leakreport trend DUMP...`: the stacks whose live bytes are
 * still growing at the last of a process's snapshots. See trend.c for the
 * rule.
 */
#ifndef LEAKREPORT_TREND_H
#define LEAKREPORT_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "group.h"
#include "model.h"

#define TREND_MIN_STEPS_DEFAULT 5

struct trend_item {
	const struct leak *leak; /* the stack (frames); owned by the report */
	size_t steps;            /* strict increases in a row ending at the last
				  * dump; >= min_steps */
	size_t first_dump;       /* index of the run's first dump: ndumps-1-steps */
	uint64_t first_bytes;    /* live bytes at the run's first dump */
	uint64_t last_bytes;     /* at the last dump */
	uint64_t growth_bytes;   /* last_bytes - first_bytes, > 0 */
	uint64_t span_usec;      /* time from the run's first dump to the last */
	bool rate_known;         /* span_usec > 0 */
	double bytes_per_second; /* growth_bytes / span, when rate_known */
};

struct trend {
	const struct dump *dumps; /* the report's, in time order; not owned */
	size_t ndumps;
	uint64_t min_steps;         /* >= 1 */
	size_t nstacks;             /* stacks looked at */
	struct trend_item *growing; /* flagged stacks, most growth_bytes first */
	size_t ngrowing;
};

/*
 * The rule, on one stack's live bytes b[0..n) in time order: the number of
 * strict increases in a row that end at the last value, i.e. the largest k
 * with b[n-1-k] < b[n-k] < ... < b[n-1]. 0 when n < 2 or b[n-2] >= b[n-1].
 */
size_t trend_run(const uint64_t *b, size_t n);

/*
 * Fills t from r, a report that group_build() made in series mode from the
 * dumps in time order (series_order). A stack is flagged when its
 * trend_run() over every dump is >= min_steps (>= 1). Ties are broken by
 * the frames. The items point into r, which must outlive t. 0, or -1 with e
 * filled (out of memory, min_steps 0). Allocates; trend_free() releases.
 */
int trend_compute(struct trend *t, const struct report *r, uint64_t min_steps, struct err *e);

/* Frees what trend_compute() allocated; safe on a zeroed struct. */
void trend_free(struct trend *t);

#endif /* LEAKREPORT_TREND_H */
