/*
 * mark.c - the scan's marking: conservative, from the roots.
 *
 * Every aligned word of a root region is looked up among the blocks; a
 * pointer to a block's first byte marks it REACHABLE, one into its
 * interior POSSIBLE (as Valgrind), or, when one of Valgrind's heuristics
 * accepts it (heuristics.c), HEUR (reachable). Marking goes on through the
 * contents of marked blocks with an explicit work queue, never recursion:
 * a block can only be pushed twice (POSSIBLE, then HEUR or REACHABLE), so
 * the list holds at most 3n entries (its size) with room to spare. Only readable memory is read
 * (readable.h): what the program made PROT_NONE is skipped and counted.
 * The queue is scanned level by level (breadth first: retainer chains come
 * out shortest); a level of PAR_BLOCKS blocks and PAR_BYTES bytes or more
 * is split by bytes with a helper thread (helper.c): both halves are
 * scanned without writing the scan's state, each collecting what it would
 * mark, and this thread then marks it all in order, so the outcome is the
 * one a single thread gets (perl's exit scan: 0.112 s -> 0.080 s). Blocks
 * the dynamic loader allocated are roots by policy (thread DTVs, dynamic
 * TLS, dlopen bookkeeping may be held only by interior pointers or
 * unscanned memory), as LeakSanitizer does, and so are libc's internal
 * blocks (track/track.h) and the program's ignored ones (track/ignore.h).
 * Each marked block keeps the block (or root) it was first marked from; one
 * marked from a root region also the address of the word that held the
 * pointer, in scan.tops (the 8 bytes a block that only the roots' direct
 * targets use): scan_retainer() walks that back to name the root that
 * keeps a stack's blocks alive.
 * Called on one thread; the helper only ever runs scan_part().
 */
#include "base/arena.h"
#include "base/self.h"
#include "scan/helper.h"
#include "scan/scan_priv.h"
#include "track/ignore.h"

/* A work entry: a block index, and WORK_RESCAN when the block was queued
 * before (its unreadable bytes are counted at its first scan only). */
#define WORK_RESCAN   ((uint32_t)1 << 31)
#define WORK_BLOCK(w) ((w) & ~WORK_RESCAN)

/* Raises block i to `state` if that is higher, noting how it was reached
 * (heur: the heuristic of an ST_HEUR mark, else HEUR_NONE).
 * From ST_HEUR to ST_REACHABLE the block keeps its links and is not
 * queued again: its contents were scanned as seen from a reached block,
 * which gives what a reachable one gives (reach_by), and the new pointer
 * may come from a block it reaches itself, so taking that block for its
 * parent would make the two retainer chains loop. */
static inline void
mark(struct scan *sc, size_t i, uint8_t state, uint32_t parent, uint32_t root, uintptr_t where,
    uint8_t heur)
{
	uint8_t old = sc->st[i];

	if (old >= state)
		return;
	struct blk *b = &sc->b[i];

	sc->st[i] = state;
	b->state = state;
	b->heur = heur;
	if (old == ST_HEUR)
		return;
	b->from_root = parent == NO_PARENT;
	b->link = parent;
	if (parent == NO_PARENT) {
		b->link = root;
		if (root < ROOT_IS_IGNORED) {
			sc->tops[sc->ntops] = (struct top){ .root = root, .where = where };
			b->link = (uint32_t)sc->ntops++;
		}
	}
	sc->work[sc->nwork++] = (uint32_t)i | (old != ST_UNREACHED ? WORK_RESCAN : 0);
}

/* In a parallel level: notes that block i should be raised to `state`. */
static inline void
emit(struct part *out, size_t i, uint8_t state, uint32_t parent, uint8_t heur)
{
	if (out->sc->st[i] >= state || out->seen[i] >= state)
		return;
	out->seen[i] = state;
	out->c[out->n++] =
	    (struct cand){ .blk = (uint32_t)i, .parent = parent, .state = state, .heur = heur };
}

/* Whether block i is a node of one of libc's own tsearch trees. */
static bool
libc_tree_node(struct scan *sc, size_t i)
{
	unsigned n = 0;
	const uintptr_t *pcs = stacks_get(sc->stacks, sc->b[i].stack, &n);

	return libctree_is_node(&sc->tree, pcs, n);
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
	if (v == sc->b[i].addr)
		return ST_REACHABLE;
	if (v == sc->b[i].addr + 1 && sc->tree.fn_lo != 0 && libc_tree_node(sc, i))
		return ST_REACHABLE; /* a tsearch node's colour bit (libctree.h) */
	if (sc->hc.mask != 0 && sc->st[i] < ST_HEUR) {
		*heur = (uint8_t)heur_interior(&sc->hc, sc->b[i].addr, sc->b[i].size, v);
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
	    !heur_new_zero(&sc->hc, sc->b[f].addr, sc->b[f].size, v))
		return;
	if (out != NULL)
		emit(out, (size_t)f, ST_HEUR, parent, HEUR_NEWARRAY);
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
	/* The block being scanned: a third of perl's words point back into
	 * it (its bodyless scalars), and each such word sent the last-block
	 * check away from the block the next word points into. */
	uintptr_t self_lo = 0, self_len = 0;

	if (parent != NO_PARENT) {
		self_lo = sc->b[parent].addr;
		self_len = blk_len(&sc->b[parent]);
	}

	lo = (lo + 7) & ~(uintptr_t)7;
	for (uintptr_t p = lo; p + 8 <= hi; p += 8) {
		uintptr_t v = *(const uintptr_t *)p;
		uint8_t st, heur;

		if (v - sc->ix.min >= sc->ix.span) {
			if (v - 1 - sc->ix.min < sc->ix.span) /* one past the highest block */
				mark_new_zero(sc, v, from_state, parent, root, p, out);
			continue;
		}

		if (v - self_lo < self_len)
			continue; /* into itself: marks nothing */
		if (v - hit_lo >= hit_len) {
			long f = blkindex_find(&sc->ix, v);

			if (f < 0) {
				mark_new_zero(sc, v, from_state, parent, root, p, out);
				continue;
			}
			i = f;
			hit_lo = sc->b[i].addr;
			hit_len = blk_len(&sc->b[i]);
		}
		if ((uint32_t)i == parent)
			continue;
		st = reach_by(sc, (size_t)i, v, from_state, &heur);
		if (out != NULL)
			emit(out, (size_t)i, st, parent, heur);
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

#define AHEAD      48  /* work items between a block's prefetch and its scan */
#define PAR_BLOCKS 256 /* a level this long and this big is split */
#define PAR_BYTES  ((uint64_t)1 << 20)

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
			__builtin_prefetch(&sc->b[WORK_BLOCK(sc->work[k + 2 * AHEAD])], 0, 0);
		if (k + AHEAD < hi)
			__builtin_prefetch(
			    (const void *)sc->b[WORK_BLOCK(sc->work[k + AHEAD])].addr, 0, 0);
		uint32_t i = WORK_BLOCK(sc->work[k]);
		const struct blk *b = &sc->b[i];
		uint64_t again = 0;

		scan_range(sc, b->addr, b->addr + b->size, b->state, i, 0, out, &hint,
		    (sc->work[k] & WORK_RESCAN) ? &again : &skipped);
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
	sc->parts = scan_map(sc, 6, 2 * sizeof(struct part) + 2 * sc->n);
	struct cand *c = scan_map(sc, 7, 2 * cap * sizeof(struct cand));
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
		sum += sc->b[WORK_BLOCK(sc->work[mid++])].size;
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
			mark(sc, c->blk, c->state, c->parent, 0, 0, c->heur);
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
				bytes += sc->b[WORK_BLOCK(sc->work[k])].size;
		if (bytes >= PAR_BYTES && par_ready(sc))
			scan_level_parallel(sc, head, end, bytes);
		else
			scan_blocks(sc, head, end, NULL);
		head = end;
	}
	sc->nwork = 0;
}

void
mark_from_roots(struct scan *sc)
{
	size_t hint = 0;

	for (size_t r = 0; r < sc->roots.n; r++) {
		scan_range(sc, sc->roots.r[r].lo, sc->roots.r[r].hi, ST_REACHABLE, NO_PARENT,
		    (uint32_t)r, NULL, &hint, &sc->unreadable);
		drain(sc);
	}
}

/* Blocks whose allocating code is in ld.so are roots (see the header), so
 * are the ones the program asked never to report (track/ignore.h: what
 * they reach is not lost either), and so are the internal ones: what libc allocated while libleak ran (glibc's
 * array of a thread's pthread key values past the first 32, when libunwind
 * set its key first) may hold the program's pointers. */
void
mark_policy_roots(struct scan *sc, struct stacks *stacks, stack_id_t internal)
{
	/* The policy is the stack's: decided once per stack id (POLICY_*),
	 * not once per block; without the memo, once per block. */
	enum {
		POLICY_UNKNOWN,
		POLICY_NONE,
		POLICY_IGNORED,
		POLICY_LOADER
	};
	size_t nstacks = stacks_limit(stacks);
	uint8_t *memo = scan_map(sc, 9, nstacks + 1);

	for (size_t i = 0; i < sc->n; i++) {
		stack_id_t id = sc->b[i].stack;
		uint8_t policy = memo != NULL && id < nstacks ? memo[id] : POLICY_UNKNOWN;

		if (internal != 0 && id == internal) {
			mark(sc, i, ST_REACHABLE, NO_PARENT, ROOT_IS_INTERNAL, 0, HEUR_NONE);
			continue;
		}
		if (policy == POLICY_UNKNOWN) {
			unsigned n;
			const uintptr_t *pcs = stacks_get(stacks, id, &n);

			policy = ignore_is_tagged(pcs, n)                  ? POLICY_IGNORED :
			    pcs != NULL && n > 0 && self_in_loader(pcs[0]) ? POLICY_LOADER :
									     POLICY_NONE;
			if (memo != NULL && id < nstacks)
				memo[id] = policy;
		}
		if (policy == POLICY_IGNORED)
			mark(sc, i, ST_REACHABLE, NO_PARENT, ROOT_IS_IGNORED, 0, HEUR_NONE);
		else if (policy == POLICY_LOADER)
			mark(sc, i, ST_REACHABLE, NO_PARENT, ROOT_IS_LOADER, 0, HEUR_NONE);
	}
	drain(sc); /* and what they point to */
}

void
mark_done(struct scan *sc)
{
	if (sc->helper != NULL)
		helper_stop(sc->helper);
	sc->helper = NULL;
}
