/*
 * per_process.h - --per-process: what each dump (process) contributes to
 * the gate, for a CI log that must say which test leaked. See
 * per_process.c.
 */
#ifndef LEAKREPORT_PER_PROCESS_H
#define LEAKREPORT_PER_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "group.h"

/* One dump's share of the gated records. */
struct proc_row {
	const struct dump *dump; /* pid, exe, kind; points into report.dumps */
	uint64_t blocks;         /* of the gated records, summed; saturates */
	uint64_t bytes;
};

struct per_process {
	struct proc_row *rows; /* one per dump: bytes, then blocks, largest first,
				* then pid, then command-line order */
	size_t n;              /* = report.ndumps */
	size_t nleaky;         /* rows with a gated block: the first nleaky rows */
	size_t nclean;         /* the others: n - nleaky */
	unsigned kinds;        /* the gated kinds they were summed for */
};

/*
 * Fills pp from r (after group_finish) and kinds, the --fail-on mask
 * (CLASS_BIT): every record that counts toward the gate
 * (group_is_gated) adds each dump's blocks and bytes to that dump's row.
 * 0, or -1 with e filled (out of memory). Allocates; per_process_free().
 */
int per_process_build(struct per_process *pp, const struct report *r, unsigned kinds,
    struct err *e);

/* Frees pp's rows; safe on a zeroed struct. */
void per_process_free(struct per_process *pp);

#endif /* LEAKREPORT_PER_PROCESS_H */
