/*
 * check_scan.c - the exit scan's marking (mark.c), classification
 * (classify.c) and answers (result.c) on blocks built by hand in the
 * test's own memory: no live process is scanned and nothing is stopped.
 *
 * A "world" is a heap (one mapping the blocks are carved from), globals
 * (another, whose words are the root regions), a "file-backed" region
 * with fake vtables, and the readable list over them (less any holes the
 * case makes PROT_NONE). w_scan() builds a struct scan over it the way
 * scan_run() does after stopping the world (blocks sorted and indexed,
 * state and work arrays from scan_map(), roots, readable ranges, the
 * heuristics' context), then marks and classifies.
 *
 * Cases: definite; indirect chains; cycles with nothing pointing in (one
 * definite per cycle, Valgrind's cliques); a cycle reachable from a root;
 * interior pointers (possible) and start pointers from possible blocks;
 * each of heuristics.c's heuristics (and new T[0]) making a block
 * reachable, and the mask turning them off; unreadable memory skipped and
 * counted; policy roots; retainer chains. Then random graphs against a
 * naive model (a fixpoint over the same words, a plain search for the
 * lost blocks' cliques, and the invariants of Valgrind's classes), one of
 * them big enough for the helper thread to scan levels in parallel.
 *
 * The seed comes from TEST_SEED or the clock; failure messages name it.
 * Over 500 lines: one suite per module, and the model needs its world.
 */
#define _GNU_SOURCE
#include <check.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/arena.h"
#include "base/self.h"
#include "scan/scan_priv.h"
#include "track/stacks.h"
#include "seeded.h"

#define HEAP_BYTES   ((size_t)8 << 20)
#define MAXB         4096
#define GLOBAL_WORDS 4096
#define VT_WORDS     512
#define CODE_LO      ((uintptr_t)0x10000) /* the fake "executable mappings": never read */
#define CODE_HI      ((uintptr_t)0x20000)
#define PAGE         ((uintptr_t)4096)

struct world {
	char *heap;      /* HEAP_BYTES */
	uintptr_t *glob; /* GLOBAL_WORDS words: what roots point at */
	uintptr_t *vt;   /* VT_WORDS: "file-backed" (vtables) */
	struct blk *b;   /* MAXB records, in address order */
	size_t n;
	struct root_region roots[16];
	size_t nroots;
	uintptr_t hole_lo[8]; /* heap ranges not in the readable list (PROT_NONE) */
	uintptr_t hole_hi[8];
	size_t nholes;
	unsigned mask; /* heuristics on */
	struct stacks *stacks;
	stack_id_t internal; /* libc's internal blocks' stack, 0: none */
	struct scan *sc;
	uint8_t cls[MAXB]; /* from scan_foreach() */
	uint8_t heur[MAXB];
	size_t visited;
};

static void *
map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert(p != MAP_FAILED);
	return p;
}

static struct world *
w_new(void)
{
	struct world *w = map(sizeof(*w));

	w->heap = map(HEAP_BYTES);
	w->glob = map(GLOBAL_WORDS * 8);
	w->vt = map(VT_WORDS * 8);
	w->b = map(MAXB * sizeof(struct blk));
	w->stacks = stacks_new();
	w->mask = HEUR_ALL;
	ck_assert_ptr_nonnull(w->stacks);
	return w;
}

/* A block at heap offset off (after the last one), of size bytes, with a
 * stack of its own. Returns its index. */
static size_t
w_block(struct world *w, size_t off, uint64_t size)
{
	uintptr_t a = (uintptr_t)w->heap + off;
	uintptr_t pc = 0x40000000 + 16 * (uintptr_t)w->n;

	ck_assert(w->n < MAXB && off + size <= HEAP_BYTES);
	if (w->n > 0) {
		const struct blk *last = &w->b[w->n - 1];

		ck_assert_msg(a >= last->addr + (last->size ? last->size : 1),
		    "blocks out of order");
	}
	w->b[w->n] =
	    (struct blk){ .addr = a, .size = size, .stack = stacks_intern(w->stacks, &pc, 1) };
	return w->n++;
}

static uintptr_t *
w_words(struct world *w, size_t i)
{
	return (uintptr_t *)w->b[i].addr;
}

static uintptr_t
w_addr(struct world *w, size_t i)
{
	return w->b[i].addr;
}

/* Root region over globals [from, to) (word indexes). */
static void
w_root(struct world *w, size_t from, size_t to, enum root_kind kind, uint32_t who)
{
	ck_assert(w->nroots < 16 && to <= GLOBAL_WORDS);
	w->roots[w->nroots++] = (struct root_region){ .lo = (uintptr_t)&w->glob[from],
		.hi = (uintptr_t)&w->glob[to],
		.kind = kind,
		.who = who };
}

/* Heap pages [lo, hi) (offsets, page aligned) made PROT_NONE and left out
 * of the readable list: the scan must skip them without reading. Call
 * after writing the blocks' contents. */
static void
w_hole(struct world *w, size_t lo, size_t hi)
{
	ck_assert(w->nholes < 8 && lo % PAGE == 0 && hi % PAGE == 0 && lo < hi);
	w->hole_lo[w->nholes] = (uintptr_t)w->heap + lo;
	w->hole_hi[w->nholes++] = (uintptr_t)w->heap + hi;
	ck_assert_int_eq(mprotect(w->heap + lo, hi - lo, PROT_NONE), 0);
}

struct range {
	uintptr_t lo, hi;
};

static int
cmp_range(const void *a, const void *b)
{
	uintptr_t x = ((const struct range *)a)->lo, y = ((const struct range *)b)->lo;

	return x < y ? -1 : x > y;
}

/* The readable list: heap less the holes, the globals, the vtables. */
static void
w_readable(const struct world *w, struct readable *rd)
{
	struct range r[16];
	size_t n = 0;
	uintptr_t at = (uintptr_t)w->heap;

	for (size_t h = 0; h < w->nholes; h++) { /* holes in ascending order */
		r[n++] = (struct range){ at, w->hole_lo[h] };
		at = w->hole_hi[h];
	}
	r[n++] = (struct range){ at, (uintptr_t)w->heap + HEAP_BYTES };
	r[n++] = (struct range){ (uintptr_t)w->glob, (uintptr_t)(w->glob + GLOBAL_WORDS) };
	r[n++] = (struct range){ (uintptr_t)w->vt, (uintptr_t)(w->vt + VT_WORDS) };
	qsort(r, n, sizeof(r[0]), cmp_range);
	for (size_t k = 0; k < n; k++)
		readable_add(rd, r[k].lo, r[k].hi);
}

static void
collect(void *ctx, uint64_t size, stack_id_t stack, enum scan_class cls, enum heur heur, bool seen)
{
	struct world *w = ctx;

	ck_assert(!seen); /* only a check's scan_set_seen() marks blocks */
	ck_assert(w->visited < w->n);
	ck_assert(size == w->b[w->visited].size && stack == w->b[w->visited].stack);
	w->cls[w->visited] = (uint8_t)cls;
	w->heur[w->visited++] = (uint8_t)heur;
}

/* Builds the scan over the world as scan_run() does once the world is
 * stopped and the roots are known, then marks and classifies. */
static void
w_scan(struct world *w)
{
	struct scan *sc = arena_map(sizeof(*sc));

	if (w->sc != NULL)
		scan_free(w->sc);
	ck_assert_ptr_nonnull(sc);
	for (size_t i = 0; i < w->n; i++) {
		struct blk *b = &w->b[i];

		*b = (struct blk){ .addr = b->addr,
			.size = b->size,
			.stack = b->stack,
			.link = NO_PARENT,
			.state = ST_UNREACHED,
			.cls = CLS_NONE };
	}
	sc->roots.r = scan_map(sc, 0, (w->nroots + 1) * sizeof(struct root_region));
	ck_assert_ptr_nonnull(sc->roots.r);
	memcpy(sc->roots.r, w->roots, w->nroots * sizeof(w->roots[0]));
	sc->roots.n = w->nroots;
	sc->roots.cap = w->nroots + 1;
	ck_assert(readable_init(&sc->rd, 32) && readable_init(&sc->files, 4) &&
	    readable_init(&sc->code, 4));
	w_readable(w, &sc->rd);
	readable_add(&sc->files, (uintptr_t)w->vt, (uintptr_t)(w->vt + VT_WORDS));
	readable_add(&sc->code, CODE_LO, CODE_HI);
	sc->hc = (struct heur_ctx){ .readable = &sc->rd,
		.files = &sc->files,
		.code = &sc->code,
		.mask = w->mask };
	sc->b = w->b;
	sc->n = w->n;
	sc->work = scan_map(sc, 3, (3 * w->n + 1) * sizeof(uint32_t));
	sc->tops = scan_map(sc, 10, (2 * w->n + 1) * sizeof(struct top));
	sc->st = scan_map(sc, 5, w->n + 1);
	ck_assert(sc->work != NULL && sc->tops != NULL && sc->st != NULL);
	ck_assert(blkindex_build(&sc->ix, sc->b, sc->n));
	for (size_t i = 0; i < sc->n; i++)
		sc->st[i] = sc->b[i].state;
	if (sc->n > 0) {
		mark_from_roots(sc);
		mark_policy_roots(sc, w->stacks, w->internal);
	}
	mark_done(sc);
	classify_lost(sc);
	classify_reached(sc, w->stacks);
	w->visited = 0;
	scan_foreach(sc, collect, w);
	ck_assert_uint_eq(w->visited, w->n);
	w->sc = sc;
}

static void
w_free(struct world *w)
{
	if (w->sc != NULL)
		scan_free(w->sc);
	for (size_t h = 0; h < w->nholes; h++)
		mprotect((void *)w->hole_lo[h], w->hole_hi[h] - w->hole_lo[h],
		    PROT_READ | PROT_WRITE);
	munmap(w->heap, HEAP_BYTES);
	munmap(w->glob, GLOBAL_WORDS * 8);
	munmap(w->vt, VT_WORDS * 8);
	munmap(w->b, MAXB * sizeof(struct blk));
	munmap(w, sizeof(*w));
}

static const char *const cls_name[] = { "definite", "indirect", "possible", "reachable" };

#define CLS(w, i, want)                                                                 \
	ck_assert_msg((w)->cls[i] == (want), "block %zu: %s, expected %s", (size_t)(i), \
	    (w)->cls[i] < 4 ? cls_name[(w)->cls[i]] : "?", cls_name[want])

/* ---- definite, indirect, reachable */

START_TEST(nothing_points_in_is_definite)
{
	struct world *w = w_new();
	size_t a = w_block(w, 0, 32);
	size_t z = w_block(w, 4096, 0); /* a 0-byte block holds its first byte */

	w->glob[0] = 12345;
	w->glob[1] = w_addr(w, a) - 8;  /* just before it */
	w->glob[2] = w_addr(w, a) + 32; /* one past its end, nothing there */
	w->glob[3] = w_addr(w, z) + 1;
	w_root(w, 0, 4, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, a, SCAN_DEFINITE);
	CLS(w, z, SCAN_DEFINITE);
	ck_assert_uint_eq(scan_unreadable(w->sc), 0);
	w_free(w);
}
END_TEST

START_TEST(no_blocks_no_roots)
{
	struct world *w = w_new();
	struct scan_chain ch;

	w_scan(w);
	ck_assert(!scan_retainer(w->sc, 1, &ch));
	w_root(w, 0, 16, ROOT_GLOBAL, 1);
	w_scan(w);
	size_t a = w_block(w, 0, 16);

	w_scan(w);
	CLS(w, a, SCAN_DEFINITE);
	w_free(w);
}
END_TEST

START_TEST(start_pointer_from_root_is_reachable)
{
	struct world *w = w_new();
	size_t a = w_block(w, 64, 48), b = w_block(w, 112, 16), z = w_block(w, 4096, 0);

	w->glob[5] = w_addr(w, a);
	w_words(w, a)[2] = w_addr(w, b); /* and through it */
	w->glob[6] = w_addr(w, z);
	w_root(w, 0, 8, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, a, SCAN_REACHABLE);
	CLS(w, b, SCAN_REACHABLE);
	CLS(w, z, SCAN_REACHABLE);
	ck_assert_uint_eq(w->heur[a], HEUR_NONE);
	w_free(w);
}
END_TEST

START_TEST(indirect_chain)
{
	struct world *w = w_new();
	size_t a = w_block(w, 0, 32), b = w_block(w, 64, 32), c = w_block(w, 128, 32),
	       d = w_block(w, 192, 64);

	w_words(w, a)[0] = w_addr(w, b);
	w_words(w, b)[3] = w_addr(w, c) + 8; /* interior pointers count among the lost */
	w_words(w, c)[1] = w_addr(w, d);
	w_words(w, d)[0] = w_addr(w, d); /* itself: no indegree */
	w_root(w, 0, 8, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, a, SCAN_DEFINITE);
	CLS(w, b, SCAN_INDIRECT);
	CLS(w, c, SCAN_INDIRECT);
	CLS(w, d, SCAN_INDIRECT);
	/* two lost blocks pointing to one: both definite, it indirect */
	size_t e = w_block(w, 512, 16), f = w_block(w, 576, 16);

	w_words(w, e)[0] = w_addr(w, a);
	w_words(w, f)[1] = w_addr(w, a);
	w_scan(w);
	CLS(w, e, SCAN_DEFINITE);
	CLS(w, f, SCAN_DEFINITE);
	CLS(w, a, SCAN_INDIRECT);
	w_free(w);
}
END_TEST

/* A cycle nothing points into: its lowest block definite, the rest
 * indirect; every separate cycle has its own definite one. */
START_TEST(cycles_one_definite_each)
{
	struct world *w = w_new();
	size_t a = w_block(w, 0, 16), b = w_block(w, 32, 16); /* a <-> b */
	size_t c = w_block(w, 64, 16), d = w_block(w, 96, 16), e = w_block(w, 128, 16);
	size_t s = w_block(w, 160, 16);                          /* s -> s only */
	size_t t = w_block(w, 192, 24), u = w_block(w, 224, 16); /* t <-> u */

	w_words(w, a)[0] = w_addr(w, b);
	w_words(w, b)[1] = w_addr(w, a);
	w_words(w, c)[0] = w_addr(w, d); /* c -> d -> e -> c, entered at e */
	w_words(w, d)[0] = w_addr(w, e) + 4;
	w_words(w, e)[0] = w_addr(w, c);
	w_words(w, s)[0] = w_addr(w, s) + 8;
	w_words(w, t)[2] = w_addr(w, u);
	w_words(w, u)[0] = w_addr(w, t);
	w_root(w, 0, 8, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, a, SCAN_DEFINITE);
	CLS(w, b, SCAN_INDIRECT);
	CLS(w, c, SCAN_DEFINITE);
	CLS(w, d, SCAN_INDIRECT);
	CLS(w, e, SCAN_INDIRECT);
	CLS(w, s, SCAN_DEFINITE);
	CLS(w, t, SCAN_DEFINITE);
	CLS(w, u, SCAN_INDIRECT);
	w_free(w);
}
END_TEST

/* A block nothing lost points to leads: the cycle it points into is all
 * indirect, and a cycle's leader reached from another cycle (of higher
 * blocks) is demoted: one definite for both (Valgrind's cliques). */
START_TEST(cliques)
{
	struct world *w = w_new();
	size_t p = w_block(w, 0, 16), q = w_block(w, 32, 16);  /* p <-> q */
	size_t x = w_block(w, 64, 16), y = w_block(w, 96, 16); /* x <-> y -> p */
	size_t l = w_block(w, 128, 16), m = w_block(w, 160, 16), k = w_block(w, 192, 16);

	w_words(w, p)[0] = w_addr(w, q);
	w_words(w, q)[0] = w_addr(w, p);
	w_words(w, x)[0] = w_addr(w, y);
	w_words(w, y)[0] = w_addr(w, x);
	w_words(w, y)[1] = w_addr(w, p);
	w_words(w, k)[0] = w_addr(w, l); /* k -> l <-> m: k leads */
	w_words(w, l)[0] = w_addr(w, m);
	w_words(w, m)[0] = w_addr(w, l);
	w_root(w, 0, 8, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, x, SCAN_DEFINITE);
	CLS(w, y, SCAN_INDIRECT);
	CLS(w, p, SCAN_INDIRECT);
	CLS(w, q, SCAN_INDIRECT);
	CLS(w, k, SCAN_DEFINITE);
	CLS(w, l, SCAN_INDIRECT);
	CLS(w, m, SCAN_INDIRECT);
	w_free(w);
}
END_TEST

START_TEST(cycle_reachable_from_root)
{
	struct world *w = w_new();
	size_t a = w_block(w, 0, 16), b = w_block(w, 32, 16), c = w_block(w, 64, 16);

	w_words(w, a)[0] = w_addr(w, b);
	w_words(w, b)[0] = w_addr(w, c);
	w_words(w, c)[0] = w_addr(w, a);
	w->glob[100] = w_addr(w, b);
	w_root(w, 96, 104, ROOT_THREAD, 4242);
	w_scan(w);
	CLS(w, a, SCAN_REACHABLE);
	CLS(w, b, SCAN_REACHABLE);
	CLS(w, c, SCAN_REACHABLE);
	w_free(w);
}
END_TEST

/* ---- possible */

START_TEST(interior_pointers_are_possible)
{
	struct world *w = w_new();
	size_t a = w_block(w, 0, 64), b = w_block(w, 128, 64), c = w_block(w, 256, 13);
	size_t d = w_block(w, 512, 64), e = w_block(w, 640, 64);

	w->glob[0] = w_addr(w, a) + 16;
	w->glob[1] = w_addr(w, b) + 63;  /* its last byte */
	w->glob[2] = w_addr(w, c) + 3;   /* unaligned */
	w_words(w, a)[1] = w_addr(w, d); /* a start pointer from a possible block */
	w_words(w, d)[7] = w_addr(w, e) + 8;
	w_root(w, 0, 4, ROOT_GLOBAL, 1);
	w->mask = 0;
	w_scan(w);
	CLS(w, a, SCAN_POSSIBLE);
	CLS(w, b, SCAN_POSSIBLE);
	CLS(w, c, SCAN_POSSIBLE);
	CLS(w, d, SCAN_POSSIBLE);
	CLS(w, e, SCAN_POSSIBLE);
	/* a start pointer from a root as well: reachable, and what it reaches */
	w->glob[3] = w_addr(w, a);
	w_scan(w);
	CLS(w, a, SCAN_REACHABLE);
	CLS(w, d, SCAN_REACHABLE);
	CLS(w, e, SCAN_POSSIBLE); /* still only an interior pointer */
	CLS(w, b, SCAN_POSSIBLE);
	w_free(w);
}
END_TEST

/* ---- heuristics */

/* Builds a block that heuristic h accepts a pointer into, and returns it;
 * *ptr is the interior pointer. */
static size_t
heur_block(struct world *w, size_t off, int h, uintptr_t *ptr)
{
	size_t i;
	uintptr_t *p;

	switch (h) {
	case HEUR_STDSTRING: /* length 5, capacity 15: 24 + 15 + 1 bytes */
		i = w_block(w, off, 40);
		p = w_words(w, i);
		p[0] = 5;
		p[1] = 15;
		p[2] = (uintptr_t)-1; /* refcount */
		memcpy(&p[3], "hello", 6);
		*ptr = w_addr(w, i) + 24;
		return i;
	case HEUR_LENGTH64: /* 32 bytes after its length */
		i = w_block(w, off, 40);
		w_words(w, i)[0] = 32;
		*ptr = w_addr(w, i) + 8;
		return i;
	case HEUR_NEWARRAY: /* new T[5], T of 8 bytes */
		i = w_block(w, off, 48);
		w_words(w, i)[0] = 5;
		*ptr = w_addr(w, i) + 8;
		return i;
	default: /* HEUR_MULTIPLE: two vtables */
		i = w_block(w, off, 64);
		w->vt[0] = 0;
		w->vt[1] = 0; /* offset to top, typeinfo */
		w->vt[2] = CODE_LO + 0x100;
		w->vt[3] = CODE_LO + 0x180;
		w->vt[8] = (uintptr_t)-16;
		w->vt[9] = 0;
		w->vt[10] = CODE_LO + 0x200;
		w->vt[11] = CODE_LO + 0x280;
		w_words(w, i)[0] = (uintptr_t)&w->vt[2];
		w_words(w, i)[2] = (uintptr_t)&w->vt[10];
		*ptr = w_addr(w, i) + 16;
		return i;
	}
}

/* Each heuristic alone makes its block reachable (and says so), the
 * others leave it possible; with none on, possible. What the block points
 * to by a start pointer is then reachable too. */
START_TEST(each_heuristic_makes_reachable)
{
	int h = HEUR_STDSTRING + _i;
	struct world *w = w_new();
	uintptr_t ptr;
	size_t i = heur_block(w, 0, h, &ptr);
	size_t t = w_block(w, 256, 16);

	w_words(w, i)[h == HEUR_MULTIPLE ? 5 : (w->b[i].size / 8 - 1)] = w_addr(w, t);
	w->glob[0] = ptr;
	w_root(w, 0, 1, ROOT_GLOBAL, 1);
	static const unsigned masks[] = { HEUR_ALL, 0, 1u << HEUR_STDSTRING, 1u << HEUR_LENGTH64,
		1u << HEUR_NEWARRAY, 1u << HEUR_MULTIPLE, HEUR_ALL & ~(1u << HEUR_STDSTRING) };

	for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
		/* a length prefix always divides the rest: newarray takes it too */
		bool by_newarray = h == HEUR_LENGTH64 && (masks[m] & (1u << HEUR_NEWARRAY));
		bool on = (masks[m] & (1u << h)) != 0 || by_newarray;
		unsigned named = (masks[m] & (1u << h)) ? (unsigned)h : HEUR_NEWARRAY;

		w->mask = masks[m];
		w_scan(w);
		ck_assert_msg(w->cls[i] == (on ? SCAN_REACHABLE : SCAN_POSSIBLE),
		    "heuristic %d, mask %#x: %s", h, masks[m], cls_name[w->cls[i]]);
		ck_assert_uint_eq(w->heur[i], on ? named : HEUR_NONE);
		CLS(w, t, on ? SCAN_REACHABLE : SCAN_POSSIBLE);
		ck_assert_uint_eq(w->heur[t], HEUR_NONE);
	}
	/* a start pointer as well: plainly reachable, no heuristic named */
	w->glob[1] = w_addr(w, i);
	w->roots[0].hi += 8;
	w->mask = HEUR_ALL;
	w_scan(w);
	CLS(w, i, SCAN_REACHABLE);
	ck_assert_uint_eq(w->heur[i], HEUR_NONE);
	w_free(w);
}
END_TEST

/* Look-alikes the heuristics refuse: possible. */
START_TEST(heuristics_refuse_lookalikes)
{
	struct world *w = w_new();
	uintptr_t ptr[6];
	size_t i[6];

	i[0] = heur_block(w, 0, HEUR_STDSTRING, &ptr[0]);
	w_words(w, i[0])[0] = 16; /* length over capacity */
	i[1] = heur_block(w, 128, HEUR_LENGTH64, &ptr[1]);
	w_words(w, i[1])[0] = 33; /* neither its length nor a divisor */
	i[2] = heur_block(w, 256, HEUR_NEWARRAY, &ptr[2]);
	ptr[2] += 8; /* past the first element */
	i[3] = heur_block(w, 384, HEUR_MULTIPLE, &ptr[3]);
	w_words(w, i[3])[0] = 0x1234; /* no vtable at its start */
	i[4] = heur_block(w, 512, HEUR_NEWARRAY, &ptr[4]);
	w_words(w, i[4])[0] = 0; /* no count */
	i[5] = heur_block(w, 640, HEUR_STDSTRING, &ptr[5]);
	ptr[5] -= 8; /* not at the characters */
	for (int k = 0; k < 6; k++)
		w->glob[k] = ptr[k];
	w_root(w, 0, 6, ROOT_GLOBAL, 1);
	w_scan(w);
	for (int k = 0; k < 6; k++)
		CLS(w, i[k], SCAN_POSSIBLE);
	w_free(w);
}
END_TEST

/* A heuristic only works from a reached block or root: from a possible
 * block its pointer is just another interior one. */
START_TEST(heuristic_from_possible_block_is_possible)
{
	struct world *w = w_new();
	uintptr_t ptr;
	size_t p = w_block(w, 0, 64);
	size_t i = heur_block(w, 128, HEUR_NEWARRAY, &ptr);

	w_words(w, p)[3] = ptr;
	w->glob[0] = w_addr(w, p) + 8;
	w_root(w, 0, 1, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, p, SCAN_POSSIBLE);
	CLS(w, i, SCAN_POSSIBLE);
	ck_assert_uint_eq(w->heur[i], HEUR_NONE);
	w_free(w);
}
END_TEST

/* A block's pointers to itself do not count: one a heuristic made
 * reachable stays so through the heuristic, though it holds its own start
 * (a self-referencing list head); a lost one is still definite. */
START_TEST(pointers_to_itself_do_not_count)
{
	struct world *w = w_new();
	uintptr_t ptr;
	size_t i = heur_block(w, 0, HEUR_NEWARRAY, &ptr);
	size_t l = w_block(w, 128, 32);

	w_words(w, i)[3] = w_addr(w, i);
	w_words(w, l)[1] = w_addr(w, l);
	w->glob[0] = ptr;
	w_root(w, 0, 1, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, i, SCAN_REACHABLE);
	ck_assert_uint_eq(w->heur[i], HEUR_NEWARRAY);
	CLS(w, l, SCAN_DEFINITE);
	w_free(w);
}
END_TEST

/* new T[0]: a pointer one past an 8-byte block holding 0. In the middle
 * of the blocks and past the highest one (outside the index's span);
 * not when another block starts there, nor with newarray off. */
START_TEST(new_zero_length_array)
{
	struct world *w = w_new();
	size_t z1 = w_block(w, 0, 8);
	size_t a = w_block(w, 64, 32);
	size_t z2 = w_block(w, 128, 8), after = w_block(w, 136, 16);
	size_t z3 = w_block(w, 4096, 8); /* the highest block */

	(void)a;
	w->glob[0] = w_addr(w, z1) + 8;
	w->glob[1] = w_addr(w, z2) + 8; /* is `after`'s start */
	w->glob[2] = w_addr(w, z3) + 8;
	w_root(w, 0, 3, ROOT_GLOBAL, 1);
	w_scan(w);
	CLS(w, z1, SCAN_REACHABLE);
	ck_assert_uint_eq(w->heur[z1], HEUR_NEWARRAY);
	CLS(w, z2, SCAN_DEFINITE);
	CLS(w, after, SCAN_REACHABLE);
	CLS(w, z3, SCAN_REACHABLE);
	ck_assert_uint_eq(w->heur[z3], HEUR_NEWARRAY);
	w->mask = HEUR_ALL & ~(1u << HEUR_NEWARRAY);
	w_scan(w);
	CLS(w, z1, SCAN_DEFINITE);
	CLS(w, z3, SCAN_DEFINITE);
	/* not 0 in it: a 1-element array's end, lost */
	w->mask = HEUR_ALL;
	w_words(w, z1)[0] = 1;
	w_scan(w);
	CLS(w, z1, SCAN_DEFINITE);
	w_free(w);
}
END_TEST

/* ---- unreadable memory */

/* A block's second page is PROT_NONE: skipped (never read: it would
 * fault), counted; what only it points to is lost. The same for a root
 * region over a hole. */
START_TEST(unreadable_skipped_and_counted)
{
	struct world *w = w_new();
	size_t u = w_block(w, 0, 2 * PAGE);
	size_t a = w_block(w, 2 * PAGE, 16), b = w_block(w, 2 * PAGE + 64, 16);
	size_t c = w_block(w, 4 * PAGE, 16);

	w_words(w, u)[1] = w_addr(w, a);
	w_words(w, u)[PAGE / 8 + 1] = w_addr(w, b); /* in the hole */
	w->glob[0] = w_addr(w, u);
	w_root(w, 0, 1, ROOT_GLOBAL, 1);
	w_hole(w, PAGE, 2 * PAGE);
	w_scan(w);
	CLS(w, u, SCAN_REACHABLE);
	CLS(w, a, SCAN_REACHABLE);
	CLS(w, b, SCAN_DEFINITE);
	CLS(w, c, SCAN_DEFINITE);
	ck_assert_uint_eq(scan_unreadable(w->sc), PAGE);
	/* a root region partly over the hole: its readable words count */
	w->roots[w->nroots++] = (struct root_region){ .lo = (uintptr_t)w->heap + PAGE,
		.hi = w_addr(w, c) + 16,
		.kind = ROOT_MAPPING };
	w_words(w, c)[1] = w_addr(w, b); /* c itself is in the root region */
	w_scan(w);
	CLS(w, b, SCAN_REACHABLE);
	ck_assert_uint_eq(scan_unreadable(w->sc), 2 * PAGE);
	w_free(w);
}
END_TEST

/* A block that is all unreadable is still reachable, and all its bytes
 * count; a lost one is classified without reading it. */
START_TEST(unreadable_block_whole)
{
	struct world *w = w_new();
	size_t u = w_block(w, PAGE, PAGE), v = w_block(w, 2 * PAGE, PAGE);
	size_t a = w_block(w, 4 * PAGE, 32);

	w_words(w, v)[0] = w_addr(w, a); /* a lost, unreadable block points to a */
	w->glob[0] = w_addr(w, u);
	w_root(w, 0, 1, ROOT_GLOBAL, 1);
	w_hole(w, PAGE, 3 * PAGE);
	w_scan(w);
	CLS(w, u, SCAN_REACHABLE);
	CLS(w, v, SCAN_DEFINITE);
	CLS(w, a, SCAN_DEFINITE); /* v's pointer was never read */
	ck_assert_uint_eq(scan_unreadable(w->sc), PAGE);
	w_free(w);
}
END_TEST

/* A block scanned twice (first reached through an interior pointer,
 * then through a start pointer: possible, then reachable) skips its
 * unreadable page twice; the figure is bytes skipped, so once. */
START_TEST(unreadable_counted_per_scan)
{
	struct world *w = w_new();
	size_t u = w_block(w, 0, 2 * PAGE);

	w->glob[0] = w_addr(w, u) + 8;
	w->glob[1] = w_addr(w, u);
	w_root(w, 0, 1, ROOT_GLOBAL, 1);
	w_root(w, 1, 2, ROOT_GLOBAL, 1);
	w_hole(w, PAGE, 2 * PAGE);
	w->mask = 0;
	w_scan(w);
	CLS(w, u, SCAN_REACHABLE);
	ck_assert_uint_eq(scan_unreadable(w->sc), PAGE);
	w_free(w);
}
END_TEST

/* ---- policy roots and retainers */

static uintptr_t loader_pc;

static int
find_loader(struct dl_phdr_info *info, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	if (!self_is_loader(info))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X)) {
			loader_pc = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr + 16;
			return 1;
		}
	return 0;
}

/* Blocks of libc's internal stack and blocks ld.so allocated are roots
 * by policy: reachable, and so is what they point to. */
START_TEST(policy_roots)
{
	struct world *w = w_new();
	size_t in = w_block(w, 0, 32), ld = w_block(w, 64, 32), x = w_block(w, 128, 16),
	       y = w_block(w, 192, 16), lost = w_block(w, 256, 16);
	uintptr_t pc = 0x7777;
	struct scan_chain ch;

	ck_assert(self_init());
	dl_iterate_phdr(find_loader, NULL);
	ck_assert_msg(loader_pc != 0, "no executable segment of ld.so found");
	ck_assert(self_in_loader(loader_pc));
	w->internal = stacks_intern(w->stacks, &pc, 1);
	w->b[in].stack = w->internal;
	w->b[ld].stack = stacks_intern(w->stacks, &loader_pc, 1);
	w_words(w, in)[0] = w_addr(w, x);
	w_words(w, ld)[1] = w_addr(w, y) + 4;
	w_scan(w);
	CLS(w, in, SCAN_REACHABLE);
	CLS(w, ld, SCAN_REACHABLE);
	CLS(w, x, SCAN_REACHABLE);
	CLS(w, y, SCAN_POSSIBLE);
	CLS(w, lost, SCAN_DEFINITE);
	ck_assert(scan_retainer(w->sc, w->b[x].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_INTERNAL);
	ck_assert_uint_eq(ch.where, 0);
	ck_assert_uint_eq(ch.hops, 1);
	ck_assert_uint_eq(ch.stack[0], w->internal);
	ck_assert(scan_retainer(w->sc, w->b[ld].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_LOADER);
	ck_assert_uint_eq(ch.hops, 0);
	ck_assert(scan_retainer(w->sc, w->b[y].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_LOADER);
	ck_assert(!scan_retainer(w->sc, w->b[lost].stack, &ch));
	w_free(w);
}
END_TEST

/* The retainer names the root region (kind, who, the word's address) and
 * the blocks between, nearest the root first; of a long chain the
 * SCAN_CHAIN_MAX nearest the root, with the count of all hops. */
START_TEST(retainer_chains)
{
	enum {
		LONG = 12
	};
	struct world *w = w_new();
	size_t c[LONG];
	struct scan_chain ch;

	for (int k = 0; k < LONG; k++)
		c[k] = w_block(w, 128 * (size_t)k, 24 + 8 * (size_t)k);
	for (int k = 0; k + 1 < LONG; k++)
		w_words(w, c[k])[2] = w_addr(w, c[k + 1]);
	w->glob[40] = 17;
	w->glob[41] = w_addr(w, c[0]);
	w_root(w, 32, 48, ROOT_GLOBAL, 7);
	w_root(w, 48, 64, ROOT_THREAD, 99);
	w_scan(w);
	for (int k = 0; k < LONG; k++) {
		ck_assert(scan_retainer(w->sc, w->b[c[k]].stack, &ch));
		ck_assert_int_eq(ch.kind, ROOT_GLOBAL);
		ck_assert_uint_eq(ch.who, 7);
		ck_assert_uint_eq(ch.where, (uintptr_t)&w->glob[41]);
		ck_assert_uint_eq(ch.hops, (size_t)k);
		ck_assert_uint_eq(ch.n, k < SCAN_CHAIN_MAX ? (size_t)k : SCAN_CHAIN_MAX);
		for (size_t j = 0; j < ch.n; j++) {
			ck_assert_uint_eq(ch.stack[j], w->b[c[j]].stack);
			ck_assert_uint_eq(ch.size[j], w->b[c[j]].size);
		}
	}
	/* a thread root nearer to c[5]: the first root region wins (they are
	 * marked in order), then the shortest path from it */
	w->glob[50] = w_addr(w, c[5]);
	w_words(w, c[1])[0] = w_addr(w, c[4]);
	w_scan(w);
	ck_assert(scan_retainer(w->sc, w->b[c[5]].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_GLOBAL);
	ck_assert_uint_eq(ch.hops, 3); /* c0 c1 c4 */
	ck_assert_uint_eq(ch.stack[2], w->b[c[4]].stack);
	w->glob[41] = 0;
	w_scan(w);
	ck_assert(scan_retainer(w->sc, w->b[c[5]].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_THREAD);
	ck_assert_uint_eq(ch.who, 99);
	ck_assert_uint_eq(ch.where, (uintptr_t)&w->glob[50]);
	ck_assert_uint_eq(ch.hops, 0);
	ck_assert(!scan_retainer(w->sc, w->b[c[0]].stack, &ch)); /* lost now */
	ck_assert(!scan_retainer(w->sc, 0, &ch));
	ck_assert(!scan_retainer(w->sc, 100000, &ch));
	w_free(w);
}
END_TEST

/* Blocks sharing a stack: the retainer is the first (lowest) reached one's;
 * possible blocks have one too. */
START_TEST(retainer_of_shared_stack)
{
	struct world *w = w_new();
	size_t a = w_block(w, 0, 16), b = w_block(w, 64, 16), c = w_block(w, 128, 16);
	struct scan_chain ch;

	w->b[b].stack = w->b[c].stack = w->b[a].stack;
	w->glob[3] = w_addr(w, c) + 8;
	w->glob[2] = w_addr(w, b);
	w_root(w, 0, 4, ROOT_MAPPING, 0);
	w_scan(w);
	CLS(w, a, SCAN_DEFINITE);
	CLS(w, b, SCAN_REACHABLE);
	CLS(w, c, SCAN_POSSIBLE);
	ck_assert(scan_retainer(w->sc, w->b[a].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_MAPPING);
	ck_assert_uint_eq(ch.where, (uintptr_t)&w->glob[2]);
	w_free(w);
}
END_TEST

/* ---- against a naive model */

/* The model's own lookup: binary search over the sorted blocks. */
static long
m_find(const struct world *w, uintptr_t v)
{
	size_t a = 0, z = w->n;

	while (a < z) {
		size_t m = (a + z) / 2;

		if (w->b[m].addr <= v)
			a = m + 1;
		else
			z = m;
	}
	if (a == 0)
		return -1;
	a--;
	return v - w->b[a].addr < (w->b[a].size ? w->b[a].size : 1) ? (long)a : -1;
}

static bool
m_readable(const struct world *w, uintptr_t lo, uintptr_t hi)
{
	if (lo >= (uintptr_t)w->heap && hi <= (uintptr_t)w->heap + HEAP_BYTES) {
		for (size_t h = 0; h < w->nholes; h++)
			if (lo < w->hole_hi[h] && hi > w->hole_lo[h])
				return false;
		return true;
	}
	return (lo >= (uintptr_t)w->glob && hi <= (uintptr_t)(w->glob + GLOBAL_WORDS)) ||
	    (lo >= (uintptr_t)w->vt && hi <= (uintptr_t)(w->vt + VT_WORDS));
}

/* What a word v read from source `self` (a block index, or -1 for a
 * root) of state `from` does: the block it raises and to what state. */
static long
m_edge(const struct world *w, const struct heur_ctx *hc, long self, uint8_t from, uintptr_t v,
    uint8_t *to)
{
	long t = m_find(w, v);

	if (t < 0) {
		long f = m_find(w, v - 1);

		if (f >= 0 && f != self && from >= ST_HEUR && (hc->mask & (1u << HEUR_NEWARRAY)) &&
		    heur_new_zero(hc, w->b[f].addr, w->b[f].size, v)) {
			*to = ST_HEUR;
			return f;
		}
		return -1;
	}
	if (t == self)
		return -1;
	if (from < ST_HEUR)
		*to = ST_POSSIBLE;
	else if (v == w->b[t].addr)
		*to = ST_REACHABLE;
	else if (hc->mask != 0 && heur_interior(hc, w->b[t].addr, w->b[t].size, v) != HEUR_NONE)
		*to = ST_HEUR;
	else
		*to = ST_POSSIBLE;
	return t;
}

/* Raises the states by what the readable words of [lo, hi) point to;
 * each block raised goes on the stack. */
static void
m_words(const struct world *w, const struct heur_ctx *hc, uintptr_t lo, uintptr_t hi, long self,
    uint8_t from, uint8_t *state, uint32_t *stack, size_t *sp)
{
	for (uintptr_t p = (lo + 7) & ~(uintptr_t)7; p + 8 <= hi; p += 8) {
		uint8_t to;
		long t;

		if (!m_readable(w, p, p + 8))
			continue;
		t = m_edge(w, hc, self, from, *(const uintptr_t *)p, &to);
		if (t >= 0 && state[t] < to) {
			state[t] = to;
			stack[(*sp)++] = (uint32_t)t;
		}
	}
}

/* The states: the least fixpoint from the roots and the policy roots, in
 * another order than mark.c's (depth first, each root region before the
 * next is followed); a block is pushed again whenever it rises, at most
 * three times. */
static void
m_mark(const struct world *w, const struct heur_ctx *hc, uint8_t *state)
{
	uint32_t *stack = map((3 * w->n + 1) * sizeof(uint32_t));
	size_t sp = 0;

	memset(state, ST_UNREACHED, w->n);
	for (size_t i = 0; i < w->n; i++)
		if (w->internal != 0 && w->b[i].stack == w->internal) {
			state[i] = ST_REACHABLE;
			stack[sp++] = (uint32_t)i;
		}
	for (size_t r = 0; r < w->nroots; r++)
		m_words(w, hc, w->roots[r].lo, w->roots[r].hi, -1, ST_REACHABLE, state, stack, &sp);
	while (sp > 0) {
		uint32_t i = stack[--sp];

		m_words(w, hc, w->b[i].addr, w->b[i].addr + w->b[i].size, (long)i, state[i], state,
		    stack, &sp);
	}
	munmap(stack, (3 * w->n + 1) * sizeof(uint32_t));
}

/* The lost blocks' edges (any pointer into another lost block), as an
 * adjacency list: succ[off[i] .. off[i + 1]). */
struct lost_graph {
	uint32_t *off;
	uint32_t *succ;
};

static void
m_lost_graph(const struct world *w, const uint8_t *state, struct lost_graph *g)
{
	size_t e = 0;

	g->off = map((w->n + 1) * sizeof(uint32_t));
	g->succ = map(HEAP_BYTES / 8 * sizeof(uint32_t));
	for (size_t i = 0; i < w->n; i++) {
		g->off[i] = (uint32_t)e;
		if (state[i] != ST_UNREACHED)
			continue;
		for (uintptr_t p = w->b[i].addr; p + 8 <= w->b[i].addr + w->b[i].size; p += 8) {
			long c;

			if (!m_readable(w, p, p + 8))
				continue;
			c = m_find(w, *(const uintptr_t *)p);
			if (c >= 0 && (size_t)c != i && state[c] == ST_UNREACHED)
				g->succ[e++] = (uint32_t)c;
		}
	}
	g->off[w->n] = (uint32_t)e;
}

/* Valgrind's cliques, plainly: leaders in address order, first those
 * nothing lost points to; each takes in what it reaches through blocks
 * not yet taken, and a former leader it meets. */
static void
m_classify_lost(const struct world *w, const uint8_t *state, const struct lost_graph *g,
    uint8_t *cls)
{
	uint32_t *indeg = map(w->n * sizeof(uint32_t)), *stack = map((w->n + 1) * sizeof(uint32_t));

	for (size_t i = 0; i < w->n; i++) {
		cls[i] = 0xff;
		if (state[i] == ST_UNREACHED)
			for (uint32_t k = g->off[i]; k < g->off[i + 1]; k++)
				indeg[g->succ[k]]++;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t l = 0; l < w->n; l++) {
			size_t sp = 0;

			if (state[l] != ST_UNREACHED || cls[l] != 0xff ||
			    (pass == 0 && indeg[l] != 0))
				continue;
			cls[l] = SCAN_DEFINITE;
			stack[sp++] = (uint32_t)l;
			while (sp > 0) {
				uint32_t x = stack[--sp];

				for (uint32_t k = g->off[x]; k < g->off[x + 1]; k++) {
					uint32_t c = g->succ[k];

					if (c == l || (cls[c] != 0xff && cls[c] != SCAN_DEFINITE))
						continue;
					if (cls[c] == 0xff)
						stack[sp++] = c;
					cls[c] = SCAN_INDIRECT;
				}
			}
		}
	}
	munmap(indeg, w->n * sizeof(uint32_t));
	munmap(stack, (w->n + 1) * sizeof(uint32_t));
}

/* Whether lost block `to` is reachable from lost block `from` (itself
 * only through a cycle), by a plain search. */
static bool
m_reaches(const struct world *w, const struct lost_graph *g, size_t from, size_t to)
{
	uint8_t *seen = map(w->n);
	uint32_t *stack = map((w->n + 1) * sizeof(uint32_t));
	size_t sp = 0;
	bool found = false;

	stack[sp++] = (uint32_t)from;
	while (sp > 0 && !found) {
		uint32_t x = stack[--sp];

		for (uint32_t k = g->off[x]; k < g->off[x + 1] && !found; k++) {
			uint32_t c = g->succ[k];

			found = c == to;
			if (!seen[c]) {
				seen[c] = 1;
				stack[sp++] = c;
			}
		}
	}
	munmap(seen, w->n);
	munmap(stack, (w->n + 1) * sizeof(uint32_t));
	return found;
}

/* True when a readable word of [lo, hi) points into block i (or one past
 * it, for new T[0]). */
static bool
holds_pointer_to(const struct world *w, uintptr_t lo, uintptr_t hi, size_t i)
{
	for (uintptr_t p = (lo + 7) & ~(uintptr_t)7; p + 8 <= hi; p += 8) {
		bool hole = false;

		for (size_t h = 0; h < w->nholes; h++)
			hole |= p + 8 > w->hole_lo[h] && p < w->hole_hi[h];
		uintptr_t v = hole ? 0 : *(const uintptr_t *)p;

		if (!hole && (m_find(w, v) == (long)i || m_find(w, v - 1) == (long)i))
			return true;
	}
	return false;
}

/* Every marked block's link is a real pointer: a block marked from a root
 * region has its region and `where` in scan.tops, and `where` lies in the
 * region and holds a pointer into the block (or one past it, for new
 * T[0]); a block marked from another has a reached parent holding such a
 * pointer; and the parent chain ends at a root, never looping. */
static void
check_links(const struct world *w, const char *what)
{
	const struct scan *sc = w->sc;
	size_t loops = 0;

	for (size_t i = 0; i < w->n; i++) {
		const struct blk *x = &sc->b[i];
		size_t hops = 0;

		if (x->state == ST_UNREACHED)
			continue;
		if (x->from_root && x->link >= ROOT_IS_IGNORED)
			continue; /* a root by policy */
		if (x->from_root) {
			ck_assert_msg(x->link < sc->ntops,
			    SEEDED("%s: block %zu: top %u of %zu", what, i, x->link, sc->ntops));
			const struct top *t = &sc->tops[x->link];
			ck_assert_msg(t->root < w->nroots,
			    SEEDED("%s: block %zu: root %u", what, i, t->root));
			uintptr_t lo = w->roots[t->root].lo, hi = w->roots[t->root].hi;
			ck_assert_msg(t->where >= lo && t->where + 8 <= hi && t->where % 8 == 0,
			    SEEDED("%s: block %zu: where %#lx not in its root %u", what, i,
				(unsigned long)t->where, t->root));
			uintptr_t v = *(const uintptr_t *)t->where;

			ck_assert_msg(m_find(w, v) == (long)i || m_find(w, v - 1) == (long)i,
			    SEEDED("%s: block %zu: its where holds %#lx", what, i,
				(unsigned long)v));
		} else {
			ck_assert_msg(x->link < w->n,
			    SEEDED("%s: block %zu: parent %u of %zu", what, i, x->link, w->n));
			uintptr_t lo = sc->b[x->link].addr;

			ck_assert_msg(sc->b[x->link].state != ST_UNREACHED,
			    SEEDED("%s: block %zu's "
				   "parent %u unreached",
				what, i, x->link));
			ck_assert_msg(holds_pointer_to(w, lo, lo + sc->b[x->link].size, i),
			    SEEDED("%s: block %zu: its parent %u holds no pointer to it", what, i,
				x->link));
		}
		for (uint32_t p = blk_parent(x); p != NO_PARENT && hops <= w->n;
		     p = blk_parent(&sc->b[p]))
			hops++;
		loops += hops > w->n;
	}
	ck_assert_msg(loops == 0, SEEDED("%s: %zu block(s) whose parents loop", what, loops));
}

/* Draws a random world: n blocks (some adjacent, some 0 bytes), each word
 * 0, junk, or a start, interior or one-past-the-end pointer to a block
 * (itself too), a few heuristic-shaped blocks, and a few roots. */
static void
draw_world(struct world *w, uint64_t *rng, size_t n, uint64_t max_size, unsigned density)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t r = rng_next(rng);
		uint64_t size = r % 50 == 0 ? 0 : 8 * (1 + (r >> 8) % (max_size / 8));

		if ((r >> 20) % 7 == 0)
			size += (r >> 24) % 8; /* not a multiple of 8 */
		if (off + size + 64 > HEAP_BYTES)
			break;
		w_block(w, off, size);
		off += (size ? size : 1) + ((r >> 32) % 3 == 0 ? 0 : 8 * ((r >> 36) % 8));
		off = (off + 7) & ~(size_t)7;
	}
	for (size_t i = 0; i < w->n; i++) {
		uintptr_t *p = w_words(w, i);

		for (size_t k = 0; k < w->b[i].size / 8; k++) {
			uint64_t r = rng_next(rng);
			size_t t = (size_t)((r >> 16) % w->n);
			uint64_t ts = w->b[t].size ? w->b[t].size : 1;

			if (r % 100 >= density) {
				p[k] = r % 2 ? 0 : r >> 8;
				continue;
			}
			switch ((r >> 8) % 8) {
			case 0:
			case 1:
			case 2:
				p[k] = w->b[t].addr;
				break;
			case 3:
				p[k] = w->b[t].addr + (r >> 40) % ts;
				break;
			case 4:
				p[k] = w->b[t].addr + ts;
				break;
			case 5:
				p[k] = w->b[t].addr + 8;
				break;
			case 6:
				p[k] = w->b[t].addr + 24;
				break;
			default:
				p[k] = (r >> 40) % 16; /* small counts: newarray, length64 */
				break;
			}
		}
	}
	/* a few blocks made to match a heuristic, pointed at by roots */
	size_t nroot = 0;

	for (int k = 0; k < 6 && w->n > 0; k++) {
		size_t i = (size_t)(rng_next(rng) % w->n);
		uintptr_t *p = w_words(w, i);

		if (w->b[i].size >= 48 && w->b[i].size % 8 == 0) {
			p[0] = k % 2 ? (w->b[i].size - 8) / 8 : w->b[i].size - 8;
			w->glob[nroot++] = w->b[i].addr + 8;
		}
	}
	for (int k = 0; k < 6; k++) {
		uint64_t r = rng_next(rng);
		size_t t = (size_t)(r % w->n);

		w->glob[nroot++] = (r >> 32) % 3 == 0 ? w->b[t].addr + 8 : w->b[t].addr;
	}
	w_root(w, 0, nroot, ROOT_GLOBAL, 1);
	w_root(w, 64, 64 + 4, ROOT_THREAD, 2); /* nothing in it */
}

/* Marks and classifies, and compares every block with the model. */
static void
compare_with_model(struct world *w, const char *what)
{
	static uint8_t state[MAXB], cls[MAXB];
	struct readable rd, files, code;
	struct heur_ctx hc;
	struct lost_graph g;

	ck_assert(readable_init(&rd, 32) && readable_init(&files, 4) && readable_init(&code, 4));
	w_readable(w, &rd);
	readable_add(&files, (uintptr_t)w->vt, (uintptr_t)(w->vt + VT_WORDS));
	readable_add(&code, CODE_LO, CODE_HI);
	hc = (struct heur_ctx){ .readable = &rd, .files = &files, .code = &code, .mask = w->mask };
	w_scan(w);
	m_mark(w, &hc, state);
	m_lost_graph(w, state, &g);
	m_classify_lost(w, state, &g, cls);
	for (size_t i = 0; i < w->n; i++) {
		uint8_t want = state[i] >= ST_HEUR ? SCAN_REACHABLE :
		    state[i] == ST_POSSIBLE        ? SCAN_POSSIBLE :
						     cls[i];

		if (w->cls[i] != want || w->sc->b[i].state != state[i])
			ck_abort_msg(
			    SEEDED("%s: block %zu of %zu (size %lu): %s, state %u; model %s, "
				   "state %u",
				what, i, w->n, (unsigned long)w->b[i].size,
				w->cls[i] < 4 ? cls_name[w->cls[i]] : "?", w->sc->b[i].state,
				want < 4 ? cls_name[want] : "?", state[i]));
		if ((w->heur[i] != HEUR_NONE) != (state[i] == ST_HEUR))
			ck_abort_msg(SEEDED("%s: block %zu: heuristic %u, state %u", what, i,
			    w->heur[i], state[i]));
	}
	/* Valgrind's classes: every indirect block is reached from a definite
	 * one through lost blocks; a definite one something lost points to
	 * lies on a cycle (a sample of those: each is a search). */
	uint8_t *from_def = map(w->n), *pointed = map(w->n);
	uint32_t *stack = map((w->n + 1) * sizeof(uint32_t));
	size_t sp = 0, cycles = 0;

	for (size_t i = 0; i < w->n; i++) {
		if (state[i] == ST_UNREACHED && cls[i] == SCAN_DEFINITE)
			stack[sp++] = (uint32_t)i;
		for (uint32_t k = g.off[i]; k < g.off[i + 1]; k++)
			pointed[g.succ[k]] = 1;
	}
	while (sp > 0) {
		uint32_t x = stack[--sp];

		for (uint32_t k = g.off[x]; k < g.off[x + 1]; k++)
			if (!from_def[g.succ[k]]) {
				from_def[g.succ[k]] = 1;
				stack[sp++] = g.succ[k];
			}
	}
	for (size_t i = 0; i < w->n; i++) {
		if (state[i] != ST_UNREACHED)
			continue;
		if (cls[i] == SCAN_INDIRECT && !from_def[i])
			ck_abort_msg(SEEDED(
			    "%s: indirect block %zu not reached from a definite one", what, i));
		if (cls[i] == SCAN_DEFINITE && pointed[i] && cycles++ < 40 &&
		    !m_reaches(w, &g, i, i))
			ck_abort_msg(
			    SEEDED("%s: definite block %zu is pointed to, on no cycle", what, i));
	}
	munmap(from_def, w->n);
	munmap(pointed, w->n);
	munmap(stack, (w->n + 1) * sizeof(uint32_t));
	check_links(w, what);
	munmap(g.off, (w->n + 1) * sizeof(uint32_t));
	munmap(g.succ, HEAP_BYTES / 8 * sizeof(uint32_t));
	readable_free(&rd);
	readable_free(&files);
	readable_free(&code);
}

START_TEST(random_graphs)
{
	static const unsigned masks[] = { HEUR_ALL, 0, 1u << HEUR_NEWARRAY, 1u << HEUR_LENGTH64 };
	uint64_t rng = seed * 101 + (uint64_t)_i;

	for (int round = 0; round < 6; round++) {
		struct world *w = w_new();
		char what[64];
		size_t n = 20 + (size_t)(rng_next(&rng) % 400);

		draw_world(w, &rng, n, rng_next(&rng) % 2 ? 128 : 512,
		    (unsigned[]){ 2, 4, 6, 8, 12, 20 }[round]);
		w->mask = masks[(size_t)round % 4];
		snprintf(what, sizeof(what), "round %d (%zu blocks, mask %#x)", round, w->n,
		    w->mask);
		compare_with_model(w, what);
		w_free(w);
	}
}
END_TEST

/* The same with PROT_NONE holes in the heap: the model skips the same words. */
START_TEST(random_graphs_with_holes)
{
	uint64_t rng = seed * 103 + (uint64_t)_i;
	struct world *w = w_new();
	char what[64];

	draw_world(w, &rng, 300, 1024, 2 + 4 * (unsigned)_i);
	for (size_t h = 1; h < 4; h++) {
		size_t page = (size_t)(rng_next(&rng) % 16) + 16 * h;

		w_hole(w, page * PAGE, (page + 1 + (size_t)(rng_next(&rng) % 3)) * PAGE);
	}
	snprintf(what, sizeof(what), "with holes (%zu blocks)", w->n);
	compare_with_model(w, what);
	w_free(w);
}
END_TEST

/* Big levels: hundreds of blocks and megabytes reached at once, which the
 * helper thread scans in parallel with this one; the outcome must be the
 * same as one thread's, the model's. */
START_TEST(random_graph_parallel_levels)
{
	uint64_t rng = seed * 107 + (uint64_t)_i;
	struct world *w = w_new();
	size_t nroot = 0;

	draw_world(w, &rng, 1200, 8192, 1);
	w->nroots = 0;
	for (size_t i = 0; i < w->n && nroot < GLOBAL_WORDS; i += 2)
		w->glob[nroot++] = w->b[i].addr + (rng_next(&rng) % 4 == 0 ? 8 : 0);
	w_root(w, 0, nroot, ROOT_GLOBAL, 1);
	compare_with_model(w, "parallel");
	ck_assert(w->sc->helper_tried); /* a level was big enough */
	w_free(w);
}
END_TEST

/* The retainer of a block first reached through a heuristic, then
 * through a start pointer from a block it reached itself: still the
 * root (mark() keeps a heuristic's block's links when a start pointer
 * raises it; taking x for its parent made the two chains loop). */
START_TEST(retainer_after_heuristic_then_start_pointer)
{
	struct world *w = w_new();
	uintptr_t ptr;
	size_t n = heur_block(w, 0, HEUR_NEWARRAY, &ptr);
	size_t x = w_block(w, 128, 16);
	struct scan_chain ch;

	w_words(w, n)[1] = w_addr(w, x); /* n -> x */
	w_words(w, x)[0] = w_addr(w, n); /* x -> n's start */
	w->glob[0] = ptr;
	w_root(w, 0, 1, ROOT_GLOBAL, 3);
	w_scan(w);
	CLS(w, n, SCAN_REACHABLE);
	CLS(w, x, SCAN_REACHABLE);
	check_links(w, "heuristic, then a start pointer back");
	ck_assert(scan_retainer(w->sc, w->b[x].stack, &ch));
	ck_assert_int_eq(ch.kind, ROOT_GLOBAL);
	ck_assert_uint_eq(ch.who, 3);
	ck_assert_uint_eq(ch.where, (uintptr_t)&w->glob[0]);
	ck_assert_uint_eq(ch.hops, 1);
	ck_assert(scan_retainer(w->sc, w->b[n].stack, &ch));
	ck_assert_uint_eq(ch.where, (uintptr_t)&w->glob[0]);
	ck_assert_uint_eq(ch.hops, 0);
	w_free(w);
}
END_TEST

/* The owners of the indirect blocks (scan_foreach_owned): each pair is
 * (stack, owner's stack, blocks, bytes). */
struct pairs {
	size_t n;
	struct {
		stack_id_t stack, owner;
		uint64_t blocks, bytes;
	} p[16];
};

static void
pair_one(void *ctx, stack_id_t stack, stack_id_t owner, uint64_t blocks, uint64_t bytes)
{
	struct pairs *ps = ctx;

	ck_assert_uint_lt(ps->n, 16);
	ps->p[ps->n].stack = stack;
	ps->p[ps->n].owner = owner;
	ps->p[ps->n].blocks = blocks;
	ps->p[ps->n].bytes = bytes;
	ps->n++;
}

/* Whether (stack, owner, blocks) is one of the pairs. */
static bool
has_pair(const struct pairs *ps, stack_id_t stack, stack_id_t owner, uint64_t blocks)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].stack == stack && ps->p[i].owner == owner && ps->p[i].blocks == blocks)
			return true;
	return false;
}

/* Two leaks of different stacks reach a: a and what it reaches belong to
 * neither; what one alone reaches is that one's. */
START_TEST(owners_shared_between_stacks)
{
	struct world *w = w_new();
	size_t l1 = w_block(w, 0, 32), l2 = w_block(w, 64, 32);
	size_t a = w_block(w, 128, 32), b = w_block(w, 192, 32);
	size_t c = w_block(w, 256, 16), d = w_block(w, 320, 24);
	struct pairs ps = { 0 };

	w_words(w, l1)[0] = w_addr(w, a);
	w_words(w, l1)[1] = w_addr(w, c);
	w_words(w, l2)[0] = w_addr(w, a);
	w_words(w, l2)[1] = w_addr(w, d);
	w_words(w, a)[0] = w_addr(w, b);
	w_scan(w);
	CLS(w, l1, SCAN_DEFINITE);
	CLS(w, l2, SCAN_DEFINITE);
	CLS(w, a, SCAN_INDIRECT);
	CLS(w, b, SCAN_INDIRECT);
	ck_assert_int_eq(scan_foreach_owned(w->sc, pair_one, &ps), 0);
	ck_assert_uint_eq(ps.n, 2);
	ck_assert(has_pair(&ps, w->b[c].stack, w->b[l1].stack, 1));
	ck_assert(has_pair(&ps, w->b[d].stack, w->b[l2].stack, 1));
	ck_assert_uint_eq(ps.p[0].bytes + ps.p[1].bytes, 16 + 24);
	w_free(w);
}
END_TEST

/* Two leaks of one stack reaching a block: it is that stack's. */
START_TEST(owners_of_one_stack)
{
	struct world *w = w_new();
	size_t l1 = w_block(w, 0, 32), l2 = w_block(w, 64, 32), a = w_block(w, 128, 32);
	struct pairs ps = { 0 };

	w->b[l2].stack = w->b[l1].stack;
	w_words(w, l1)[0] = w_addr(w, a);
	w_words(w, l2)[0] = w_addr(w, a);
	w_scan(w);
	CLS(w, a, SCAN_INDIRECT);
	ck_assert_int_eq(scan_foreach_owned(w->sc, pair_one, &ps), 0);
	ck_assert_uint_eq(ps.n, 1);
	ck_assert(has_pair(&ps, w->b[a].stack, w->b[l1].stack, 1));
	w_free(w);
}
END_TEST

/* Cycle p <-> q comes first (lower), so its leader p is classified first;
 * then cycle r <-> s, whose s points to p: p is demoted, and every block
 * of both cycles is r's. */
START_TEST(owner_of_a_demoted_leader)
{
	struct world *w = w_new();
	size_t p = w_block(w, 0, 32), q = w_block(w, 64, 32);
	size_t r = w_block(w, 128, 32), s = w_block(w, 192, 32);
	struct pairs ps = { 0 };

	w_words(w, p)[0] = w_addr(w, q);
	w_words(w, q)[0] = w_addr(w, p);
	w_words(w, r)[0] = w_addr(w, s);
	w_words(w, s)[0] = w_addr(w, r);
	w_words(w, s)[1] = w_addr(w, p);
	w_scan(w);
	CLS(w, p, SCAN_INDIRECT);
	CLS(w, q, SCAN_INDIRECT);
	CLS(w, r, SCAN_DEFINITE);
	CLS(w, s, SCAN_INDIRECT);
	ck_assert_int_eq(scan_foreach_owned(w->sc, pair_one, &ps), 0);
	ck_assert_uint_eq(ps.n, 3);
	ck_assert(has_pair(&ps, w->b[p].stack, w->b[r].stack, 1));
	ck_assert(has_pair(&ps, w->b[q].stack, w->b[r].stack, 1));
	ck_assert(has_pair(&ps, w->b[s].stack, w->b[r].stack, 1));
	w_free(w);
}
END_TEST

static Suite *
scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("classes");

	tcase_add_test(tc, nothing_points_in_is_definite);
	tcase_add_test(tc, no_blocks_no_roots);
	tcase_add_test(tc, start_pointer_from_root_is_reachable);
	tcase_add_test(tc, indirect_chain);
	tcase_add_test(tc, cycles_one_definite_each);
	tcase_add_test(tc, cliques);
	tcase_add_test(tc, cycle_reachable_from_root);
	tcase_add_test(tc, interior_pointers_are_possible);
	suite_add_tcase(s, tc);

	tc = tcase_create("heuristics");
	tcase_add_loop_test(tc, each_heuristic_makes_reachable, 0, 4);
	tcase_add_test(tc, heuristics_refuse_lookalikes);
	tcase_add_test(tc, heuristic_from_possible_block_is_possible);
	tcase_add_test(tc, pointers_to_itself_do_not_count);
	tcase_add_test(tc, new_zero_length_array);
	suite_add_tcase(s, tc);

	tc = tcase_create("unreadable");
	tcase_add_test(tc, unreadable_skipped_and_counted);
	tcase_add_test(tc, unreadable_block_whole);
	tcase_add_test(tc, unreadable_counted_per_scan);
	suite_add_tcase(s, tc);

	tc = tcase_create("retainers");
	tcase_add_test(tc, policy_roots);
	tcase_add_test(tc, retainer_chains);
	tcase_add_test(tc, retainer_of_shared_stack);
	tcase_add_test(tc, retainer_after_heuristic_then_start_pointer);
	tcase_add_test(tc, owners_shared_between_stacks);
	tcase_add_test(tc, owners_of_one_stack);
	tcase_add_test(tc, owner_of_a_demoted_leader);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_graphs, 0, 4);
	tcase_add_loop_test(tc, random_graphs_with_holes, 0, 2);
	tcase_add_loop_test(tc, random_graph_parallel_levels, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(scan_suite(), "check_scan");
}
