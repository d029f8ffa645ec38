/*
 * series.c - dumps of one process taken one after another.
 *
 * diff and trend compare the live blocks of one process at several moments,
 * so main.c first checks that the dumps come from one process (pid and
 * start time, since pids are reused) and trend orders them by the time they
 * were written. A record built by group.c in series mode keeps its amounts
 * only for the dumps it appears in; series_amounts() spreads them over
 * every dump, with 0 where the stack had no live block. Single-threaded;
 * nothing here allocates.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"

static uint64_t
usec_of(uint64_t sec, uint32_t usec)
{
	/* A time past year 500000 saturates; the order stays right. */
	if (sec > (UINT64_MAX - usec) / 1000000)
		return UINT64_MAX;
	return sec * 1000000 + usec;
}

int
series_check_process(const struct dump *d, size_t n, struct err *e)
{
	for (size_t i = 1; i < n; i++) {
		if (d[i].pid == d[0].pid && d[i].start_sec == d[0].start_sec &&
		    d[i].start_usec == d[0].start_usec)
			continue;
		return err_set(e,
		    "%s: pid %" PRIu64 " started at %" PRIu64 ".%06u: not the "
		    "process of %s (pid %" PRIu64 " started at %" PRIu64 ".%06u)",
		    d[i].path, d[i].pid, d[i].start_sec, d[i].start_usec, d[0].path, d[0].pid,
		    d[0].start_sec, d[0].start_usec);
	}
	return 0;
}

static int
dump_time_cmp(const void *pa, const void *pb)
{
	const struct dump *a = pa, *b = pb;
	uint64_t ta = usec_of(a->time_sec, a->time_usec);
	uint64_t tb = usec_of(b->time_sec, b->time_usec);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (a->snapshot != b->snapshot)
		return a->snapshot ? -1 : 1; /* the exit dump comes last */
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

int
series_order(struct dump *d, size_t n, struct err *e)
{
	if (n > 1)
		qsort(d, n, sizeof(*d), dump_time_cmp);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			/* The same snapshot may sit anywhere if its copies were
			 * given different times; compare with every earlier one. */
			if (d[j].snapshot != d[i].snapshot || d[j].seq != d[i].seq)
				continue;
			return err_set(e, "%s: same %s (seq %" PRIu64 ") as %s", d[i].path,
			    d[i].snapshot ? "snapshot" : "exit dump", d[i].seq, d[j].path);
		}
	}
	return 0;
}

uint64_t
series_usec_between(const struct dump *a, const struct dump *b)
{
	uint64_t ta = usec_of(a->time_sec, a->time_usec);
	uint64_t tb = usec_of(b->time_sec, b->time_usec);

	return tb > ta ? tb - ta : 0;
}

void
series_amounts(const struct leak *l, size_t ndumps, uint64_t *bytes, uint64_t *blocks)
{
	if (bytes != NULL)
		memset(bytes, 0, ndumps * sizeof(*bytes));
	if (blocks != NULL)
		memset(blocks, 0, ndumps * sizeof(*blocks));
	for (size_t i = 0; i < l->npoints; i++) {
		const struct leak_point *p = &l->points[i];

		if (p->dump >= ndumps)
			continue;
		if (bytes != NULL)
			bytes[p->dump] = p->bytes;
		if (blocks != NULL)
			blocks[p->dump] = p->blocks;
	}
}
