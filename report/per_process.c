/*
 * per_process.c - --per-process: the gated blocks and bytes of each dump.
 *
 * main.c calls per_process_build() after group_finish, with the --fail-on
 * kinds; the outputs render the rows. A record's per-dump amounts are its
 * points (group.h), so a dump's row is the sum of the points it has in the
 * records that count toward the gate: after suppressions and the baseline,
 * whatever --group-by merged. Rows are sorted so that the worst process
 * comes first and processes without a gated block come last. Computes on
 * the report, prints nothing; single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "per_process.h"
#include "sat.h"

static int
row_cmp(const void *pa, const void *pb)
{
	const struct proc_row *a = pa, *b = pb;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->blocks != b->blocks)
		return a->blocks > b->blocks ? -1 : 1;
	if (a->dump->pid != b->dump->pid)
		return a->dump->pid < b->dump->pid ? -1 : 1;
	return a->dump < b->dump ? -1 : a->dump > b->dump; /* command-line order */
}

int
per_process_build(struct per_process *pp, const struct report *r, unsigned kinds, struct err *e)
{
	memset(pp, 0, sizeof(*pp));
	pp->rows = calloc(r->ndumps ? r->ndumps : 1, sizeof(*pp->rows));
	if (pp->rows == NULL)
		return err_set(e, "out of memory");
	pp->n = r->ndumps;
	pp->kinds = kinds;
	for (size_t i = 0; i < r->ndumps; i++)
		pp->rows[i].dump = &r->dumps[i];
	for (size_t i = 0; i < r->nleaks; i++) {
		const struct leak *l = &r->leaks[i];

		if (!group_is_gated(l, kinds))
			continue;
		for (size_t k = 0; k < l->npoints; k++) {
			struct proc_row *row = &pp->rows[l->points[k].dump];

			row->blocks = sat_add(row->blocks, l->points[k].blocks);
			row->bytes = sat_add(row->bytes, l->points[k].bytes);
		}
	}
	qsort(pp->rows, pp->n, sizeof(*pp->rows), row_cmp);
	for (size_t i = 0; i < pp->n; i++)
		pp->nclean += pp->rows[i].blocks == 0;
	pp->nleaky = pp->n - pp->nclean;
	return 0;
}

void
per_process_free(struct per_process *pp)
{
	free(pp->rows);
	memset(pp, 0, sizeof(*pp));
}
