/*
 * stacks.c - stack depot: append-only, deduplicated, 32-bit ids (0 = none).
 *
 * A stack is hashed once and looked up in a fixed array of buckets, each a
 * singly linked list of entries pushed at its head with a CAS. Entries live
 * in arena memory and are never removed or changed after publication, so
 * readers need no protection beyond the acquire that pairs with the
 * publishing release. Ids index a two-level directory (ID_DIR_SIZE chunks of
 * ID_CHUNK pointers, mapped on first use) so that the dump can walk stacks
 * by id.
 *
 * Concurrency contract: stacks_intern() is lock-free. Two threads interning
 * the same new stack may both build an entry; the CAS admits one, the loser
 * finds the winner in the list and abandons its entry (arena memory is
 * never freed; the loser's id stays unused, which stacks_get() reports as
 * NULL). An entry is in the id directory before it is in a bucket, so an
 * id handed out can always be looked up. Memory orders:
 *  - bucket head CAS (release) -> head and next loads (acquire): an entry's
 *    fields are complete before it can be found.
 *  - directory slot store (release) -> load (acquire) in stacks_get().
 *  - directory chunk CAS (acq_rel) -> load (acquire): the chunk is zeroed.
 */
#include <stdatomic.h>
#include <string.h>

#include "base/arena.h"
#include "track/stacks.h"

#define BUCKET_BITS 18
#define ID_CHUNK    4096
#define ID_DIR_SIZE 4096 /* ids up to 2^24, as table.h keeps */

struct entry {
	_Atomic(struct entry *) next;
	uint64_t hash;
	stack_id_t id;
	unsigned n; /* frames, 1..256 */
	uintptr_t pcs[];
};

struct stacks {
	_Atomic(struct entry *) *buckets; /* 2^BUCKET_BITS heads */
	_Atomic stack_id_t next_id;       /* next id to hand out; starts at 1 */
	_Atomic(_Atomic(struct entry *) *) dir[ID_DIR_SIZE];
};

struct stacks *
stacks_new(void)
{
	struct stacks *d = arena_map(sizeof(*d));

	if (d == NULL)
		return NULL;
	d->buckets = arena_map(sizeof(*d->buckets) << BUCKET_BITS);
	if (d->buckets == NULL)
		return NULL;
	atomic_store_explicit(&d->next_id, 1, memory_order_relaxed);
	return d;
}

/* Four lanes, each a multiply per frame, so that a deep stack's hash is
 * not one chain of dependent multiplies (a frame every cycle or so, not
 * one every five); the lanes are mixed at the end. Only buckets depend on
 * it: find() compares the frames themselves. */
static uint64_t
hash_pcs(const uintptr_t *pcs, unsigned n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t a = 0xcbf29ce484222325ull ^ n, b = 0x84222325cbf29ce4ull, c = k, d = ~k;
	unsigned i = 0;

	for (; i + 4 <= n; i += 4) {
		a = (a ^ pcs[i]) * k;
		b = (b ^ pcs[i + 1]) * k;
		c = (c ^ pcs[i + 2]) * k;
		d = (d ^ pcs[i + 3]) * k;
	}
	for (; i < n; i++)
		a = (a ^ pcs[i]) * k;
	uint64_t h = a ^ (b << 16 | b >> 48) ^ (c << 32 | c >> 32) ^ (d << 48 | d >> 16);

	h ^= h >> 29;
	h *= k;
	h ^= h >> 32;
	return h;
}

static struct entry *
find(struct entry *e, struct entry *stop, uint64_t h, const uintptr_t *pcs, unsigned n)
{
	/* acquire: pairs with the release CAS in stacks_intern(). */
	for (; e != NULL && e != stop; e = atomic_load_explicit(&e->next, memory_order_acquire))
		if (e->hash == h && e->n == n && memcmp(e->pcs, pcs, n * sizeof(*pcs)) == 0)
			return e;
	return NULL;
}

/* Makes e findable by id. False when the directory chunk cannot be mapped. */
static bool
dir_publish(struct stacks *d, struct entry *e)
{
	size_t hi = e->id / ID_CHUNK;

	if (hi >= ID_DIR_SIZE)
		return false;
	/* acquire: pairs with the acq_rel CAS below; the chunk is mapped. */
	_Atomic(struct entry *) *chunk = atomic_load_explicit(&d->dir[hi], memory_order_acquire);
	if (chunk == NULL) {
		_Atomic(struct entry *) *fresh = arena_map(ID_CHUNK * sizeof(*fresh));

		if (fresh == NULL)
			return false;
		if (atomic_compare_exchange_strong_explicit(&d->dir[hi], &chunk, fresh,
			memory_order_acq_rel, memory_order_acquire))
			chunk = fresh;
		else
			arena_unmap(fresh, ID_CHUNK * sizeof(*fresh));
	}
	/* release: pairs with the acquire in stacks_get(). */
	atomic_store_explicit(&chunk[e->id % ID_CHUNK], e, memory_order_release);
	return true;
}

stack_id_t
stacks_intern(struct stacks *d, const uintptr_t *pcs, unsigned n)
{
	if (n == 0)
		return 0;
	uint64_t h = hash_pcs(pcs, n);
	_Atomic(struct entry *) *head = &d->buckets[h >> (64 - BUCKET_BITS)];
	/* acquire: pairs with the release CAS below. */
	struct entry *first = atomic_load_explicit(head, memory_order_acquire);
	struct entry *e = find(first, NULL, h, pcs, n);

	if (e != NULL)
		return e->id;
	stack_id_t id = atomic_fetch_add_explicit(&d->next_id, 1, memory_order_relaxed);
	if (id >= (stack_id_t)ID_CHUNK * ID_DIR_SIZE)
		return 0; /* out of ids: the block is tracked without a stack */
	struct entry *mine = arena_alloc(sizeof(*mine) + n * sizeof(*pcs));
	if (mine == NULL)
		return 0;
	mine->hash = h;
	mine->id = id;
	mine->n = n;
	memcpy(mine->pcs, pcs, n * sizeof(*pcs));
	/* By id first: whoever finds mine in the bucket may stacks_get() its id
	 * at once. If mine then loses the race below, its id simply stays
	 * unused. No directory, no id: the block is tracked without a stack. */
	if (!dir_publish(d, mine))
		return 0;
	for (;;) {
		atomic_store_explicit(&mine->next, first, memory_order_relaxed);
		/* release: publishes mine's fields to the acquire loads in find(). */
		if (atomic_compare_exchange_weak_explicit(head, &first, mine, memory_order_release,
			memory_order_acquire))
			break;
		/* Lost: only entries in front of the old head are new to us. */
		e = find(first, atomic_load_explicit(&mine->next, memory_order_relaxed), h, pcs, n);
		if (e != NULL) {
			/* Our id goes unused: take it out of the directory. Only
			 * we ever held it, so a plain store suffices (release, to
			 * order it after the publication it undoes). */
			atomic_store_explicit(&atomic_load_explicit(&d->dir[id / ID_CHUNK],
						  memory_order_acquire)[id % ID_CHUNK],
			    NULL, memory_order_release);
			return e->id;
		}
	}
	return id;
}

const uintptr_t *
stacks_get(struct stacks *d, stack_id_t id, unsigned *n)
{
	size_t hi = id / ID_CHUNK;

	if (id == 0 || hi >= ID_DIR_SIZE)
		return NULL;
	/* acquire: pairs with the CAS and the release store in dir_publish(). */
	_Atomic(struct entry *) *chunk = atomic_load_explicit(&d->dir[hi], memory_order_acquire);
	if (chunk == NULL)
		return NULL;
	struct entry *e = atomic_load_explicit(&chunk[id % ID_CHUNK], memory_order_acquire);
	if (e == NULL)
		return NULL;
	*n = e->n;
	return e->pcs;
}

stack_id_t
stacks_limit(struct stacks *d)
{
	stack_id_t n = atomic_load_explicit(&d->next_id, memory_order_relaxed);

	return n > (stack_id_t)ID_CHUNK * ID_DIR_SIZE ? (stack_id_t)ID_CHUNK * ID_DIR_SIZE : n;
}
