/*
 * addrmap.c - live heap blocks indexed by address: a direct map with
 * table.c's hash table behind it for what the map cannot hold.
 *
 * Why: a hash table scatters the blocks a program touches together over
 * the whole table, so every malloc and free paid a cache miss (and, with
 * millions of blocks, a TLB miss) on a line nothing else uses. Here the
 * address space is cut into 32-byte granules, each with one 4-byte entry;
 * blocks that are neighbours in memory are neighbours in the map, so the
 * map line a malloc writes is mostly already in cache from the neighbour
 * allocated or freed just before. 32 bytes is glibc's smallest chunk and
 * its blocks are 16-aligned, so two live glibc blocks never share a
 * granule and a block sits at offset 0 or 16 in its own.
 *
 * Layout: a top array of 2^19 leaf pointers covers 47 bits of address
 * space; a leaf covers 256 MiB of it with 2^23 entries (32 MiB of address
 * space reserved with MAP_NORESERVE; only written pages cost memory, an
 * eighth of the heap they describe at most). An entry packs
 *   bit 0 present, bit 1 (addr >> 4) & 1, bits 2-13 size (under 4 KiB),
 *   bits 14-31 stack id (under 2^18),
 * so it gives back the block's full address with its granule's index.
 * (8-byte entries with room for any size and stack cost 1.23x the peak RSS
 * of 4M small blocks and 12-13k more page faults on perl and python3.)
 *
 * Why blocks of 4 KiB and more go to the table: a map page (4 KiB, 1024
 * entries) describes 32 KiB of heap, so a heap of page-sized blocks
 * (sqlite's page cache) would cost an eighth of its size in map pages with
 * a few entries used in each; the table's 32 bytes are under 1% of such a
 * block, and big blocks are too few for the table's cache miss to show.
 * (sqlite3's peak RSS with 8-byte entries: 1.32x of its own with every
 * block in the map, 1.11x with this limit.)
 *
 * Under an address-space limit (RLIMIT_AS) arena_reserve() refuses the
 * sparse reservations (a leaf reserves 32 MiB for 256 MiB of address space,
 * which the limit counts though it costs no memory): then there is no
 * direct map at all and every block is in the table.
 *
 * Spill: a block goes to the hash table instead when its address is not
 * 16-aligned or above 2^47, it is MAP_MAX_SIZE bytes or more, its stack id
 * is above MAP_MAX_STACK, its leaf cannot be mapped, or its granule
 * already holds another live block (an allocator other than glibc's, with
 * 16-byte spacing). A remove looks at the map first and at the table only
 * when the map's entry is someone else's and something was ever spilled.
 *
 * Invariants (until addrmap_foreach_release(), after which the map's blocks are
 * forgotten and nothing but removes that find nothing comes):
 *  - An entry is non-zero exactly while the block it names is live, and
 *    no live block is in both the map and the table: an insert that wins
 *    its entry does not touch the table.
 *  - A leaf's bit in `listed` is set before the leaf is published in
 *    `top`, so a walk that reads the bits never misses a leaf with blocks.
 *  - Leaves are never unmapped.
 *
 * Concurrency: insert, remove and contains are lock-free (a load, and a
 * store for insert and remove); only insert maps memory (a leaf, or the
 * table's generations). Only the thread that frees a block clears its
 * entry, and it does so before the real free; the allocator's own
 * synchronisation (its locks and atomics between that free and the malloc
 * that hands the address out again) orders the clear before the next
 * owner's store. So entries need only relaxed atomics: an entry publishes
 * nothing but itself.
 *  (c) Why insert needs no CAS: an entry is written only by the thread
 *      that owns a live block in its granule, and glibc never has two live
 *      blocks in one granule (libleak stands aside for any other
 *      allocator: life/aside.c), so no two threads insert into one entry
 *      at once. A non-zero entry at insert is a stale one (a block freed
 *      where no hook saw it), which only its one new owner sees: it goes to
 *      the table, as a lost CAS would. (Were the rule broken, by
 *      tcmalloc before our constructor sees it, a race would lose one
 *      entry: a block untracked, never a corrupt map.) The lock of a CAS also drained the
 *      store buffer, the program's stores into the block before it: on
 *      sigblock, whose workers fill each block, the CAS was 18% of the run.
 * Memory orders:
 *  (a) listed bit fetch_or (release) -> bit loads (acquire) in foreach.
 *  (b) top CAS (acq_rel) -> top loads (acquire): the leaf's mapping and
 *      its bit are seen.
 */
#include <stdatomic.h>
#include <sys/mman.h>

#include "track/addrmap.h"
#include "track/hot.h"
#include "base/arena.h"

#define GRAN_SHIFT 5
#define LEAF_SHIFT 28
#define ADDR_BITS  47
#define TOP_N      ((size_t)1 << (ADDR_BITS - LEAF_SHIFT))
#define LEAF_N     ((size_t)1 << (LEAF_SHIFT - GRAN_SHIFT))

#define E_PRESENT     ((uint32_t)1)
#define E_OFF_SHIFT   1
#define E_SIZE_SHIFT  2
#define E_SIZE_BITS   12
#define E_STACK_SHIFT 14
#define MAP_MAX_SIZE  ((uint64_t)1 << E_SIZE_BITS)                /* this size and up: table */
#define MAP_MAX_STACK (((uint32_t)1 << (32 - E_STACK_SHIFT)) - 1) /* above: table */

#define PAGE         4096
#define PAGE_ENTRIES (PAGE / sizeof(uint32_t))
#define WALK_PAGES   1024 /* pages per mincore() call in a walk */

struct leaf {
	_Atomic uint32_t e[LEAF_N]; /* entry per 32-byte granule, 0 = none */
};

struct addrmap {
	_Atomic(struct leaf *) *top; /* TOP_N leaves, NULL until first use */
	_Atomic uint64_t *listed;    /* TOP_N bits: leaves that may exist */
	struct table *spill;         /* blocks the map cannot hold */
	_Atomic uint64_t spilled;    /* blocks ever put in spill */
};

static inline bool
fits(uintptr_t addr)
{
	return (addr & 15) == 0 && (addr >> ADDR_BITS) == 0;
}

static inline uint32_t
entry_off(uintptr_t addr)
{
	return (addr >> 4) & 1;
}

static inline _Atomic uint32_t *
entry_of(struct leaf *l, uintptr_t addr)
{
	return &l->e[(addr >> GRAN_SHIFT) & (LEAF_N - 1)];
}

static inline bool
entry_is(uint32_t v, uintptr_t addr)
{
	return (v & E_PRESENT) != 0 && ((v >> E_OFF_SHIFT) & 1) == entry_off(addr);
}

static inline uint64_t
entry_size(uint32_t v)
{
	return (v >> E_SIZE_SHIFT) & (MAP_MAX_SIZE - 1);
}

static inline stack_id_t
entry_stack(uint32_t v)
{
	return (stack_id_t)(v >> E_STACK_SHIFT);
}

static inline struct leaf *
leaf_get(struct addrmap *m, uintptr_t addr)
{
	if (m->top == NULL)
		return NULL; /* no direct map: everything is in the table */
	/* acquire: pairs with the CAS in leaf_make() (b). */
	return atomic_load_explicit(&m->top[addr >> LEAF_SHIFT], memory_order_acquire);
}

static struct leaf *
leaf_make(struct addrmap *m, uintptr_t addr)
{
	size_t ti = addr >> LEAF_SHIFT;
	struct leaf *expect = NULL;

	if (m->top == NULL)
		return NULL;
	/* release: pairs with foreach's acquire (a); set before publishing. */
	atomic_fetch_or_explicit(&m->listed[ti / 64], (uint64_t)1 << (ti % 64),
	    memory_order_release);
	struct leaf *l = arena_reserve(sizeof(struct leaf));
	if (l == NULL)
		return NULL;
	/* acq_rel: publishes the new leaf (b), or sees the winner's. */
	if (!atomic_compare_exchange_strong_explicit(&m->top[ti], &expect, l, memory_order_acq_rel,
		memory_order_acquire)) {
		arena_unmap(l, sizeof(struct leaf));
		return expect;
	}
	return l;
}

struct addrmap *
addrmap_new(void)
{
	struct addrmap *m = arena_alloc(sizeof(*m));

	if (m == NULL)
		return NULL;
	/* Without the reservation (an address-space limit: arena_reserve()
	 * refuses), every block goes to the table, which grows with the heap. */
	m->top = arena_reserve(TOP_N * sizeof(m->top[0]));
	m->listed = arena_map(TOP_N / 8);
	m->spill = table_new(1024);
	if (m->listed == NULL || m->spill == NULL)
		return NULL; /* what was mapped stays with the arena; rare */
	return m;
}

HOT_INLINE bool
addrmap_insert(struct addrmap *m, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	if (fits(addr) && size < MAP_MAX_SIZE && stack <= MAP_MAX_STACK) {
		struct leaf *l = leaf_get(m, addr);

		if (l == NULL)
			l = leaf_make(m, addr);
		if (l != NULL) {
			_Atomic uint32_t *e = entry_of(l, addr);
			uint32_t v = E_PRESENT | entry_off(addr) << E_OFF_SHIFT |
			    (uint32_t)size << E_SIZE_SHIFT | stack << E_STACK_SHIFT;

			/* A load and a plain store, no CAS: see the header (c).
			 * relaxed: the entry orders nothing else. */
			if (atomic_load_explicit(e, memory_order_relaxed) == 0) {
				atomic_store_explicit(e, v, memory_order_relaxed);
				return true;
			}
		}
	}
	/* relaxed: a counter; remove() reads it only as "ever non-zero", and the
	 * block's own malloc-to-free order makes this add visible to its free. */
	atomic_fetch_add_explicit(&m->spilled, 1, memory_order_relaxed);
	return table_insert(m->spill, addr, size, stack);
}

static inline bool
spill_possible(struct addrmap *m)
{
	/* relaxed: see addrmap_insert(). */
	return atomic_load_explicit(&m->spilled, memory_order_relaxed) != 0;
}

HOT_INLINE bool
addrmap_remove(struct addrmap *m, uintptr_t addr, uint64_t *size, stack_id_t *stack)
{
	struct leaf *l = fits(addr) ? leaf_get(m, addr) : NULL;

	if (l != NULL) {
		_Atomic uint32_t *e = entry_of(l, addr);
		/* relaxed: only this thread, the block's freer, clears it. */
		uint32_t v = atomic_load_explicit(e, memory_order_relaxed);

		if (entry_is(v, addr)) {
			atomic_store_explicit(e, 0, memory_order_relaxed);
			if (size != NULL)
				*size = entry_size(v);
			if (stack != NULL)
				*stack = entry_stack(v);
			return true;
		}
	}
	return spill_possible(m) && table_remove(m->spill, addr, size, stack);
}

bool
addrmap_contains(struct addrmap *m, uintptr_t addr)
{
	struct leaf *l = fits(addr) ? leaf_get(m, addr) : NULL;

	/* relaxed: a snapshot answer, like table_contains(). */
	if (l != NULL &&
	    entry_is(atomic_load_explicit(entry_of(l, addr), memory_order_relaxed), addr))
		return true;
	return spill_possible(m) && table_contains(m->spill, addr);
}

/* Visits the present entries of one page of leaf l (leaf index ti). */
static void
walk_page(struct leaf *l, size_t ti, size_t first, table_visit_fn fn, void *ctx)
{
	for (size_t i = first; i < first + PAGE_ENTRIES; i++) {
		/* relaxed: a concurrent walk may see either side of a change. */
		uint32_t v = atomic_load_explicit(&l->e[i], memory_order_relaxed);

		if (v == 0)
			continue;
		uintptr_t addr = (uintptr_t)ti << LEAF_SHIFT | (uintptr_t)i << GRAN_SHIFT |
		    (uintptr_t)((v >> E_OFF_SHIFT) & 1) << 4;
		fn(ctx, addr, entry_size(v), entry_stack(v));
	}
}

/* Visits leaf l's present entries, skipping pages never written (mincore
 * says they are not resident; they read as zero); release: each
 * WALK_PAGES of the leaf go back to the kernel once visited. */
static void
walk_leaf(struct leaf *l, size_t ti, table_visit_fn fn, void *ctx, bool release)
{
	const size_t pages = sizeof(struct leaf) / PAGE;
	unsigned char vec[WALK_PAGES];

	for (size_t p0 = 0; p0 < pages; p0 += WALK_PAGES) {
		char *base = (char *)l + p0 * PAGE;
		bool known = mincore(base, WALK_PAGES * PAGE, vec) == 0;
		bool any = !known;

		for (size_t p = 0; p < WALK_PAGES; p++)
			if (!known || (vec[p] & 1) != 0) {
				walk_page(l, ti, (p0 + p) * PAGE_ENTRIES, fn, ctx);
				any = true;
			}
		if (release && any)
			arena_discard(base, WALK_PAGES * PAGE);
	}
}

/* Calls fn for every leaf that exists, in address order. */
static void
leaves_foreach(struct addrmap *m, void (*fn)(void *ctx, struct leaf *l, size_t ti), void *ctx)
{
	for (size_t w = 0; w < TOP_N / 64; w++) {
		/* acquire: pairs with leaf_make()'s release (a). */
		uint64_t bits = atomic_load_explicit(&m->listed[w], memory_order_acquire);

		while (bits != 0) {
			size_t ti = w * 64 + (size_t)__builtin_ctzll(bits);
			/* acquire: pairs with the CAS in leaf_make() (b). */
			struct leaf *l = atomic_load_explicit(&m->top[ti], memory_order_acquire);

			bits &= bits - 1;
			if (l != NULL)
				fn(ctx, l, ti);
		}
	}
}

struct walk {
	table_visit_fn fn;
	void *ctx;
	bool release;
};

static void
walk_one(void *ctx, struct leaf *l, size_t ti)
{
	const struct walk *w = ctx;

	walk_leaf(l, ti, w->fn, w->ctx, w->release);
}

void
addrmap_foreach(struct addrmap *m, table_visit_fn fn, void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx, .release = false };

	leaves_foreach(m, walk_one, &w);
	if (spill_possible(m))
		table_foreach(m->spill, fn, ctx);
}

void
addrmap_foreach_release(struct addrmap *m, table_visit_fn fn, void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx, .release = true };

	leaves_foreach(m, walk_one, &w);
	if (spill_possible(m))
		table_foreach(m->spill, fn, ctx);
}

void
addrmap_settle(struct addrmap *m)
{
	table_settle(m->spill);
}

size_t
addrmap_after_fork(struct addrmap *m)
{
	return table_after_fork(m->spill);
}

static void
count_resident(void *ctx, struct leaf *l, size_t ti)
{
	unsigned char vec[WALK_PAGES];

	(void)ti;
	for (size_t p0 = 0; p0 < sizeof(struct leaf) / PAGE; p0 += WALK_PAGES) {
		if (mincore((char *)l + p0 * PAGE, WALK_PAGES * PAGE, vec) != 0)
			continue;
		for (size_t p = 0; p < WALK_PAGES; p++)
			*(size_t *)ctx += (vec[p] & 1) != 0 ? PAGE : 0;
	}
}

size_t
addrmap_footprint(struct addrmap *m)
{
	size_t bytes = table_footprint(m->spill);

	leaves_foreach(m, count_resident, &bytes);
	return bytes;
}

uint64_t
addrmap_spilled(struct addrmap *m)
{
	/* relaxed: statistics. */
	return atomic_load_explicit(&m->spilled, memory_order_relaxed);
}
