/*
 * diff.h - `leakreport diff OLD NEW`: per symbolized stack, how its live
 * blocks changed between two dumps of one process. See diff.c.
 */
#ifndef LEAKREPORT_DIFF_H
#define LEAKREPORT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "group.h"
#include "model.h"

struct diff_entry {
	const struct leak *leak; /* the stack (frames); owned by the report */
	uint64_t blocks_before;  /* live blocks in OLD, every kind */
	uint64_t blocks_after;   /* in NEW */
	uint64_t bytes_before;
	uint64_t bytes_after;
	int64_t delta_bytes; /* after - before, clamped to the int64_t range */
	int64_t delta_blocks;
};

struct diff {
	const struct dump *old;   /* report dumps[0]; not owned */
	const struct dump *new;   /* report dumps[1] */
	struct diff_entry *grown; /* more bytes (or as many bytes and more blocks),
				   * largest growth first; at most top when top_set */
	size_t ngrown;
	size_t grown_cut;          /* grown stacks left out by --top */
	struct diff_entry *shrunk; /* fewer bytes (or as many and fewer blocks),
				    * largest decrease first; at most top */
	size_t nshrunk;
	size_t shrunk_cut;
	size_t unchanged;         /* stacks with the same bytes and blocks in both */
	size_t grown_stacks;      /* grown stacks, listed or not: ngrown + grown_cut */
	size_t shrunk_stacks;     /* nshrunk + shrunk_cut */
	size_t not_listed;        /* left out by --top: grown_cut + shrunk_cut */
	int64_t delta_live_bytes; /* NEW - OLD of the stat lines, clamped */
	int64_t delta_live_blocks;
	int64_t delta_rss_bytes;
};

/* after - before, clamped to [INT64_MIN, INT64_MAX]. */
int64_t diff_delta(uint64_t before, uint64_t after);

/*
 * Fills df from r, a report that group_build() made in series mode from
 * exactly two dumps, OLD first. Ties in the order are broken by the frames
 * (group_frames_cmp), so the output does not depend on addresses. The
 * entries point into r, which must outlive df. 0, or -1 with e filled (out
 * of memory). Allocates; diff_free() releases.
 */
int diff_compute(struct diff *df, const struct report *r, bool top_set, uint64_t top,
    struct err *e);

/* Frees what diff_compute() allocated; safe on a zeroed struct. */
void diff_free(struct diff *df);

#endif /* LEAKREPORT_DIFF_H */
