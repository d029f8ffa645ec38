/*
 * seen.c - one leak, one report, over a run with checks.
 *
 * A program that calls leak_check_now() after each test writes a dump per
 * check, and its exit dump; a block lost at one check and still lost at
 * the next is the same leak, and the dumps say which blocks of a record
 * an earlier check reported (seen lines, docs/dump-format.md). By default
 * leakreport lists each leak in the dump where it was first seen only:
 * this takes the seen blocks out of the records before grouping, so every
 * format, the gate and a baseline see the same thing, and the summary says
 * how much was left out. --seen keeps them (the caller does not call it).
 */
#include "seen.h"

void
seen_take_out(struct dump *dumps, size_t n, struct amount *out)
{
	for (size_t k = 0; k < n; k++) {
		struct dump *d = &dumps[k];
		size_t w = 0;

		for (size_t i = 0; i < d->nrecs; i++) {
			struct rec *r = &d->recs[i];

			if (r->seen_blocks != 0) {
				sat_amount_add(out, 1, r->seen_blocks, r->seen_bytes);
				r->blocks -= r->seen_blocks; /* dump_read: seen <= rec */
				r->bytes -= r->seen_bytes;
				r->seen_blocks = r->seen_bytes = 0;
				if (r->blocks == 0)
					continue;
			}
			d->recs[w++] = *r;
		}
		d->nrecs = w;
	}
}
