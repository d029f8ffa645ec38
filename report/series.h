/*
 * series.h - dumps of one process taken one after another: the check that
 * they are one process, their order in time, and one record's amounts per
 * dump. Used by diff.c, trend.c and main.c. See series.c.
 */
#ifndef LEAKREPORT_SERIES_H
#define LEAKREPORT_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "group.h"
#include "model.h"

/*
 * Fails unless every dump of d[0..n) has the pid and the start time of
 * d[0] (a pid alone is reused across runs). 0, or -1 with e filled as
 * "<path>: pid P started at S: not the process of <path0> (pid P0 started
 * at S0)". Does not allocate.
 */
int series_check_process(const struct dump *d, size_t n, struct err *e);

/*
 * Sorts d[0..n) in place by the time each was written, then snapshots
 * before the exit dump, then seq. 0, or -1 with e filled when two dumps are
 * the same snapshot (same kind and seq): "<path>: same snapshot (seq N) as
 * <path>". Call after series_check_process. Does not allocate.
 */
int series_order(struct dump *d, size_t n, struct err *e);

/* Microseconds from the time of a to the time of b; 0 when b is not later. */
uint64_t series_usec_between(const struct dump *a, const struct dump *b);

/*
 * Fills bytes[0..ndumps) and blocks[0..ndumps) (either may be NULL) with
 * the live amounts of record l (built in series mode) in each dump, 0 in a
 * dump it does not appear in. Does not allocate.
 */
void series_amounts(const struct leak *l, size_t ndumps, uint64_t *bytes, uint64_t *blocks);

#endif /* LEAKREPORT_SERIES_H */
