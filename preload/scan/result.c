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

bool
scan_blind(const struct scan *sc)
{
	return sc->blind;
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
	for (uint32_t p = blk_parent(&sc->b[i]); p != NO_PARENT && hops < sc->n;
	     p = blk_parent(&sc->b[p])) {
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
	if (top->link >= ROOT_IS_IGNORED) {
		out->kind = top->link == ROOT_IS_LOADER ? ROOT_LOADER :
		    top->link == ROOT_IS_INTERNAL       ? ROOT_INTERNAL :
							  ROOT_IGNORED;
		out->who = 0;
		out->where = 0;
	} else {
		const struct top *t = &sc->tops[top->link];
		const struct root_region *r = &sc->roots.r[t->root];

		out->kind = r->kind;
		out->who = r->who;
		out->where = t->where;
	}
	return true;
}

struct owned {
	uint64_t key; /* stack << 32 | owner's stack */
	uint64_t size;
};

/* Heap sort by key, in place: no allocation, n log n. */
static void
owned_sift(struct owned *a, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1].key > a[c].key)
			c++;
		if (a[i].key >= a[c].key)
			return;
		struct owned t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

static void
owned_sort(struct owned *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		owned_sift(a, i, n);
	for (size_t k = n; k-- > 1;) {
		struct owned t = a[0];
		a[0] = a[k];
		a[k] = t;
		owned_sift(a, 0, k);
	}
}

int
scan_foreach_owned(struct scan *sc, scan_owned_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++)
		n += sc->b[i].cls == SCAN_INDIRECT && sc->b[i].heur != LOST_SHARED;
	if (n == 0)
		return 0;
	struct owned *a = scan_map(sc, 8, n * sizeof(*a));
	if (a == NULL)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->b[i].cls != SCAN_INDIRECT || sc->b[i].heur == LOST_SHARED)
			continue;
		size_t o = classify_owner(sc, i);

		if (sc->b[o].cls != SCAN_DEFINITE)
			continue; /* cannot happen: every chain ends at a leader */
		a[k++] = (struct owned){ .key = (uint64_t)sc->b[i].stack << 32 | sc->b[o].stack,
			.size = sc->b[i].size };
	}
	owned_sort(a, k);
	for (size_t i = 0; i < k;) {
		uint64_t blocks = 0, bytes = 0;
		size_t j = i;

		for (; j < k && a[j].key == a[i].key; j++) {
			blocks++;
			bytes += a[j].size;
		}
		fn(ctx, (stack_id_t)(a[i].key >> 32), (stack_id_t)a[i].key, blocks, bytes);
		i = j;
	}
	return 0;
}

uint64_t
scan_took_us(const struct scan *sc)
{
	return sc->took_us;
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
	for (int i = 0; i < SCAN_MAPS; i++)
		if (sc->maps[i] != NULL)
			arena_unmap(sc->maps[i], sc->mapped[i]);
	arena_unmap(sc, sizeof(*sc));
}
