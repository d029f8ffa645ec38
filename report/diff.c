/*
 * diff.c - `leakreport diff OLD NEW`: the change of each symbolized stack's
 * live blocks from one dump of a process to a later one.
 *
 * Called by main.c after group_build() in series mode on [OLD, NEW], so a
 * record is one stack with every kind together and knows its amounts in
 * each of the two dumps. A stack that gained bytes is "grown", one that lost
 * bytes (or vanished: every block freed) is "shrunk"; when the bytes are
 * equal the blocks decide, and a stack equal in both is only counted. The
 * totals come from the dumps' stat lines (live_bytes, live_blocks,
 * rss_bytes), which also count blocks whose stack was not captured.
 * Computes; the outputs (output_diff.c) only render. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "series.h"

int64_t
diff_delta(uint64_t before, uint64_t after)
{
	if (after >= before)
		return after - before > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(after - before);
	return before - after > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(before - after);
}

/* Largest |delta_bytes| first, then largest |delta_blocks|, then frames:
 * used for both lists, whose deltas all have one sign per list. */
static int
entry_cmp(const void *pa, const void *pb)
{
	const struct diff_entry *a = pa, *b = pb;
	uint64_t ab = a->delta_bytes < 0 ? -(uint64_t)a->delta_bytes : (uint64_t)a->delta_bytes;
	uint64_t bb = b->delta_bytes < 0 ? -(uint64_t)b->delta_bytes : (uint64_t)b->delta_bytes;
	uint64_t ak = a->delta_blocks < 0 ? -(uint64_t)a->delta_blocks : (uint64_t)a->delta_blocks;
	uint64_t bk = b->delta_blocks < 0 ? -(uint64_t)b->delta_blocks : (uint64_t)b->delta_blocks;

	if (ab != bb)
		return ab > bb ? -1 : 1;
	if (ak != bk)
		return ak > bk ? -1 : 1;
	return group_frames_cmp(a->leak->frames, a->leak->nframes, b->leak->frames,
	    b->leak->nframes);
}

/* Sorts list[0..*n) and keeps at most top of them, counting the rest in *cut. */
static void
sort_and_cut(struct diff_entry *list, size_t *n, size_t *cut, bool top_set, uint64_t top)
{
	if (*n > 1)
		qsort(list, *n, sizeof(*list), entry_cmp);
	*cut = 0;
	if (top_set && *n > top) {
		*cut = *n - (size_t)top;
		*n = (size_t)top;
	}
}

int
diff_compute(struct diff *df, const struct report *r, bool top_set, uint64_t top, struct err *e)
{
	size_t cap = r->nleaks ? r->nleaks : 1;

	memset(df, 0, sizeof(*df));
	if (r->ndumps != 2)
		return err_set(e, "diff: needs exactly two dumps, got %zu", r->ndumps);
	df->old = &r->dumps[0];
	df->new = &r->dumps[1];
	df->grown = malloc(cap * sizeof(*df->grown));
	df->shrunk = malloc(cap * sizeof(*df->shrunk));
	if (df->grown == NULL || df->shrunk == NULL) {
		diff_free(df);
		return err_set(e, "out of memory");
	}
	for (size_t i = 0; i < r->nleaks; i++) {
		struct diff_entry x = { .leak = &r->leaks[i] };
		uint64_t bytes[2], blocks[2];

		series_amounts(&r->leaks[i], 2, bytes, blocks);
		x.bytes_before = bytes[0];
		x.bytes_after = bytes[1];
		x.blocks_before = blocks[0];
		x.blocks_after = blocks[1];
		x.delta_bytes = diff_delta(bytes[0], bytes[1]);
		x.delta_blocks = diff_delta(blocks[0], blocks[1]);
		if (x.delta_bytes > 0 || (x.delta_bytes == 0 && x.delta_blocks > 0))
			df->grown[df->ngrown++] = x;
		else if (x.delta_bytes < 0 || x.delta_blocks < 0)
			df->shrunk[df->nshrunk++] = x;
		else
			df->unchanged++;
	}
	sort_and_cut(df->grown, &df->ngrown, &df->grown_cut, top_set, top);
	sort_and_cut(df->shrunk, &df->nshrunk, &df->shrunk_cut, top_set, top);
	df->grown_stacks = df->ngrown + df->grown_cut;
	df->shrunk_stacks = df->nshrunk + df->shrunk_cut;
	df->not_listed = df->grown_cut + df->shrunk_cut;
	df->delta_live_bytes = diff_delta(df->old->stats.live_bytes, df->new->stats.live_bytes);
	df->delta_live_blocks = diff_delta(df->old->stats.live_blocks, df->new->stats.live_blocks);
	df->delta_rss_bytes = diff_delta(df->old->stats.rss_bytes, df->new->stats.rss_bytes);
	return 0;
}

void
diff_free(struct diff *df)
{
	free(df->grown);
	free(df->shrunk);
	memset(df, 0, sizeof(*df));
}
