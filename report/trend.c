/*
 * trend.c - `leakreport trend`: which stacks keep growing.
 *
 * Called by main.c after series_order() and group_build() in series mode,
 * so each record is one symbolized stack (every kind together) with its
 * live bytes in each snapshot, 0 where it had none.
 *
 * The rule: a stack is flagged when its live bytes grew strictly at each of
 * the last min_steps steps (consecutive pairs of dumps) or more, i.e. when
 * the run of strict increases that ends at the LAST dump is at least
 * min_steps long. A stack that grew and then stayed flat (a cache filling
 * up to its cap) has a run of 0 at the end and is not flagged, however long
 * it grew before; a sawtooth (grows, is released, grows again) is flagged
 * only when its latest climb alone is long enough. A leak that grows only
 * every other snapshot has runs of 1 and is not flagged: pick a snapshot
 * interval longer than its period.
 *
 * For a flagged stack: steps is the length of that run, growth_bytes the
 * bytes gained over it, and bytes_per_second that growth divided by the
 * wall-clock time between the run's first and last dump (their `time`
 * lines); when both were written in the same microsecond the rate is
 * unknown. A record of a resource kind (fd, timer, thread: series mode keeps
 * them apart from the blocks) is judged the same way on its count of open
 * resources, which then stands in every *_bytes figure.
 * Computes; output_trend.c renders. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "series.h"
#include "trend.h"

size_t
trend_run(const uint64_t *b, size_t n)
{
	size_t k = 0;

	while (k + 1 < n && b[n - 2 - k] < b[n - 1 - k])
		k++;
	return k;
}

/* Most growth first, then the longest run, then the frames. */
static int
item_cmp(const void *pa, const void *pb)
{
	const struct trend_item *a = pa, *b = pb;

	if (a->growth_bytes != b->growth_bytes)
		return a->growth_bytes > b->growth_bytes ? -1 : 1;
	if (a->steps != b->steps)
		return a->steps > b->steps ? -1 : 1;
	return group_frames_cmp(a->leak->frames, a->leak->nframes, b->leak->frames,
	    b->leak->nframes);
}

/* Fills x for record l, whose bytes per dump are b[0..n), run k >= 1. */
static void
fill_item(struct trend_item *x, const struct report *r, const struct leak *l, const uint64_t *b,
    size_t n, size_t k)
{
	x->leak = l;
	x->steps = k;
	x->first_dump = n - 1 - k;
	x->first_bytes = b[n - 1 - k];
	x->last_bytes = b[n - 1];
	x->growth_bytes = x->last_bytes - x->first_bytes; /* > 0: strict increases */
	x->span_usec = series_usec_between(&r->dumps[n - 1 - k], &r->dumps[n - 1]);
	x->rate_known = x->span_usec > 0;
	x->bytes_per_second =
	    x->rate_known ? (double)x->growth_bytes * 1e6 / (double)x->span_usec : 0.0;
}

int
trend_compute(struct trend *t, const struct report *r, uint64_t min_steps, struct err *e)
{
	size_t n = r->ndumps;
	uint64_t *b;

	memset(t, 0, sizeof(*t));
	if (min_steps == 0)
		return err_set(e, "trend: --min-steps must be at least 1");
	t->dumps = r->dumps;
	t->ndumps = n;
	t->min_steps = min_steps;
	t->nstacks = r->nleaks;
	b = malloc((n ? n : 1) * sizeof(*b));
	t->growing = malloc((r->nleaks ? r->nleaks : 1) * sizeof(*t->growing));
	if (b == NULL || t->growing == NULL) {
		free(b);
		trend_free(t);
		return err_set(e, "out of memory");
	}
	for (size_t i = 0; i < r->nleaks; i++) {
		size_t k;

		if (CLASS_IS_RESOURCE(r->leaks[i].cls))
			series_amounts(&r->leaks[i], n, NULL, b); /* how many are open */
		else
			series_amounts(&r->leaks[i], n, b, NULL);
		k = trend_run(b, n);
		if (k >= 1 && k >= min_steps)
			fill_item(&t->growing[t->ngrowing++], r, &r->leaks[i], b, n, k);
	}
	free(b);
	if (t->ngrowing > 1)
		qsort(t->growing, t->ngrowing, sizeof(*t->growing), item_cmp);
	return 0;
}

void
trend_free(struct trend *t)
{
	free(t->growing);
	memset(t, 0, sizeof(*t));
}
