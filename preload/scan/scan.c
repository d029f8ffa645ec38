/*
 * scan.c - exit-time root scan: definite / indirect / possible / reachable.
 *
 * Called once by init.c's exit dump, after the program's exit handlers and
 * destructors, with the state DUMPING (free() does not free, so no block we
 * read goes away). Steps:
 *  1. roots_modules() (locks the loader, so before anything is stopped);
 *  2. stopworld_stop(): every other thread parks in a signal handler;
 *  3. copy the live blocks out of the address map into an array sorted by
 *     address (the map gives its blocks in order; the spill table's are
 *     radix-sorted and merged in, no malloc), and index it by address
 *     bucket, one bucket array per cluster of blocks;
 *  4. roots_maps(): live stacks and the program's own anonymous mappings;
 *  5. mark conservatively from the roots: every aligned word is looked up;
 *     a pointer to a block's first byte marks it REACHABLE, one into its
 *     interior POSSIBLE (as Valgrind). Marking goes on through the contents
 *     of marked blocks with an explicit work queue, never recursion: a block
 *     can only be pushed twice (POSSIBLE, then REACHABLE), so the list holds
 *     at most 2n entries. The queue is scanned level by level (breadth
 *     first); a level of PAR_BLOCKS blocks and PAR_BYTES bytes or more is
 *     split by bytes with a helper thread (helper.c): both halves are
 *     scanned without writing the scan's state, each collecting what it
 *     would mark, and this thread then marks it all in order, so the
 *     outcome is the one a single thread gets (perl's exit scan: 0.112 s
 *     -> 0.080 s). Blocks the dynamic loader allocated are roots by
 *     policy (thread DTVs, dynamic TLS, dlopen bookkeeping may be held only
 *     by interior pointers or unscanned memory), as LeakSanitizer does;
 *  6. stopworld_resume();
 *  7. the unreached blocks: a block no other unreached block points to is
 *     DEFINITE and everything it reaches INDIRECT; what is left are cycles
 *     with nothing pointing in: the lowest block of each becomes DEFINITE and
 *     the rest INDIRECT, and a DEFINITE block reached later from another
 *     cycle's leader is demoted to INDIRECT (Valgrind's cliques).
 * Each marked block keeps the block (or root) it was first marked from and
 * the address of the word that held the pointer: scan_retainer() walks that
 * back to name the root that keeps a stack's blocks alive.
 *
 * All memory comes from arena_map() and goes back in scan_free().
 * Called on one thread; the helper only ever runs scan_part().
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/arena.h"
#include "scan/blkindex.h"
#include "scan/helper.h"
#include "scan/heuristics.h"
#include "scan/roots.h"
#include "scan/scan.h"
#include "base/self.h"
#include "scan/stopworld.h"

#define ROOTS_CAP       (1 << 16)
#define READABLE_CAP    (1 << 17)       /* maps lines: vm.max_map_count is 65530 */
#define NO_PARENT       UINT32_MAX

/* A block's state only rises. ST_HEUR: reached from a root, the last step
 * an interior pointer that a heuristic accepts (heuristics.c): reachable,
 * as in Valgrind, until a start pointer makes it plainly so. */
enum { ST_UNREACHED, ST_POSSIBLE, ST_HEUR, ST_REACHABLE };

struct scan {
	struct blk *b;
	size_t n;
	struct blkindex ix;     /* find() over b */
	uint8_t *st;            /* n, b's state: mark() tests it here */
	uint32_t *work;         /* 3n + 1 entries */
	size_t nwork;
	struct roots roots;
	struct readable rd;     /* what may be read; the rest is skipped, never read */
	struct readable files;  /* file-backed readable mappings (vtables) */
	struct readable code;   /* file-backed executable mappings */
	struct heur_ctx hc;     /* the heuristics on (LEAK_HEURISTICS) and what they read */
	uint64_t unreadable;    /* bytes of blocks and roots skipped for that */
	uint32_t *by_stack;     /* stack id -> first reachable/possible block + 1, or 0 */
	size_t nstacks;
	struct helper *helper;  /* the second worker of big levels, or NULL */
	bool helper_tried;
	struct part *parts;     /* two, for the two workers of a level */
	size_t mapped[8];       /* lengths of the mappings, for scan_free */
	void *maps[8];
};

/* A block a worker of a parallel level found to mark: applied by the main
 * thread after the level, in worker order, so the result is the same as
 * one thread's. */
struct cand {
	uint32_t blk;
	uint32_t parent;
	uintptr_t where;
	uint8_t state;
	uint8_t heur;
};

/* One worker's share of a level: work[lo, hi). While workers run, nothing
 * writes the scan's state; each collects into its own c[] (at most 3n: a
 * block at most once per state, thanks to seen[]). */
struct part {
	struct scan *sc;
	size_t lo, hi;
	struct cand *c;
	size_t n;
	uint8_t *seen;          /* n: the highest state this worker emitted */
	uint64_t unreadable;    /* bytes this worker skipped */
};

static void *
map(struct scan *sc, int slot, size_t bytes)
{
	/* arena_map: registered, so the roots leave this memory out; it holds
	 * every block's address. */
	bytes = (bytes + 4095) & ~(size_t)4095;
	void *p = arena_map(bytes);

	if (p == NULL)
		return NULL;
	sc->maps[slot] = p;
	sc->mapped[slot] = bytes;
	return p;
}

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
		return;         /* inserted after we counted: not part of this scan */
	c->b[c->n++] = (struct blk){ .addr = addr, .size = size, .stack = stack,
	    .parent = NO_PARENT, .root = 0, .state = ST_UNREACHED, .cls = 0xff };
}

static void
count_one(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	(void)addr;
	(void)size;
	(void)stack;
	(*(size_t *)ctx)++;
}

/* Raises block i to `state` if that is higher, noting how it was reached
 * (heur: the heuristic of an ST_HEUR mark, else HEUR_NONE). */
static inline void
mark(struct scan *sc, size_t i, uint8_t state, uint32_t parent, uint32_t root, uintptr_t where,
    uint8_t heur)
{
	if (sc->st[i] >= state)
		return;
	struct blk *b = &sc->b[i];

	sc->st[i] = state;
	b->state = state;
	b->heur = heur;
	b->parent = parent;
	b->root = root;
	b->where = where;
	sc->work[sc->nwork++] = (uint32_t)i;
}

/* In a parallel level: notes that block i should be raised to `state`. */
static inline void
emit(struct part *out, size_t i, uint8_t state, uint32_t parent, uintptr_t where, uint8_t heur)
{
	if (out->sc->st[i] >= state || out->seen[i] >= state)
		return;
	out->seen[i] = state;
	out->c[out->n++] = (struct cand){ .blk = (uint32_t)i, .parent = parent, .where = where,
	    .state = state, .heur = heur };
}

/* The state a pointer v into block i gives it, seen from a block (or
 * root) of state from: a start pointer from a reached one (or one a
 * heuristic accepts) makes it reachable, anything else possible. */
static inline uint8_t
reach_by(struct scan *sc, size_t i, uintptr_t v, uint8_t from, uint8_t *heur)
{
	*heur = HEUR_NONE;
	if (from < ST_HEUR)
		return ST_POSSIBLE;
	if (v == sc->ix.keys[i].addr)
		return ST_REACHABLE;
	if (sc->hc.mask != 0 && sc->st[i] < ST_HEUR) {
		*heur = (uint8_t)heur_interior(&sc->hc, sc->ix.keys[i].addr, sc->b[i].size, v);
		if (*heur != HEUR_NONE)
			return ST_HEUR;
	}
	return ST_POSSIBLE;
}

/* v, read at p, points into no block: it may be one past an 8-byte
 * new T[0] block (heuristics.c), which it then marks (or emits). */
static void
mark_new_zero(struct scan *sc, uintptr_t v, uint8_t from, uint32_t parent, uint32_t root,
    uintptr_t p, struct part *out)
{
	if (!(sc->hc.mask & (1u << HEUR_NEWARRAY)) || from < ST_HEUR)
		return;
	long f = blkindex_find(&sc->ix, v - 1);

	if (f < 0 || (uint32_t)f == parent || sc->st[f] >= ST_HEUR ||
	    !heur_new_zero(&sc->hc, sc->ix.keys[f].addr, sc->b[f].size, v))
		return;
	if (out != NULL)
		emit(out, (size_t)f, ST_HEUR, parent, p, HEUR_NEWARRAY);
	else
		mark(sc, (size_t)f, ST_HEUR, parent, root, p, HEUR_NEWARRAY);
}

/* Marks what the words of [lo, hi) point to, as seen from `parent`; in a
 * parallel level (out != NULL), collects the marks into out instead.
 * [lo, hi) is readable: scan_range() clipped it. */
static void
scan_words(struct scan *sc, uintptr_t lo, uintptr_t hi, uint8_t from_state, uint32_t parent,
    uint32_t root, struct part *out)
{
	/* The last block found: neighbouring words often point into the same
	 * block (an arena of objects, an array of strings), so it is tried
	 * before the index. Empty at first: hit_len 0. */
	uintptr_t hit_lo = 0, hit_len = 0;
	long i = -1;

	lo = (lo + 7) & ~(uintptr_t)7;
	for (uintptr_t p = lo; p + 8 <= hi; p += 8) {
		uintptr_t v = *(const uintptr_t *)p;
		uint8_t st, heur;

		if (v - sc->ix.min >= sc->ix.span) {
			if (v - 1 - sc->ix.min < sc->ix.span)   /* one past the highest block */
				mark_new_zero(sc, v, from_state, parent, root, p, out);
			continue;
		}

		if (v - hit_lo >= hit_len) {
			long f = blkindex_find(&sc->ix, v);

			if (f < 0) {
				mark_new_zero(sc, v, from_state, parent, root, p, out);
				continue;
			}
			i = f;
			hit_lo = sc->ix.keys[i].addr;
			hit_len = sc->ix.keys[i].len;
		}
		if ((uint32_t)i == parent)
			continue;
		st = reach_by(sc, (size_t)i, v, from_state, &heur);
		if (out != NULL)
			emit(out, (size_t)i, st, parent, p, heur);
		else
			mark(sc, (size_t)i, st, parent, root, p, heur);
	}
}

/* scan_words() over the readable parts of [lo, hi) only; what is skipped
 * is added to *skipped. *hint: the caller's readable_piece() cursor. */
static inline void
scan_range(struct scan *sc, uintptr_t lo, uintptr_t hi, uint8_t from_state, uint32_t parent,
    uint32_t root, struct part *out, size_t *hint, uint64_t *skipped)
{
	uintptr_t end;
	uint64_t done = 0;

	for (uintptr_t a = lo; a < hi && readable_piece(&sc->rd, &a, hi, &end, hint); a = end) {
		scan_words(sc, a, end, from_state, parent, root, out);
		done += end - a;
	}
	*skipped += (hi - lo) - done;
}

#define AHEAD 48                /* work items between a block's prefetch and its scan */
#define PAR_BLOCKS 256          /* a level this long and this big is split */
#define PAR_BYTES ((uint64_t)1 << 20)

/* Scans the blocks work[lo, hi), prefetching AHEAD: the order is known
 * ahead, so the contents of the block AHEAD places on, and the record of
 * the one twice as far, are loaded early; the scan is one cache miss per
 * block otherwise. */
static void
scan_blocks(struct scan *sc, size_t lo, size_t hi, struct part *out)
{
	size_t hint = 0;
	uint64_t skipped = 0;

	for (size_t k = lo; k < hi; k++) {
		if (k + 2 * AHEAD < hi)
			__builtin_prefetch(&sc->b[sc->work[k + 2 * AHEAD]], 0, 0);
		if (k + AHEAD < hi)
			__builtin_prefetch((const void *)sc->b[sc->work[k + AHEAD]].addr, 0, 0);
		uint32_t i = sc->work[k];
		const struct blk *b = &sc->b[i];

		scan_range(sc, b->addr, b->addr + b->size, b->state, i, 0, out, &hint, &skipped);
	}
	if (out != NULL)
		out->unreadable += skipped;
	else
		sc->unreadable += skipped;
}

static void
scan_part(void *arg)
{
	struct part *pt = arg;

	scan_blocks(pt->sc, pt->lo, pt->hi, pt);
}

/* The helper and the per-worker buffers, on the first big level; false
 * when they cannot be had (then levels are scanned by this thread alone). */
static bool
par_ready(struct scan *sc)
{
	if (sc->helper != NULL)
		return true;
	if (sc->helper_tried)
		return false;
	sc->helper_tried = true;
	size_t cap = 3 * sc->n + 1;
	sc->parts = map(sc, 6, 2 * sizeof(struct part) + 2 * sc->n);
	struct cand *c = map(sc, 7, 2 * cap * sizeof(struct cand));
	if (sc->parts == NULL || c == NULL)
		return false;
	for (int w = 0; w < 2; w++) {
		sc->parts[w].sc = sc;
		sc->parts[w].c = c + (size_t)w * cap;
		sc->parts[w].seen = (uint8_t *)(sc->parts + 2) + (size_t)w * sc->n;
	}
	sc->helper = helper_start();
	return sc->helper != NULL;
}

/* One level, work[lo, hi), on two threads: split by bytes, scanned without
 * writing the scan's state, then marked here in order. */
static void
scan_level_parallel(struct scan *sc, size_t lo, size_t hi, uint64_t bytes)
{
	struct part *a = &sc->parts[0], *z = &sc->parts[1];
	uint64_t sum = 0;
	size_t mid = lo;

	while (mid < hi && sum < bytes / 2)
		sum += sc->b[sc->work[mid++]].size;
	a->lo = lo;
	a->hi = mid;
	z->lo = mid;
	z->hi = hi;
	a->n = z->n = 0;
	a->unreadable = z->unreadable = 0;
	helper_run(sc->helper, scan_part, z);
	scan_part(a);
	helper_wait(sc->helper);
	for (int w = 0; w < 2; w++) {
		struct part *pt = &sc->parts[w];

		sc->unreadable += pt->unreadable;
		for (size_t k = 0; k < pt->n; k++) {
			const struct cand *c = &pt->c[k];

			pt->seen[c->blk] = 0;
			mark(sc, c->blk, c->state, c->parent, 0, c->where, c->heur);
		}
	}
}

/* Scans the marked blocks in the order they were marked, level by level
 * (breadth first: retainer chains come out shortest). A level of many
 * blocks and bytes is split with the helper thread; the marks come out
 * the same as if one thread had scanned it. */
static void
drain(struct scan *sc)
{
	size_t head = 0;

	while (head < sc->nwork) {
		size_t end = sc->nwork;
		uint64_t bytes = 0;

		if (end - head >= PAR_BLOCKS)
			for (size_t k = head; k < end; k++)
				bytes += sc->b[sc->work[k]].size;
		if (bytes >= PAR_BYTES && par_ready(sc))
			scan_level_parallel(sc, head, end, bytes);
		else
			scan_blocks(sc, head, end, NULL);
		head = end;
	}
	sc->nwork = 0;
}

/* Live blocks in [lo, hi), as [chunk header, end) spans: see roots.h. */
static size_t
blocks_in(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max)
{
	const struct scan *sc = ctx;
	size_t a = 0, z = sc->n, n = 0;

	while (a < z) {         /* first block with addr >= lo */
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

static uintptr_t exit_sp;              /* the exiting thread's live stack starts here */
static pid_t exit_tid;

void
scan_set_stack_start(uintptr_t sp)
{
	exit_sp = sp;
	exit_tid = (pid_t)syscall(SYS_gettid);
}

/* Calls fn(sc, i, c, ctx) for every unreached block c that a readable word
 * of block i points to (c != i). */
static void
each_lost_target(struct scan *sc, size_t i, void (*fn)(struct scan *, size_t, size_t, void *),
    void *ctx)
{
	const struct blk *x = &sc->b[i];
	uintptr_t hi = x->addr + x->size, end;
	size_t hint = 0;

	for (uintptr_t a = x->addr; a < hi && readable_piece(&sc->rd, &a, hi, &end, &hint); a = end) {
		for (uintptr_t p = (a + 7) & ~(uintptr_t)7; p + 8 <= end; p += 8) {
			long c = blkindex_find(&sc->ix, *(const uintptr_t *)p);

			if (c >= 0 && (size_t)c != i && sc->b[c].state == ST_UNREACHED)
				fn(sc, i, (size_t)c, ctx);
		}
	}
}

static void
count_in(struct scan *sc, size_t i, size_t c, void *ctx)
{
	(void)i;
	(void)ctx;
	if (sc->b[c].root < UINT32_MAX)
		sc->b[c].root++;
}

/* Takes c into the clique of leader *ctx: unclassified, or another
 * cycle's leader, it becomes INDIRECT. */
static void
take_in(struct scan *sc, size_t i, size_t c, void *ctx)
{
	size_t leader = *(size_t *)ctx;

	(void)i;
	if (c == leader)
		return;
	if (sc->b[c].cls == 0xff || sc->b[c].cls == SCAN_DEFINITE) {
		bool fresh = sc->b[c].cls == 0xff;

		sc->b[c].cls = SCAN_INDIRECT;
		if (fresh)
			sc->work[sc->nwork++] = (uint32_t)c;
	}
}

/* Step 7: definite and indirect among the unreached. */
static void
classify_lost(struct scan *sc)
{
	struct blk *b = sc->b;

	for (size_t i = 0; i < sc->n; i++)
		if (b[i].state == ST_UNREACHED)
			b[i].root = 0;  /* from here on: indegree from unreached blocks */
	for (size_t i = 0; i < sc->n; i++)
		if (b[i].state == ST_UNREACHED)
			each_lost_target(sc, i, count_in, NULL);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sc->n; i++) {
			if (b[i].state != ST_UNREACHED || b[i].cls != 0xff)
				continue;
			if (pass == 0 && b[i].root != 0)
				continue;       /* first the blocks nothing lost points to */
			b[i].cls = SCAN_DEFINITE;
			sc->nwork = 0;
			sc->work[sc->nwork++] = (uint32_t)i;
			while (sc->nwork > 0)
				each_lost_target(sc, sc->work[--sc->nwork], take_in, &i);
		}
	}
}

static void
classify_reached(struct scan *sc, struct stacks *stacks)
{
	sc->nstacks = stacks_limit(stacks);
	sc->by_stack = map(sc, 4, sc->nstacks * sizeof(uint32_t) + 8);
	for (size_t i = 0; i < sc->n; i++) {
		struct blk *b = &sc->b[i];

		if (b->state == ST_UNREACHED)
			continue;
		b->cls = b->state >= ST_HEUR ? SCAN_REACHABLE : SCAN_POSSIBLE;
		if (sc->by_stack != NULL && b->stack < sc->nstacks && sc->by_stack[b->stack] == 0)
			sc->by_stack[b->stack] = (uint32_t)i + 1;
	}
}

#define ROOT_IS_LOADER          UINT32_MAX              /* blk.root of a loader block */
#define ROOT_IS_INTERNAL        (UINT32_MAX - 1)        /* of an internal block */

/* Blocks whose allocating code is in ld.so are roots (see the header), and
 * so are the internal ones: what libc allocated while libleak ran (glibc's
 * array of a thread's pthread key values past the first 32, when libunwind
 * set its key first) may hold the program's pointers. */
static void
mark_loader_blocks(struct scan *sc, struct stacks *stacks, stack_id_t internal)
{
	for (size_t i = 0; i < sc->n; i++) {
		unsigned n;
		const uintptr_t *pcs;

		if (internal != 0 && sc->b[i].stack == internal) {
			mark(sc, i, ST_REACHABLE, NO_PARENT, ROOT_IS_INTERNAL, 0, HEUR_NONE);
			continue;
		}
		pcs = stacks_get(stacks, sc->b[i].stack, &n);
		if (pcs != NULL && n > 0 && self_in_loader(pcs[0]))
			mark(sc, i, ST_REACHABLE, NO_PARENT, ROOT_IS_LOADER, 0, HEUR_NONE);
	}
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
scan_run(struct addrmap *t, struct stacks *stacks, stack_id_t internal, unsigned heur_mask)
{
	struct scan *sc = arena_map(sizeof(*sc));

	if (sc == NULL)
		return NULL;
	sc->roots.r = map(sc, 0, ROOTS_CAP * sizeof(struct root_region));
	if (sc->roots.r == NULL)
		goto out_free;
	sc->roots.cap = ROOTS_CAP;
	if (!readable_init(&sc->rd, READABLE_CAP) || !readable_init(&sc->files, READABLE_CAP) ||
	    !readable_init(&sc->code, READABLE_CAP))
		goto out_free;
	sc->roots.readable = &sc->rd;
	sc->roots.files = &sc->files;
	sc->roots.code = &sc->code;
	sc->hc = (struct heur_ctx){ .readable = &sc->rd, .files = &sc->files, .code = &sc->code,
	    .mask = heur_mask };
	roots_modules(&sc->roots);

	struct sw_thread *th = NULL;
	int nth = stopworld_stop(&th);
	if (nth < 0)
		goto out_free;

	size_t count = 0;
	addrmap_foreach(t, count_one, &count);
	struct collect c = { .cap = count + 1024 };
	c.b = map(sc, 1, 2 * c.cap * sizeof(struct blk));      /* blocks, then sort scratch */
	sc->work = map(sc, 3, (3 * c.cap + 1) * sizeof(uint32_t));
	if (c.b == NULL || sc->work == NULL)
		goto out_resume;
	addrmap_foreach(t, collect_one, &c);
	sc->b = c.b;
	sc->n = c.n;
	blkindex_sort(sc->b, sc->b + c.cap, sc->n);
	sc->st = map(sc, 5, sc->n + 1);
	if (sc->st == NULL || !blkindex_build(&sc->ix, sc->b, sc->n))
		goto out_resume;
	for (size_t i = 0; i < sc->n; i++)
		sc->st[i] = sc->b[i].state;

	size_t nglobal = sc->roots.n;
	pid_t me = (pid_t)syscall(SYS_gettid);
	uintptr_t my_sp = exit_sp != 0 && exit_tid == me ? exit_sp : spill_and_sp();
	if (roots_maps(&sc->roots, th, nth, my_sp, me, (uintptr_t)__builtin_thread_pointer(),
	    blocks_in, sc) < 0)
		goto out_resume;
	(void)nglobal;
	if (sc->n > 0) {
		size_t hint = 0;

		for (size_t r = 0; r < sc->roots.n; r++) {
			scan_range(sc, sc->roots.r[r].lo, sc->roots.r[r].hi, ST_REACHABLE, NO_PARENT,
			    (uint32_t)r, NULL, &hint, &sc->unreadable);
			drain(sc);
		}
		mark_loader_blocks(sc, stacks, internal);
		drain(sc);
	}
	if (sc->helper != NULL)
		helper_stop(sc->helper);
	sc->helper = NULL;
	stopworld_resume();
	classify_lost(sc);
	classify_reached(sc, stacks);
	return sc;

out_resume:
	stopworld_resume();
out_free:
	scan_free(sc);
	return NULL;
}

void
scan_foreach(const struct scan *sc, scan_visit_fn fn, void *ctx)
{
	for (size_t i = 0; i < sc->n; i++)
		fn(ctx, sc->b[i].size, sc->b[i].stack, (enum scan_class)sc->b[i].cls,
		    sc->b[i].cls == SCAN_REACHABLE ? (enum heur)sc->b[i].heur : HEUR_NONE);
}

bool
scan_retainer(const struct scan *sc, stack_id_t stack, struct scan_chain *out)
{
	if (sc->by_stack == NULL || stack >= sc->nstacks || sc->by_stack[stack] == 0)
		return false;
	size_t i = sc->by_stack[stack] - 1;
	uint32_t ring_stack[SCAN_CHAIN_MAX];
	uint64_t ring_size[SCAN_CHAIN_MAX];
	size_t hops = 0;

	/* Walk up to the root; keep the SCAN_CHAIN_MAX hops nearest to it. */
	for (uint32_t p = sc->b[i].parent; p != NO_PARENT && hops < sc->n; p = sc->b[p].parent) {
		ring_stack[hops % SCAN_CHAIN_MAX] = sc->b[p].stack;
		ring_size[hops % SCAN_CHAIN_MAX] = sc->b[p].size;
		hops++;
		i = p;
	}
	const struct blk *top = &sc->b[i];
	out->hops = hops;
	out->n = hops < SCAN_CHAIN_MAX ? hops : SCAN_CHAIN_MAX;
	for (size_t k = 0; k < out->n; k++) {
		size_t at = (hops - 1 - k) % SCAN_CHAIN_MAX;    /* nearest the root first */

		out->stack[k] = ring_stack[at];
		out->size[k] = ring_size[at];
	}
	if (top->root == ROOT_IS_LOADER || top->root == ROOT_IS_INTERNAL) {
		out->kind = top->root == ROOT_IS_LOADER ? ROOT_LOADER : ROOT_INTERNAL;
		out->who = 0;
		out->where = 0;
	} else {
		const struct root_region *r = &sc->roots.r[top->root];

		out->kind = r->kind;
		out->who = r->who;
		out->where = top->where;
	}
	return true;
}

uint64_t
scan_unreadable(const struct scan *sc)
{
	return sc->unreadable;
}

void
scan_free(struct scan *sc)
{
	if (sc->helper != NULL)
		helper_stop(sc->helper);
	blkindex_free(&sc->ix);
	readable_free(&sc->rd);
	readable_free(&sc->files);
	readable_free(&sc->code);
	for (int i = 0; i < 8; i++)
		if (sc->maps[i] != NULL)
			arena_unmap(sc->maps[i], sc->mapped[i]);
	arena_unmap(sc, sizeof(*sc));
}
