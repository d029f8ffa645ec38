/*
 * arena.c - mmap-backed memory for libleak's own state.
 *
 * Nothing here calls the allocator that libleak tracks. arena_map() hands out
 * whole mappings (the live-block table's generations, the stack depot's
 * buckets); arena_alloc() carves small objects (stack depot entries, module
 * records) out of 1 MiB chunks with a lock-free bump pointer.
 *
 * Concurrency: arena_alloc() reads the current chunk with acquire (pairs with
 * the release CAS that installs a chunk, so the chunk's fields are seen
 * initialised) and claims space with a relaxed fetch_add on its offset: the
 * offset orders nothing else. When a chunk is exhausted, threads race to map
 * a new one; the loser unmaps its own. Memory is never returned: other
 * threads and late destructors may still read it.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "arena.h"

#define CHUNK_SIZE      ((size_t)1 << 20)

struct chunk {
	_Atomic size_t used;    /* bytes handed out, may run past CHUNK_SIZE */
	size_t cap;             /* usable bytes after the header */
	char data[];
};

static _Atomic(struct chunk *) cur_chunk;
static _Atomic long fault_left = -1;    /* maps still allowed; -1: no fault */

void
arena_set_fault(long n)
{
	atomic_store_explicit(&fault_left, n, memory_order_relaxed);
}

void *
arena_map(size_t bytes)
{
	long left = atomic_load_explicit(&fault_left, memory_order_relaxed);

	/* relaxed: the knob is a test aid; exactness across threads is moot. */
	while (left >= 0) {
		if (left == 0)
			return NULL;
		if (atomic_compare_exchange_weak_explicit(&fault_left, &left, left - 1,
		    memory_order_relaxed, memory_order_relaxed))
			break;
	}
	bytes = (bytes + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
arena_discard(void *p, size_t bytes)
{
	madvise(p, bytes, MADV_DONTNEED);
}

void *
arena_alloc(size_t bytes)
{
	bytes = (bytes + 15) & ~(size_t)15;
	if (bytes > CHUNK_SIZE / 4) {
		return arena_map(bytes);
	}
	for (;;) {
		/* acquire: pairs with the release CAS below; c->cap is initialised. */
		struct chunk *c = atomic_load_explicit(&cur_chunk, memory_order_acquire);

		if (c != NULL) {
			size_t off = atomic_fetch_add_explicit(&c->used, bytes, memory_order_relaxed);

			if (off + bytes <= c->cap)
				return c->data + off;
		}
		struct chunk *n = arena_map(CHUNK_SIZE);

		if (n == NULL)
			return NULL;
		n->cap = CHUNK_SIZE - sizeof(*n);
		/* release: publishes n->cap to the acquire load above. */
		if (!atomic_compare_exchange_strong_explicit(&cur_chunk, &c, n,
		    memory_order_release, memory_order_relaxed))
			munmap(n, CHUNK_SIZE);  /* another thread installed one first */
	}
}
