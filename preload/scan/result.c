/*
 * result.c - a scan once its steps are done (scan.c): what it answers,
 * each block's class (scan_foreach), the retainer chain of a stack
 * (scan_retainer) and the bytes it could not read (scan_unreadable), over
 * the arena memory it holds (scan_map, scan_free). Apart from scan.c,
 * which stops the process, so that a scan built by hand over blocks and
 * roots in a test's own memory can be marked, classified and asked
 * without a live process (tests/unit/check_scan.c).
 *
 * Read-only after classification; one thread.
 */
#include "base/arena.h"
#include "scan/scan_priv.h"

void *
scan_map(struct scan *sc, int slot, size_t bytes)
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

void
scan_foreach(const struct scan *sc, scan_visit_fn fn, void *ctx)
{
	for (size_t i = 0; i < sc->n; i++)
		fn(ctx, sc->b[i].size, sc->b[i].stack, (enum scan_class)sc->b[i].cls,
		    sc->b[i].cls == SCAN_REACHABLE ? (enum heur)sc->b[i].heur : HEUR_NONE,
		    sc->b[i].seen != 0);
}

void
scan_foreach_lost(const struct scan *sc, scan_lost_fn fn, void *ctx)
{
	for (size_t i = 0; i < sc->n; i++)
		if (sc->b[i].cls == SCAN_DEFINITE || sc->b[i].cls == SCAN_INDIRECT)
			fn(ctx, i, sc->b[i].addr, sc->b[i].size, sc->b[i].stack);
}

void
scan_set_seen(struct scan *sc, size_t index)
{
	if (index < sc->n)
		sc->b[index].seen = 1;
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
		size_t at = (hops - 1 - k) % SCAN_CHAIN_MAX; /* nearest the root first */

		out->stack[k] = ring_stack[at];
		out->size[k] = ring_size[at];
	}
	if (top->root >= ROOT_IS_IGNORED) {
		out->kind = top->root == ROOT_IS_LOADER ? ROOT_LOADER :
		    top->root == ROOT_IS_INTERNAL       ? ROOT_INTERNAL :
							  ROOT_IGNORED;
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
	mark_done(sc);
	blkindex_free(&sc->ix);
	readable_free(&sc->rd);
	readable_free(&sc->files);
	readable_free(&sc->code);
	for (int i = 0; i < 8; i++)
		if (sc->maps[i] != NULL)
			arena_unmap(sc->maps[i], sc->mapped[i]);
	arena_unmap(sc, sizeof(*sc));
}
