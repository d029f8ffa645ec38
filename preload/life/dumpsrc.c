/*
 * dumpsrc.c - the bridge between what the tracker and the scan know and
 * what the dump writer reads: the writer takes callbacks and plain figures
 * (dump/dump.h), never their types, so it can be tested on its own.
 */
#include <stddef.h>
#include <string.h>

#include "base/fmt.h"
#include "dump/resdesc.h"
#include "life/dumpsrc.h"
#include "life/state.h"
#include "scan/heuristics.h"
#include "life/lsan.h"
#include "track/counters.h"
#include "track/ignore.h"
#include "track/resources.h"
#include "track/track.h"

_Static_assert(SCAN_DEFINITE == (int)DUMP_DEFINITE && SCAN_INDIRECT == (int)DUMP_INDIRECT &&
	SCAN_POSSIBLE == (int)DUMP_POSSIBLE && SCAN_REACHABLE == (int)DUMP_REACHABLE,
    "scan classes in the dump's order");
_Static_assert(HEUR_COUNT == DUMP_NHEUR + 1 && SCAN_CHAIN_MAX <= DUMP_CHAIN_MAX,
    "heuristics 1.. in the dump's order; chains fit");

struct relay {
	dump_block_fn fn;
	void *fnctx;
};

static void
relay_scanned(void *ctx, uint64_t size, stack_id_t stack, enum scan_class cls, enum heur heur,
    bool seen)
{
	struct relay *r = ctx;

	r->fn(r->fnctx, size, stack, (enum dump_class)cls, (unsigned)heur, seen);
}

static void
relay_live(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct relay *r = ctx;

	(void)addr;
	r->fn(r->fnctx, size, stack, DUMP_DEFINITE, 0, false); /* no scan: all definite */
}

static void
blocks(void *ctx, dump_block_fn fn, void *fnctx)
{
	struct relay r = { .fn = fn, .fnctx = fnctx };

	if (ctx != NULL)
		scan_foreach(ctx, relay_scanned, &r);
	else
		addrmap_foreach(lk_blocks, relay_live, &r);
}

static const uintptr_t *
stack(void *ctx, uint32_t id, unsigned *n)
{
	(void)ctx;
	return ignore_frames(lk_stacks, id, n); /* an ignored block's: without the tag */
}

static void
owned(void *ctx, dump_owned_fn fn, void *fnctx)
{
	if (scan_foreach_owned(ctx, fn, fnctx) < 0)
		fmt_log("no memory to say whose the indirect blocks are; the dump has no own lines",
		    NULL);
}

static bool
retainer(void *ctx, uint32_t id, struct dump_chain *out)
{
	static const enum dump_root roots[] = {
		[ROOT_GLOBAL] = DUMP_GLOBAL,
		[ROOT_THREAD] = DUMP_THREAD,
		[ROOT_MAPPING] = DUMP_MAPPING,
		[ROOT_LOADER] = DUMP_LOADER,
		[ROOT_INTERNAL] = DUMP_INTERNAL,
		[ROOT_IGNORED] = DUMP_IGNORED,
		[ROOT_REGION] = DUMP_REGION,
	};
	struct scan_chain ch;

	if (!scan_retainer(ctx, id, &ch))
		return false;
	out->kind = roots[ch.kind];
	out->who = ch.who;
	out->where = ch.where;
	out->hops = ch.hops;
	out->n = ch.n;
	for (size_t k = 0; k < ch.n; k++) {
		out->stack[k] = ch.stack[k];
		out->size[k] = ch.size[k];
	}
	return true;
}

_Static_assert(RES_FD == (int)DUMP_RES_KIND_FD && RES_TIMER == (int)DUMP_RES_KIND_TIMER &&
	RES_THREAD == (int)DUMP_RES_KIND_THREAD,
    "resource kinds in the dump's order");

struct res_relay {
	dump_res_fn fn;
	void *fnctx;
	bool describe;
	struct resdesc *cache; /* NULL: sockets by inode only */
};

static void
relay_res(void *ctx, const struct res_item *it)
{
	struct res_relay *r = ctx;
	char desc[RESDESC_MAX];

	/* A descriptor the program closed where no hook saw it is no leak
	 * (resdesc_fd_open); both passes skip it. */
	if (it->kind == RES_FD && !resdesc_fd_open((int)it->id))
		return;
	struct dump_res d = {
		.kind = (enum dump_res_kind)it->kind,
		.stack = it->stack,
		.id = it->id,
		.fn = (unsigned)it->fn,
		.aux = it->kind == RES_THREAD ? it->aux : 0,
		.desc = NULL,
	};

	if (r->describe) {
		switch (it->kind) {
		case RES_FD:
			resdesc_fd(r->cache, (int)it->id, desc, sizeof(desc));
			break;
		case RES_TIMER:
			resdesc_timer(it->aux, it->clock, desc, sizeof(desc));
			break;
		case RES_THREAD:
			memcpy(desc, "exited, never joined", sizeof("exited, never joined"));
			break;
		}
		d.desc = desc;
	}
	r->fn(r->fnctx, &d);
}

/* The open resources, described when asked (the second pass). */
static void
resources(void *ctx, bool describe, dump_res_fn fn, void *fnctx)
{
	struct res_relay r = { .fn = fn, .fnctx = fnctx, .describe = describe };

	(void)ctx;
	if (describe)
		r.cache = resdesc_open();
	res_foreach(relay_res, &r);
	resdesc_close(r.cache);
}

void
dumpsrc_fill(struct dump_src *src, const struct scan *sc, int depth, enum dump_kind kind,
    uint64_t seq, bool atomic)
{
	struct counters_snap c;
	/* A blind scan holds the blocks (the map let them go) but no classes:
	 * the dump says scan none, as without one. */
	bool scanned = sc != NULL && !scan_blind(sc);

	counters_read(&c);
	*src = (struct dump_src){
		.depth = depth, .kind = kind, .seq = seq, .atomic = atomic,
		.scanned = scanned, .nstacks = stacks_limit(lk_stacks),
		.internal = lk_internal_stack, .ctx = (void *)sc, .suppress = lsan_suppressions(),
		.blocks = blocks, .stack = stack, .retainer = scanned ? retainer : NULL,
		.owned = scanned ? owned : NULL,
		.resources = res_ready() ? resources : NULL,
		.counts = {
			.allocs = c.allocs, .frees = c.frees, .peak_blocks = c.peak_blocks,
			.peak_bytes = c.peak_bytes, .peak_time_ms = c.peak_time_ms,
			.uptime_ms = counters_ms_since_start(), .dropped = c.dropped,
			.unreadable = scanned ? scan_unreadable(sc) : 0,
			.res_dropped = res_dropped(),
			.scan_us = scanned ? scan_took_us(sc) : 0,
		},
	};
	counters_start_time(&src->counts.start_sec, &src->counts.start_usec);
}
