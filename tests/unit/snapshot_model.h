/*
 * snapshot_model.h - in-memory struct dump models of one process's
 * snapshots, for check_trend.c and check_diff.c (static functions; include
 * from one test file only).
 *
 * A model has no module lines, so each pc symbolizes to a bare-address
 * frame and each stack k (1..MODEL_STACKS) is told apart by its first pc,
 * MODEL_PC(k). Stack k's live bytes in a snapshot are given per stack; a
 * stack with 0 bytes has no rec. Bytes are split into two recs of two
 * kinds (definite and reachable) to check that series mode adds every kind.
 */
#ifndef SNAPSHOT_MODEL_H
#define SNAPSHOT_MODEL_H

#include <check.h>
#include <string.h>

#include "group.h"
#include "series.h"
#include "symbolize.h"

#define MODEL_STACKS 4
#define MODEL_DUMPS  32
#define MODEL_PC(k)  (0x1000ull * (k))
#define MODEL_BLOCK  16 /* bytes per block */

struct model {
	struct dump d[MODEL_DUMPS];
	size_t n;
	struct stack st[MODEL_DUMPS][MODEL_STACKS];
	uint64_t pcs[MODEL_STACKS][2];
	struct rec rc[MODEL_DUMPS][2 * MODEL_STACKS];
	char paths[MODEL_DUMPS][32];
	struct symbolizer *sym;
	struct report rep;
};

static struct model M;

static void
model_reset(void)
{
	memset(&M, 0, sizeof(M));
	for (int k = 0; k < MODEL_STACKS; k++) {
		M.pcs[k][0] = MODEL_PC(k + 1);
		M.pcs[k][1] = 0x9000;
	}
}

/*
 * Appends snapshot seq written at time_usec (microseconds since the epoch)
 * by pid 42 (started at 1.000000), in which stack k+1 holds bytes[k]; its
 * stats: those totals, rss_bytes = rss. Returns the dump.
 */
static struct dump *
model_add(uint64_t seq, uint64_t time_usec, const uint64_t bytes[MODEL_STACKS], uint64_t rss)
{
	struct dump *d;
	size_t nr = 0;

	ck_assert_uint_lt(M.n, MODEL_DUMPS);
	d = &M.d[M.n];
	memset(d, 0, sizeof(*d));
	snprintf(M.paths[M.n], sizeof(M.paths[M.n]), "snap%llu.dump", (unsigned long long)seq);
	d->path = M.paths[M.n];
	d->pid = 42;
	d->start_sec = 1;
	d->time_sec = time_usec / 1000000;
	d->time_usec = (uint32_t)(time_usec % 1000000);
	d->snapshot = seq != 0;
	d->seq = seq;
	d->depth = 32;
	d->stacks = M.st[M.n];
	d->recs = M.rc[M.n];
	for (int k = 0; k < MODEL_STACKS; k++) {
		uint64_t blocks = bytes[k] / MODEL_BLOCK;

		if (bytes[k] == 0)
			continue;
		ck_assert_uint_ge(blocks, 2); /* two recs of >= 1 block each */
		M.st[M.n][d->nstacks++] =
		    (struct stack){ .id = (uint32_t)k + 1, .n = 2, .pcs = M.pcs[k] };
		/* one block reachable, the rest definite: series mode adds them */
		M.rc[M.n][nr++] = (struct rec){ .stack_id = (uint32_t)k + 1,
			.cls = CLASS_DEFINITE,
			.blocks = blocks - 1,
			.bytes = bytes[k] - MODEL_BLOCK };
		M.rc[M.n][nr++] = (struct rec){ .stack_id = (uint32_t)k + 1,
			.cls = CLASS_REACHABLE,
			.blocks = 1,
			.bytes = MODEL_BLOCK };
		d->stats.live_blocks += blocks;
		d->stats.live_bytes += bytes[k];
	}
	d->nrecs = nr;
	d->stats.rss_bytes = rss;
	M.n++;
	return d;
}

/* Groups the model's dumps (as they are now ordered) in series mode. */
static void
model_group(void)
{
	struct sym_options so = { .debuginfod = false };
	struct err e;

	M.sym = sym_new(&so, &e);
	ck_assert_msg(M.sym != NULL, "%s", e.msg);
	group_init(&M.rep);
	M.rep.series = true;
	ck_assert_msg(group_build(&M.rep, M.sym, M.d, M.n, &e) == 0, "%s", e.msg);
}

static void
model_free(void)
{
	group_free(&M.rep);
	if (M.sym != NULL)
		sym_free(M.sym);
	M.sym = NULL;
}

/* Which model stack (1..MODEL_STACKS) record l is. */
static int
model_stack_of(const struct leak *l)
{
	ck_assert_uint_ge(l->nframes, 1);
	for (int k = 1; k <= MODEL_STACKS; k++)
		if (l->frames[0].pc == MODEL_PC(k))
			return k;
	ck_abort_msg("record with unknown first pc %llx", (unsigned long long)l->frames[0].pc);
	return 0;
}

#endif /* SNAPSHOT_MODEL_H */
