/*
 * scan.c - exit-time root scan: definite / indirect / possible / reachable.
 *
 * Called by life/finish.c's exit dump, after the program's exit handlers and
 * destructors, with the state DUMPING (free() does not free, so no block we
 * read goes away), and by life/check.c's leak_check_now() while the program
 * runs: then blocks are only read while the other threads are stopped.
 * Steps:
 *  1. roots_modules() (locks the loader, so before anything is stopped);
 *  2. stopworld_stop(): every other thread parks in a signal handler;
 *  3. copy the live blocks out of the address map into an array sorted by
 *     address (the map gives its blocks in order; the spill table's are
 *     radix-sorted and merged in, no malloc), and index it by address
 *     bucket, one bucket array per cluster of blocks;
 *  4. roots_maps(): live stacks and the program's own anonymous mappings,
 *     then the regions the program registered (regions.c);
 *  5. mark conservatively from the roots (mark.c), the loader's and libc's
 *     internal blocks and the program's ignored ones being roots by policy;
 *  6. classify the unreached (classify.c): definite or indirect;
 *  7. stopworld_resume(), then the reached: reachable or possible.
 * What the finished scan answers (scan_foreach, scan_retainer: each marked
 * block's first parent walked back to the root that keeps it alive) is in
 * result.c.
 *
 * All memory comes from arena_map() (scan_map) and goes back in scan_free().
 * Called on one thread.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "scan/regions.h"
#include "scan/scan_priv.h"
#include "scan/stopworld.h"

#define ROOTS_CAP    (1 << 16)
#define READABLE_CAP (1 << 17) /* maps lines: vm.max_map_count is 65530 */

struct collect {
	struct blk *b;
	size_t n;
	size_t cap;
};

static void
collect_one(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct collect *c = ctx;

	if (c->n == c->cap)
		return; /* inserted after we counted: not part of this scan */
	c->b[c->n++] = (struct blk){ .addr = addr,
		.size = size,
		.stack = stack,
		.link = NO_PARENT,
		.state = ST_UNREACHED,
		.cls = CLS_NONE };
}

static void
count_one(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	(void)addr;
	(void)size;
	(void)stack;
	(*(size_t *)ctx)++;
}

/* Drops the second visit of a block the table had in mid-move (addrmap.h)
 * from b[0..n), sorted by address; returns how many are left. */
static size_t
drop_repeats(struct blk *b, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (w == 0 || b[i].addr != b[w - 1].addr)
			b[w++] = b[i];
	return w;
}

/* Live blocks in [lo, hi), as [chunk header, end) spans: see roots.h. */
static size_t
blocks_in(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max)
{
	const struct scan *sc = ctx;
	size_t a = 0, z = sc->n, n = 0;

	while (a < z) { /* first block with addr >= lo */
		size_t mid = (a + z) / 2;

		if (sc->b[mid].addr < lo)
			a = mid + 1;
		else
			z = mid;
	}
	for (; a < sc->n && sc->b[a].addr < hi; a++, n++) {
		if (n < max) {
			spans[2 * n] = sc->b[a].addr - 16;
			spans[2 * n + 1] = sc->b[a].addr + sc->b[a].size;
		}
		if (n > max)
			break;
	}
	return n;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uintptr_t exit_sp; /* the exiting thread's live stack starts here */
static pid_t exit_tid;

void
scan_set_stack_start(uintptr_t sp)
{
	exit_sp = sp;
	exit_tid = (pid_t)syscall(SYS_gettid);
}

uintptr_t
scan_stack_start(uintptr_t here)
{
	return exit_sp != 0 && exit_tid == (pid_t)syscall(SYS_gettid) ? exit_sp : here;
}

/* Spills callee-saved registers into this frame, then returns its address:
 * the calling thread's live stack starts below it. */
static __attribute__((noinline)) uintptr_t
spill_and_sp(void)
{
	volatile uintptr_t here = 0;

	__builtin_unwind_init();
	return (uintptr_t)&here;
}

struct scan *
scan_run(struct addrmap *t, struct stacks *stacks, stack_id_t internal, unsigned heur_mask,
    uintptr_t caller_sp, bool release_map)
{
	uint64_t t0 = now_us();
	struct scan *sc = arena_map(sizeof(*sc));

	if (sc == NULL)
		return NULL;
	sc->roots.r = scan_map(sc, 0, ROOTS_CAP * sizeof(struct root_region));
	if (sc->roots.r == NULL)
		goto out_free;
	sc->roots.cap = ROOTS_CAP;
	if (!readable_init(&sc->rd, READABLE_CAP) || !readable_init(&sc->files, READABLE_CAP) ||
	    !readable_init(&sc->code, READABLE_CAP))
		goto out_free;
	sc->roots.readable = &sc->rd;
	sc->roots.files = &sc->files;
	sc->roots.code = &sc->code;
	sc->hc = (struct heur_ctx){ .readable = &sc->rd,
		.files = &sc->files,
		.code = &sc->code,
		.mask = heur_mask };
	roots_modules(&sc->roots);
	sc->stacks = stacks;
	libctree_find(&sc->tree); /* locks the loader too */
	/* The program's own root regions, copied while nobody is stopped (a
	 * stopped thread may hold the registry's lock); added after the maps. */
	uintptr_t *reg = scan_map(sc, 2, 2 * REGIONS_MAX * sizeof(uintptr_t));
	size_t nreg = reg != NULL ? regions_copy(reg, reg + REGIONS_MAX, REGIONS_MAX) : 0;

	struct sw_thread *th = NULL;
	int nth = stopworld_stop(&th);
	if (nth < 0)
		goto out_free;

	size_t count = 0;
	addrmap_foreach(t, count_one, &count);
	struct collect c = { .cap = count + 1024 };
	c.b = scan_map(sc, 1, 2 * c.cap * sizeof(struct blk)); /* blocks, then sort scratch */
	sc->work = scan_map(sc, 3, (3 * c.cap + 1) * sizeof(uint32_t));
	sc->tops = scan_map(sc, 10, (2 * c.cap + 1) * sizeof(struct top));
	if (c.b == NULL || sc->work == NULL || sc->tops == NULL)
		goto out_resume;
	/* The exit's: the map goes as the copy grows. Nothing inserts once the
	 * state is DUMPING, so the count above holds and no block is dropped
	 * for want of room. */
	if (release_map)
		addrmap_foreach_release(t, collect_one, &c);
	else
		addrmap_foreach(t, collect_one, &c);
	sc->b = c.b;
	sc->n = c.n;
	blkindex_sort(sc->b, sc->b + c.cap, sc->n);
	sc->n = drop_repeats(sc->b, sc->n);
	sc->st = scan_map(sc, 5, sc->n + 1);
	if (sc->st == NULL || !blkindex_build(&sc->ix, sc->b, sc->n))
		goto out_blind;
	for (size_t i = 0; i < sc->n; i++)
		sc->st[i] = sc->b[i].state;

	size_t nglobal = sc->roots.n;
	pid_t me = (pid_t)syscall(SYS_gettid);
	uintptr_t my_sp = caller_sp != 0   ? caller_sp :
	    exit_sp != 0 && exit_tid == me ? exit_sp :
					     spill_and_sp();
	if (roots_maps(&sc->roots, th, nth, my_sp, me, (uintptr_t)__builtin_thread_pointer(),
		blocks_in, sc) < 0)
		goto out_blind;
	(void)nglobal;
	roots_regions(&sc->roots, reg, reg + REGIONS_MAX, nreg);
	roots_moving(&sc->roots, th, nth);
	if (sc->n > 0) {
		mark_from_roots(sc);
		mark_policy_roots(sc, stacks, internal);
	}
	mark_done(sc);
	/* Before the world resumes: a leak_check_now() runs while the program
	 * does, and a lost block's contents are only certain to be there
	 * while nobody runs (the program may hold pointers we cannot see). */
	classify_lost(sc);
	stopworld_resume();
	classify_reached(sc, stacks);
	sc->took_us = now_us() - t0;
	return sc;

out_blind:
	if (release_map) {
		/* The map let the blocks go: they are only here now. */
		for (size_t i = 0; i < sc->n; i++)
			sc->b[i].cls = SCAN_DEFINITE;
		sc->blind = true;
		stopworld_resume();
		sc->took_us = now_us() - t0;
		return sc;
	}
out_resume:
	stopworld_resume();
out_free:
	scan_free(sc);
	return NULL;
}
