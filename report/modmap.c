/*
 * modmap.c - a dump's modules flattened into sorted, disjoint segments, so
 * that finding the module of a return address is a binary search instead
 * of a walk over every module (20,000 modules and 1M frames took 7 s).
 *
 * dump_read.c builds the segments once per dump (modmap_build); the
 * symbolizer looks each pc up (modmap_find). Module spans may overlap (a
 * library loaded where an unloaded one was); an address belongs to the
 * first loaded module in dump order that holds it, else the first unloaded
 * one. The build sweeps the sorted span boundaries with a binary heap of
 * the spans open at that point, ordered by that preference (loaded first,
 * then dump order); spans that ended are dropped lazily when they reach
 * the top. Between two consecutive boundaries the set of open spans does
 * not change, so each elementary interval has one winner; neighbours with
 * the same winner are joined. At most 2n - 1 segments; O(n log n) time.
 *
 * No global state (dumps may be read on separate threads); the segments
 * belong to the dump.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "modmap.h"

struct sweep {
	const struct module *mods;
	uint32_t *heap; /* module indices, best preference on top */
	size_t n;
};

/* Whether module a is preferred to module b for an address both hold. */
static bool
before(const struct module *mods, uint32_t a, uint32_t b)
{
	if (mods[a].loaded != mods[b].loaded)
		return mods[a].loaded;
	return a < b;
}

static void
heap_push(struct sweep *w, uint32_t m)
{
	size_t i = w->n++;

	while (i > 0 && before(w->mods, m, w->heap[(i - 1) / 2])) {
		w->heap[i] = w->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	w->heap[i] = m;
}

static void
heap_pop(struct sweep *w)
{
	uint32_t last = w->heap[--w->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= w->n)
			break;
		if (c + 1 < w->n && before(w->mods, w->heap[c + 1], w->heap[c]))
			c++;
		if (!before(w->mods, w->heap[c], last))
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	if (w->n > 0)
		w->heap[i] = last;
}

static int
u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Module indices by lo; ctx is the modules. */
static int
by_lo(const void *pa, const void *pb, void *ctx)
{
	const struct module *mods = ctx;
	uint64_t a = mods[*(const uint32_t *)pa].lo;
	uint64_t b = mods[*(const uint32_t *)pb].lo;

	return a < b ? -1 : a > b;
}

int
modmap_build(struct dump *d)
{
	size_t n = d->nmodules, np = 0, k = 0, ns = 0;
	uint64_t *pts = malloc((2 * n + 1) * sizeof(*pts));
	uint32_t *order = malloc((n + 1) * sizeof(*order));
	struct sweep w = { .mods = d->modules, .heap = malloc((n + 1) * sizeof(*w.heap)) };
	struct modmap_seg *segs = malloc((2 * n + 1) * sizeof(*segs));

	if (pts == NULL || order == NULL || w.heap == NULL || segs == NULL) {
		free(pts);
		free(order);
		free(w.heap);
		free(segs);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		pts[np++] = d->modules[i].lo;
		pts[np++] = d->modules[i].hi;
		order[i] = (uint32_t)i;
	}
	qsort(pts, np, sizeof(*pts), u64_cmp);
	qsort_r(order, n, sizeof(*order), by_lo, d->modules);
	for (size_t i = 0; i < np; i++) {
		uint64_t x = pts[i];

		if (i > 0 && x == pts[i - 1])
			continue;
		while (k < n && d->modules[order[k]].lo <= x)
			heap_push(&w, order[k++]);
		while (w.n > 0 && d->modules[w.heap[0]].hi <= x)
			heap_pop(&w);
		if (w.n == 0)
			continue;
		/* [x, the next boundary) has one winner: spans open and close
		 * only at boundaries. The last boundary is a hi, so the heap is
		 * empty there and next always exists here. */
		size_t j = i + 1;

		while (pts[j] == x)
			j++;
		if (ns > 0 && segs[ns - 1].module == w.heap[0] && segs[ns - 1].hi == x)
			segs[ns - 1].hi = pts[j];
		else
			segs[ns++] =
			    (struct modmap_seg){ .lo = x, .hi = pts[j], .module = w.heap[0] };
	}
	free(pts);
	free(order);
	free(w.heap);
	d->segs = segs;
	d->nsegs = ns;
	return 0;
}

const struct module *
modmap_find_linear(const struct dump *d, uint64_t addr)
{
	const struct module *unloaded = NULL;

	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = &d->modules[i];

		if (addr < m->lo || addr >= m->hi)
			continue;
		if (m->loaded)
			return m;
		if (unloaded == NULL)
			unloaded = m;
	}
	return unloaded;
}

const struct module *
modmap_find(const struct dump *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nsegs;

	if (d->segs == NULL)
		return modmap_find_linear(d, addr);
	while (lo < hi) { /* the first segment with lo > addr */
		size_t mid = lo + (hi - lo) / 2;

		if (d->segs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= d->segs[lo - 1].hi)
		return NULL;
	return &d->modules[d->segs[lo - 1].module];
}
