/*
 * classify.c - the scan's classes, once marking is done.
 *
 * Reached blocks: REACHABLE (or reachable through a heuristic) or POSSIBLE.
 * The unreached: a block no other unreached block points to is DEFINITE
 * and everything it reaches INDIRECT; what is left are cycles with nothing
 * pointing in: the lowest block of each becomes DEFINITE and the rest
 * INDIRECT, and a DEFINITE block reached later from another cycle's leader
 * is demoted to INDIRECT (Valgrind's cliques). Only readable words are
 * read. Before the world resumes (scan.c); one thread.
 * Each INDIRECT block also keeps, in `link`, the leader whose walk took
 * it in (a demoted leader: the one that demoted it), so its owner is the
 * DEFINITE block at the end of that chain; one that the walks of leaders
 * of two different stacks reach is marked LOST_SHARED in `heur`, and so is
 * everything it reaches. leakreport uses the owners (the dump's own lines)
 * to drop the indirect blocks of a leak it suppresses, as LSan does.
 *
 * Cost: every lost block's words are read and looked up once, in the pass
 * that finds which blocks another lost block points to (`pointed`) and
 * which point to one (`st`, free once marking is done:
 * 0 for every unreached block, then 1 for one that points to a lost
 * block). The walks read again only the blocks that point to something
 * lost: a million lost blocks that point nowhere (the common shape of a
 * leak) are read once. The second pass runs only when the first left a
 * block out, the shared pass only when a block is shared. The
 * readable-range cursor is shared by the calls, which mostly come in
 * address order.
 */
#include "scan/scan_priv.h"

/* Calls fn(sc, i, c, ctx) for every unreached block c that a readable word
 * of block i points to (c != i). *hint: the caller's readable_piece()
 * cursor. */
static void
each_lost_target(struct scan *sc, size_t i, void (*fn)(struct scan *, size_t, size_t, void *),
    void *ctx, size_t *hint)
{
	const struct blk *x = &sc->b[i];
	uintptr_t hi = x->addr + x->size, end;

	if (x->size < sizeof(uintptr_t))
		return; /* no aligned word fits */
	for (uintptr_t a = x->addr; a < hi && readable_piece(&sc->rd, &a, hi, &end, hint);
	     a = end) {
		for (uintptr_t p = (a + 7) & ~(uintptr_t)7; p + 8 <= end; p += 8) {
			long c = blkindex_find(&sc->ix, *(const uintptr_t *)p);

			if (c >= 0 && (size_t)c != i && sc->b[c].state == ST_UNREACHED)
				fn(sc, i, (size_t)c, ctx);
		}
	}
}

/* c has a lost block pointing to it, and i points to one. */
static void
count_in(struct scan *sc, size_t i, size_t c, void *ctx)
{
	(void)ctx;
	sc->b[c].pointed = 1;
	sc->st[i] = 1;
}

size_t
classify_owner(const struct scan *sc, size_t c)
{
	for (size_t hops = 0; sc->b[c].cls == SCAN_INDIRECT && hops <= sc->n; hops++)
		c = sc->b[c].link;
	return c;
}

/* Takes c into the clique of leader *ctx: unclassified, or another
 * cycle's leader, it becomes INDIRECT. Already another leader's: shared,
 * when that leader's stack is another. */
struct clique {
	size_t leader;
	bool shared; /* some block was marked LOST_SHARED */
};

static void
take_in(struct scan *sc, size_t i, size_t c, void *ctx)
{
	struct clique *q = ctx;
	size_t leader = q->leader;

	(void)i;
	if (c == leader)
		return;
	if (sc->b[c].cls == CLS_NONE || sc->b[c].cls == SCAN_DEFINITE) {
		bool fresh = sc->b[c].cls == CLS_NONE;

		sc->b[c].cls = SCAN_INDIRECT;
		sc->b[c].link = (uint32_t)leader;
		if (fresh)
			sc->work[sc->nwork++] = (uint32_t)c;
	} else if (sc->b[c].cls == SCAN_INDIRECT && sc->b[c].heur != LOST_SHARED &&
	    sc->b[classify_owner(sc, c)].stack != sc->b[leader].stack) {
		sc->b[c].heur = LOST_SHARED;
		q->shared = true;
	}
}

/* Marks what a LOST_SHARED block reaches shared too. */
static void
share(struct scan *sc, size_t i, size_t c, void *ctx)
{
	(void)i;
	(void)ctx;
	if (sc->b[c].cls == SCAN_INDIRECT && sc->b[c].heur != LOST_SHARED) {
		sc->b[c].heur = LOST_SHARED;
		sc->work[sc->nwork++] = (uint32_t)c;
	}
}

/* Step 7: definite and indirect among the unreached. An unreached block
 * comes with pointed 0 (scan.c's collect_one()) and st 0 (its state,
 * ST_UNREACHED). */
void
classify_lost(struct scan *sc)
{
	struct blk *b = sc->b;
	struct clique q = { .shared = false };
	size_t hint = 0, waiting = 0;

	for (size_t i = 0; i < sc->n; i++)
		if (b[i].state == ST_UNREACHED)
			each_lost_target(sc, i, count_in, NULL, &hint);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && waiting == 0)
			break; /* nothing lost is pointed to only from a cycle */
		for (size_t i = 0; i < sc->n; i++) {
			if (b[i].state != ST_UNREACHED || b[i].cls != CLS_NONE)
				continue;
			if (pass == 0 && b[i].pointed) {
				waiting++;
				continue; /* first the blocks nothing lost points to */
			}
			b[i].cls = SCAN_DEFINITE;
			if (sc->st[i] == 0)
				continue; /* it points to nothing lost */
			q.leader = i;
			sc->nwork = 0;
			sc->work[sc->nwork++] = (uint32_t)i;
			while (sc->nwork > 0) {
				uint32_t k = sc->work[--sc->nwork];

				if (sc->st[k] != 0) /* else it points to nothing lost */
					each_lost_target(sc, k, take_in, &q, &hint);
			}
		}
	}
	sc->nwork = 0;
	for (size_t i = 0; q.shared && i < sc->n; i++) {
		if (b[i].cls != SCAN_INDIRECT || b[i].heur != LOST_SHARED)
			continue;
		sc->work[sc->nwork++] = (uint32_t)i;
		while (sc->nwork > 0) {
			uint32_t k = sc->work[--sc->nwork];

			if (sc->st[k] != 0)
				each_lost_target(sc, k, share, NULL, &hint);
		}
	}
}

void
classify_reached(struct scan *sc, struct stacks *stacks)
{
	sc->nstacks = stacks_limit(stacks);
	sc->by_stack = scan_map(sc, 4, sc->nstacks * sizeof(uint32_t) + 8);
	for (size_t i = 0; i < sc->n; i++) {
		struct blk *b = &sc->b[i];

		if (b->state == ST_UNREACHED)
			continue;
		b->cls = b->state >= ST_HEUR ? SCAN_REACHABLE : SCAN_POSSIBLE;
		if (sc->by_stack != NULL && b->stack < sc->nstacks && sc->by_stack[b->stack] == 0)
			sc->by_stack[b->stack] = (uint32_t)i + 1;
	}
}
