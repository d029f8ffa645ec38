/*
 * table.c - live heap blocks, keyed by address.
 *
 * Size: one lock-free structure; insert, remove, lookup and the migration
 * between generations share one slot state machine, and its invariants
 * must be read together.
 *
 * A table is a chain of generations, newest first. A generation is a fixed,
 * power-of-two array of 16-byte slots from arena_map(), probed linearly. A
 * slot key moves
 *   EMPTY -> BUSY -> addr -> TOMB -> BUSY -> addr ...     (insert, remove)
 *   addr -> addr|MOVING -> FROZEN, EMPTY/TOMB -> FROZEN    (migration)
 * and never returns to EMPTY, so a lookup may stop at the first EMPTY.
 * `meta` packs the size (40 bits) and the stack id (24 bits); it is written
 * only while the key is BUSY and read only after the key is seen as addr.
 *
 * Invariants:
 *  - No two slots of the table hold the same addr as a live key, except for
 *    the instant a migrator has copied addr into the newest generation while
 *    the old slot still reads addr|MOVING. The allocator never hands out a
 *    live address, and hooks.c removes a block before calling the real free.
 *  - Inserts go to the newest generation only. When it passes 3/4 full
 *    (tombstones count: they lengthen probes), a new generation sized for
 *    the live blocks, not the tombstones, is put in front. Each insert then
 *    moves a batch of slots of the oldest generation into the newest one;
 *    the thread that moves the last batch unlinks that generation and gives
 *    its pages back (arena_discard), so memory follows the live blocks.
 *
 * Concurrency contract: insert is lock-free. Remove is lock-free except
 * that, when it meets its own key in mid-move (addr|MOVING), it waits for
 * that one slot's move to finish; a move is a few stores. Neither takes a
 * lock or calls malloc; only insert may map memory (a new generation).
 * A remove that finds nothing retries when a migration batch overlapped it
 * (moves_started/moves_done, read like a sequence lock), so a block in
 * transit is never reported missing. When mmap fails the table keeps
 * filling its newest generation and tries mapping again once it is full;
 * only when that fails too is a block not recorded, and table_insert()
 * says so. A block that cannot be moved for want of memory stays in its
 * old generation, which then is never retired and stays searchable.
 *
 * An insert that loaded the newest generation just before it was outgrown
 * may claim a slot there after the generation was retired and its pages
 * discarded (they read as zero, EMPTY); it notices (e) and takes back the
 * exact slot it claimed before putting the block again.
 *
 * Memory orders are named at each atomic; the pairs are:
 *  (a) key := addr (release) in insert  ->  key loads (acquire) in remove,
 *      migrate and foreach: meta is seen complete.
 *  (b) key CAS -> TOMB (acq_rel) in remove  ->  key CAS claim (acquire) in
 *      insert: the remover's read of meta is done before it is overwritten.
 *  (c) newest CAS (acq_rel) in grow  ->  newest load (acquire): the new
 *      generation's fields are initialised.
 *  (d) moves_started RMW (acq_rel) before a batch, moves_done RMW (release)
 *      after it  ->  loads (acquire) around a remove that found nothing.
 *  (e) retired := 1 (seq_cst) before the pages are discarded  ->  the
 *      seq_cst load after an insert published its key: an insert that raced
 *      with retirement sees it and moves its own block to the newest.
 */
#include <sched.h>
#include <stdatomic.h>

#include "base/arena.h"
#include "track/table.h"

#define KEY_EMPTY      ((uint64_t)0)
#define KEY_TOMB       ((uint64_t)2)
#define KEY_BUSY       ((uint64_t)4)
#define KEY_FROZEN     ((uint64_t)6)
#define KEY_MOVING     ((uint64_t)1) /* flag on an 8-aligned address */
#define KEY_IS_ADDR(k) ((k) > KEY_FROZEN && ((k)&KEY_MOVING) == 0)

#define MIN_CAP   1024
#define BATCH     64 /* slots moved per insert while migrating */
#define SIZE_BITS 40

struct slot {
	_Atomic uint64_t key;
	_Atomic uint64_t meta; /* size | stack << SIZE_BITS */
};

struct gen {
	struct slot *slots;
	size_t mask;                 /* slots - 1; slots is a power of two */
	unsigned shift;              /* 64 - log2(slots), for the hash */
	_Atomic size_t used;         /* slots ever claimed from EMPTY */
	_Atomic size_t cursor;       /* next slot index a migrator claims */
	_Atomic size_t moved;        /* slots already migrated */
	_Atomic int retired;         /* unlinked; its pages may read as zero */
	_Atomic int nogrow;          /* mapping a successor failed once */
	_Atomic(struct gen *) older; /* next generation searched, or NULL */
};

struct table {
	_Atomic(struct gen *) newest;
	_Atomic uint64_t moves_started;
	_Atomic uint64_t moves_done;
};

static inline size_t
slot_index(const struct gen *g, uintptr_t addr)
{
	return (size_t)(((uint64_t)addr * 0x9e3779b97f4a7c15ull) >> g->shift);
}

static inline void
cpu_relax(unsigned *spins)
{
	if (++*spins % 64 == 0)
		sched_yield();
	else
		__builtin_ia32_pause();
}

static struct gen *
gen_new(size_t cap)
{
	size_t n = MIN_CAP;
	unsigned bits = 10;

	while (n < cap) {
		n <<= 1;
		bits++;
	}
	struct gen *g = arena_alloc(sizeof(*g));
	if (g == NULL)
		return NULL;
	g->slots = arena_map(n * sizeof(struct slot));
	if (g->slots == NULL)
		return NULL; /* the gen header stays in the arena; it is small */
	g->mask = n - 1;
	g->shift = 64 - bits;
	return g;
}

struct table *
table_new(size_t cap)
{
	struct table *t = arena_alloc(sizeof(*t));

	if (t == NULL)
		return NULL;
	struct gen *g = gen_new(cap + cap / 3);
	if (g == NULL)
		return NULL;
	atomic_store_explicit(&t->newest, g, memory_order_relaxed);
	return t;
}

static size_t
gen_count_live(struct gen *g)
{
	size_t live = 0;

	for (size_t i = 0; i <= g->mask; i++) {
		uint64_t k = atomic_load_explicit(&g->slots[i].key, memory_order_relaxed);

		live += KEY_IS_ADDR(k) || (k & KEY_MOVING) != 0;
	}
	return live;
}

/* Puts a new generation in front of g, sized so the live blocks fill at
 * most 2/5 of it. Returns false when it cannot be mapped. */
static bool
table_grow(struct table *t, struct gen *g)
{
	if (atomic_load_explicit(&g->nogrow, memory_order_relaxed))
		return false;
	size_t live = 0;
	/* acquire: pairs with (c); the older links are initialised. */
	for (struct gen *o = g; o != NULL;
	     o = atomic_load_explicit(&o->older, memory_order_acquire))
		live += gen_count_live(o);
	struct gen *n = gen_new(live * 5 / 2);
	if (n == NULL) {
		atomic_store_explicit(&g->nogrow, 1, memory_order_relaxed);
		return false;
	}
	atomic_store_explicit(&n->older, g, memory_order_relaxed);
	struct gen *expect = g;
	/* acq_rel: (c) publishes n's fields; acquire orders our later use of
	 * the winner when we lose. */
	if (!atomic_compare_exchange_strong_explicit(&t->newest, &expect, n, memory_order_acq_rel,
		memory_order_acquire))
		arena_unmap(n->slots, (n->mask + 1) * sizeof(struct slot));
	return true;
}

/* Claims a slot of g for addr. 1: inserted, at *at; 0: g is frozen or
 * full; -1: g is over its load limit (the caller grows and retries). */
static int
gen_insert(struct gen *g, uintptr_t addr, uint64_t meta, bool ignore_limit, size_t *at)
{
	if (!ignore_limit &&
	    atomic_load_explicit(&g->used, memory_order_relaxed) > (g->mask + 1) / 4 * 3)
		return -1;
	size_t i = slot_index(g, addr);

	for (size_t n = 0; n <= g->mask; n++, i = (i + 1) & g->mask) {
		struct slot *s = &g->slots[i];
		uint64_t k = atomic_load_explicit(&s->key, memory_order_relaxed);

		if (k == KEY_FROZEN)
			return 0; /* g is being retired: use the newest */
		if (k != KEY_EMPTY && k != KEY_TOMB)
			continue;
		/* acquire: (b), the last owner finished reading meta. */
		if (!atomic_compare_exchange_strong_explicit(&s->key, &k, KEY_BUSY,
			memory_order_acquire, memory_order_relaxed))
			continue; /* another thread claimed it; keep probing */
		if (k == KEY_EMPTY)
			atomic_fetch_add_explicit(&g->used, 1, memory_order_relaxed);
		atomic_store_explicit(&s->meta, meta, memory_order_relaxed);
		/* release: (a), whoever sees addr also sees meta. */
		atomic_store_explicit(&s->key, addr, memory_order_release);
		*at = i;
		return 1;
	}
	return 0;
}

static void help_migrate(struct table *t);

/* After g was retired: takes addr back out of slot `at` of g, where we
 * put it, unless a migrator moved it first. True when we took it back.
 * (Searching from the home slot would not do: the pages of a retired
 * generation read as zero, and EMPTY would stop the search early.) */
static bool
gen_unpublish(struct gen *g, uintptr_t addr, size_t at)
{
	uint64_t k = addr;

	/* relaxed: we are the only one who can still own this slot's key. */
	return atomic_compare_exchange_strong_explicit(&g->slots[at].key, &k, KEY_FROZEN,
	    memory_order_relaxed, memory_order_relaxed);
}

/* Inserts into the newest generation; `internal` for moves, which must not
 * help migrate again. */
static bool
table_put(struct table *t, uintptr_t addr, uint64_t meta, bool internal)
{
	for (;;) {
		/* acquire: (c). */
		struct gen *g = atomic_load_explicit(&t->newest, memory_order_acquire);
		size_t at = 0;
		int r = gen_insert(g, addr, meta,
		    atomic_load_explicit(&g->nogrow, memory_order_relaxed), &at);

		if (r == 1) {
			/* seq_cst: (e). If g was retired under us, our key may sit in
			 * discarded pages that nobody searches: move it ourselves. */
			if (atomic_load_explicit(&g->retired, memory_order_seq_cst)) {
				if (gen_unpublish(g, addr, at))
					continue; /* it was still there: put it again */
				return true;      /* a migrator moved it in time */
			}
			if (!internal &&
			    atomic_load_explicit(&g->older, memory_order_relaxed) != NULL)
				help_migrate(t);
			return true;
		}
		if (atomic_load_explicit(&t->newest, memory_order_acquire) != g)
			continue; /* a newer generation appeared meanwhile */
		if (r == -1) {
			/* Over 3/4: grow; if mapping fails, nogrow is set and g
			 * fills to the brim before we try mapping again. */
			table_grow(t, g);
			continue;
		}
		/* Full: map a successor whatever nogrow says (mmap may work
		 * again); only when that fails is the block not recorded. */
		atomic_store_explicit(&g->nogrow, 0, memory_order_relaxed);
		if (table_grow(t, g))
			continue;
		return false;
	}
}

bool
table_insert(struct table *t, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	if (size > TABLE_MAX_SIZE)
		size = TABLE_MAX_SIZE;
	if (stack > TABLE_MAX_STACK)
		stack = 0;
	return table_put(t, addr, size | (uint64_t)stack << SIZE_BITS, false);
}

/* Moves slot i of old generation g to the newest generation. False when
 * the block could not be placed (no memory): it then stays in g. */
static bool
migrate_slot(struct table *t, struct gen *g, size_t i)
{
	struct slot *s = &g->slots[i];
	unsigned spins = 0;

	for (;;) {
		/* acquire: (a), meta is complete when k is an address. */
		uint64_t k = atomic_load_explicit(&s->key, memory_order_acquire);

		if (k == KEY_EMPTY || k == KEY_TOMB) {
			/* release: a remover that reads FROZEN knows nothing is here. */
			if (atomic_compare_exchange_weak_explicit(&s->key, &k, KEY_FROZEN,
				memory_order_release, memory_order_relaxed))
				return true;
			continue;
		}
		if (!KEY_IS_ADDR(k)) {
			if (k == KEY_FROZEN)
				return true;
			cpu_relax(&spins); /* BUSY: an insert is finishing */
			continue;
		}
		uint64_t meta = atomic_load_explicit(&s->meta, memory_order_relaxed);
		/* acquire: if a remover had taken it we would see TOMB instead. */
		if (!atomic_compare_exchange_weak_explicit(&s->key, &k, k | KEY_MOVING,
			memory_order_acquire, memory_order_relaxed))
			continue;
		if (!table_put(t, (uintptr_t)k, meta, true)) {
			/* Out of memory: the block stays here, this generation is
			 * never retired, and lookups keep searching it. release:
			 * a remover waiting on k|MOVING sees k again. */
			atomic_store_explicit(&s->key, k, memory_order_release);
			return false;
		}
		/* release: a remover waiting on k|MOVING then finds k in the newest. */
		atomic_store_explicit(&s->key, KEY_FROZEN, memory_order_release);
		return true;
	}
}

/* Unlinks the fully moved generation g from the chain and discards it.
 * Retirements run oldest first, so two never unlink neighbours at once in
 * practice; if they did, a discarded generation would stay linked, where
 * its zero pages read as EMPTY: searches pass it by, nothing is lost. */
static void
retire(struct table *t, struct gen *g)
{
	struct gen *p = atomic_load_explicit(&t->newest, memory_order_acquire);

	while (p != NULL && atomic_load_explicit(&p->older, memory_order_acquire) != g)
		p = atomic_load_explicit(&p->older, memory_order_acquire);
	if (p == NULL)
		return;
	/* release: readers that follow p->older find g's successor complete. */
	atomic_store_explicit(&p->older, atomic_load_explicit(&g->older, memory_order_acquire),
	    memory_order_release);
	/* seq_cst: (e), before the pages go. */
	atomic_store_explicit(&g->retired, 1, memory_order_seq_cst);
	arena_discard(g->slots, (g->mask + 1) * sizeof(struct slot));
}

/* Moves one batch of the oldest generation, if any remains. */
static void
help_migrate(struct table *t)
{
	struct gen *newest = atomic_load_explicit(&t->newest, memory_order_acquire);
	struct gen *g = newest;
	struct gen *o;

	/* Only the tail moves, so generations retire oldest first. (A tail
	 * whose moves ran out of memory stays, and stops the moves behind it.) */
	while ((o = atomic_load_explicit(&g->older, memory_order_acquire)) != NULL)
		g = o;
	if (g == atomic_load_explicit(&t->newest, memory_order_acquire))
		return;
	size_t cap = g->mask + 1;
	/* relaxed: the cursor only hands out disjoint ranges. */
	size_t start = atomic_fetch_add_explicit(&g->cursor, BATCH, memory_order_relaxed);
	if (start >= cap)
		return;
	size_t end = start + BATCH < cap ? start + BATCH : cap;
	/* Each move lands on a random line of the newest generation: ask for
	 * all of them first, so the misses overlap instead of queueing. */
	for (size_t i = start; i < end; i++) {
		uint64_t k = atomic_load_explicit(&g->slots[i].key, memory_order_relaxed);

		if (KEY_IS_ADDR(k))
			__builtin_prefetch(&newest->slots[slot_index(newest, (uintptr_t)k)], 1);
	}
	/* acq_rel: (d), counted before any slot of the batch changes. */
	atomic_fetch_add_explicit(&t->moves_started, 1, memory_order_acq_rel);
	size_t moved = 0;
	for (size_t i = start; i < end; i++)
		moved += migrate_slot(t, g, i);
	/* release: (d), the batch's stores are visible to whoever sees the count. */
	atomic_fetch_add_explicit(&t->moves_done, 1, memory_order_release);
	/* acq_rel: the last mover must see every other mover's stores. A slot
	 * that could not move keeps the count below cap: g then stays. */
	if (atomic_fetch_add_explicit(&g->moved, moved, memory_order_acq_rel) + moved == cap)
		retire(t, g);
}

void
table_settle(struct table *t)
{
	/* Until the cursors have handed out every slot; a generation whose
	 * blocks could not all move (no memory) stays, and foreach visits it. */
	for (;;) {
		/* acquire: (c). */
		struct gen *g = atomic_load_explicit(&t->newest, memory_order_acquire);
		bool pending = false;

		struct gen *o;

		while ((o = atomic_load_explicit(&g->older, memory_order_acquire)) != NULL)
			g = o; /* the tail */
		pending = g != atomic_load_explicit(&t->newest, memory_order_acquire) &&
		    atomic_load_explicit(&g->cursor, memory_order_relaxed) <= g->mask;
		if (!pending)
			return;
		help_migrate(t);
	}
}

/* Searches every generation for addr. 1 found (and removed when `take`),
 * 0 not present, -1 met it in mid-move: retry. */
static int
table_find(struct table *t, uintptr_t addr, bool take, uint64_t *meta)
{
	for (struct gen *g = atomic_load_explicit(&t->newest, memory_order_acquire); g != NULL;
	     g = atomic_load_explicit(&g->older, memory_order_acquire)) {
		size_t i = slot_index(g, addr);

		for (size_t n = 0; n <= g->mask; n++, i = (i + 1) & g->mask) {
			struct slot *s = &g->slots[i];
			/* acquire: (a). */
			uint64_t k = atomic_load_explicit(&s->key, memory_order_acquire);

			if (k == KEY_EMPTY)
				break;
			if (k == (addr | KEY_MOVING))
				return -1;
			if (k != addr)
				continue;
			*meta = atomic_load_explicit(&s->meta, memory_order_relaxed);
			if (!take)
				return 1;
			/* acq_rel: (b) release for the next claimer; acquire so a
			 * failure shows the mover's MOVING. */
			if (atomic_compare_exchange_strong_explicit(&s->key, &k, KEY_TOMB,
				memory_order_acq_rel, memory_order_acquire))
				return 1;
			return -1; /* a migrator took it first */
		}
	}
	return 0;
}

static bool
table_lookup(struct table *t, uintptr_t addr, bool take, uint64_t *size, stack_id_t *stack)
{
	unsigned spins = 0;
	uint64_t meta = 0;

	if (addr <= KEY_FROZEN || (addr & KEY_MOVING) != 0)
		return false;
	for (;;) {
		/* acquire: (d). */
		uint64_t done = atomic_load_explicit(&t->moves_done, memory_order_acquire);
		int r = table_find(t, addr, take, &meta);

		if (r == 1)
			break;
		if (r == -1) {
			cpu_relax(&spins);
			continue;
		}
		/* acquire: (d); no batch ran while we searched if this equals done. */
		if (atomic_load_explicit(&t->moves_started, memory_order_acquire) == done)
			return false;
		cpu_relax(&spins);
	}
	if (size != NULL)
		*size = meta & TABLE_MAX_SIZE;
	if (stack != NULL)
		*stack = (stack_id_t)(meta >> SIZE_BITS);
	return true;
}

bool
table_remove(struct table *t, uintptr_t addr, uint64_t *size, stack_id_t *stack)
{
	return table_lookup(t, addr, true, size, stack);
}

bool
table_contains(struct table *t, uintptr_t addr)
{
	return table_lookup(t, addr, false, NULL, NULL);
}

void
table_foreach(struct table *t, table_visit_fn fn, void *ctx)
{
	for (struct gen *g = atomic_load_explicit(&t->newest, memory_order_acquire); g != NULL;
	     g = atomic_load_explicit(&g->older, memory_order_acquire)) {
		for (size_t i = 0; i <= g->mask; i++) {
			/* acquire: (a). */
			uint64_t k = atomic_load_explicit(&g->slots[i].key, memory_order_acquire);

			/* addr|MOVING: a migrator (maybe a thread stopped by the
			 * exit scan or a check) has it in transit, so it may or may
			 * not be in the newest generation yet: visited here too. */
			if (!KEY_IS_ADDR(k) && (k == KEY_FROZEN || (k & KEY_MOVING) == 0))
				continue;
			uint64_t meta =
			    atomic_load_explicit(&g->slots[i].meta, memory_order_relaxed);
			fn(ctx, (uintptr_t)(k & ~KEY_MOVING), meta & TABLE_MAX_SIZE,
			    (stack_id_t)(meta >> SIZE_BITS));
		}
	}
}

size_t
table_after_fork(struct table *t)
{
	size_t lost = 0;
	struct gen *newest = atomic_load_explicit(&t->newest, memory_order_relaxed);

	/* One thread now: relaxed everywhere. A BUSY slot was an insert cut off
	 * by fork; a MOVING one a move: keep the copy if it reached the newest. */
	for (struct gen *g = newest; g != NULL;
	     g = atomic_load_explicit(&g->older, memory_order_relaxed)) {
		for (size_t i = 0; i <= g->mask; i++) {
			_Atomic uint64_t *key = &g->slots[i].key;
			uint64_t k = atomic_load_explicit(key, memory_order_relaxed);

			if (k == KEY_BUSY) {
				atomic_store_explicit(key, KEY_TOMB, memory_order_relaxed);
				lost++;
			} else if (k != KEY_FROZEN && (k & KEY_MOVING) != 0) {
				uint64_t meta;
				bool copied = g != newest &&
				    table_find(t, (uintptr_t)(k & ~KEY_MOVING), false, &meta) == 1;

				atomic_store_explicit(key, copied ? KEY_FROZEN : k & ~KEY_MOVING,
				    memory_order_relaxed);
			}
		}
	}
	/* Batches cut off by fork never finish; move what is left and count
	 * every batch as done, or removers would wait for them forever. Moving
	 * may open a newer generation, so each pass starts from the newest. */
	atomic_store_explicit(&t->moves_done,
	    atomic_load_explicit(&t->moves_started, memory_order_relaxed), memory_order_relaxed);
	for (;;) {
		struct gen *o = atomic_load_explicit(&t->newest, memory_order_relaxed);

		if (atomic_load_explicit(&o->older, memory_order_relaxed) == NULL)
			break; /* one generation left */
		while (atomic_load_explicit(&o->older, memory_order_relaxed) != NULL)
			o = atomic_load_explicit(&o->older, memory_order_relaxed);
		bool all = true;
		for (size_t i = 0; i <= o->mask; i++)
			all &= migrate_slot(t, o, i);
		atomic_store_explicit(&o->cursor, o->mask + 1, memory_order_relaxed);
		if (!all)
			break; /* out of memory: o and the rest stay searchable */
		atomic_store_explicit(&o->moved, o->mask + 1, memory_order_relaxed);
		retire(t, o);
	}
	return lost;
}

size_t
table_footprint(struct table *t)
{
	size_t bytes = 0;

	for (struct gen *g = atomic_load_explicit(&t->newest, memory_order_acquire); g != NULL;
	     g = atomic_load_explicit(&g->older, memory_order_acquire))
		bytes += (g->mask + 1) * sizeof(struct slot);
	return bytes;
}

void
table_free(struct table *t)
{
	struct gen *g = atomic_load_explicit(&t->newest, memory_order_relaxed);

	while (g != NULL) {
		struct gen *next = atomic_load_explicit(&g->older, memory_order_relaxed);

		arena_unmap(g->slots, (g->mask + 1) * sizeof(struct slot));
		g = next;
	}
}
