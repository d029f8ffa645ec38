/*
 * arena.c - mmap-backed memory for libleak's own state.
 *
 * Nothing here calls the allocator that libleak tracks. arena_map() hands out
 * whole mappings (the live-block table's generations, the stack depot's
 * buckets); arena_alloc() carves small objects (stack depot entries, module
 * records) out of 1 MiB chunks with a lock-free bump pointer.
 *
 * Every mapping is also noted in a registry (an mmap'd array of ranges,
 * appended with a relaxed fetch_add on its count, the range published with
 * a release store on its length), so that the exit scan can leave our own
 * memory out of its roots: arena_foreach_map().
 *
 * Under an address-space limit (RLIMIT_AS, `ulimit -v`), which counts
 * reserved address space as if it were used, libleak must run out before
 * the program does: arena_reserve() refuses its sparse reservations, and
 * while the budget is on (until the exit dump lifts it), arena_map()
 * refuses any mapping that would bring libleak's own memory past a
 * sixteenth of the limit, or the process's address space past three
 * quarters of it. Callers then stop tracking
 * (blocks are dropped and counted), and the program keeps the rest of the
 * limit for itself. One line says so, once.
 *
 * Concurrency: arena_alloc() reads the current chunk with acquire (pairs with
 * the release CAS that installs a chunk, so the chunk's fields are seen
 * initialised) and claims space with a relaxed fetch_add on its offset: the
 * offset orders nothing else. When a chunk is exhausted, threads race to map
 * a new one; the loser unmaps its own. Memory is never returned: other
 * threads and late destructors may still read it.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fmt.h"

#define CHUNK_SIZE ((size_t)1 << 20)

struct chunk {
	_Atomic size_t used; /* bytes handed out, may run past CHUNK_SIZE */
	size_t cap;          /* usable bytes after the header */
	char data[];
};

#define REG_MAX (1 << 16)

struct reg_entry {
	uintptr_t lo;
	_Atomic size_t len; /* 0: not yet published, or unmapped */
};

static _Atomic(struct chunk *) cur_chunk;
static struct reg_entry *reg; /* REG_MAX entries, mapped on first use */
static _Atomic size_t reg_count;
static _Atomic int reg_state;         /* 0 none, 1 mapping, 2 ready, 3 failed */
static _Atomic long fault_left = -1;  /* maps still allowed; -1: no fault */
static uint64_t as_limit;             /* RLIMIT_AS in bytes; 0: none. Set once at start */
static _Atomic int budget_on = 1;     /* arena_lift_budget() clears it */
static _Atomic int budget_said;       /* the line was printed */
static _Atomic uint64_t mapped_total; /* bytes arena_map() has mapped (relaxed: a tally) */

void
arena_limit_init(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		as_limit = (uint64_t)rl.rlim_cur;
}

void
arena_lift_budget(void)
{
	/* relaxed: a flag; a map that still sees it set is only refused. */
	atomic_store_explicit(&budget_on, 0, memory_order_relaxed);
}

/* Whether mapping `bytes` more leaves the program a quarter of the limit. */
static bool
budget_allows(size_t bytes)
{
	char buf[64];
	uint64_t pages = 0;

	/* relaxed: a flag read once per map; a late change costs one map. */
	if (as_limit == 0 || !atomic_load_explicit(&budget_on, memory_order_relaxed))
		return true;
	if (atomic_load_explicit(&mapped_total, memory_order_relaxed) + bytes > as_limit / 16)
		goto refuse;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pages = pages * 10 + (uint64_t)(buf[i] - '0');
	if (pages * 4096 + bytes <= as_limit / 4 * 3)
		return true;
refuse:;
	int said = 0;
	/* relaxed: elects the one thread that prints; orders nothing else. */
	if (atomic_compare_exchange_strong_explicit(&budget_said, &said, 1, memory_order_relaxed,
		memory_order_relaxed))
		fmt_log("the address-space limit (ulimit -v) is near; libleak takes no more memory "
			"and stops tracking new blocks (counted as dropped)",
		    NULL);
	return false;
}

void
arena_set_fault(long n)
{
	atomic_store_explicit(&fault_left, n, memory_order_relaxed);
}

static struct reg_entry *
reg_get(void)
{
	int st = atomic_load_explicit(&reg_state, memory_order_acquire);

	if (st == 0 &&
	    atomic_compare_exchange_strong_explicit(&reg_state, &st, 1, memory_order_acq_rel,
		memory_order_acquire)) {
		void *p = mmap(NULL, REG_MAX * sizeof(struct reg_entry), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		reg = p == MAP_FAILED ? NULL : p;
		/* release: pairs with the acquire above; reg is set. */
		atomic_store_explicit(&reg_state, reg != NULL ? 2 : 3, memory_order_release);
		st = reg != NULL ? 2 : 3;
	}
	while (st == 1) /* another thread is mapping it: a few µs */
		st = atomic_load_explicit(&reg_state, memory_order_acquire);
	return st == 2 ? reg : NULL;
}

static void
reg_note(void *p, size_t len)
{
	struct reg_entry *r = reg_get();

	if (r == NULL)
		return;
	size_t i = atomic_fetch_add_explicit(&reg_count, 1, memory_order_relaxed);
	if (i >= REG_MAX)
		return; /* the scan may then read some of our memory as roots */
	r[i].lo = (uintptr_t)p;
	/* release: pairs with the acquire in arena_foreach_map(); lo is set. */
	atomic_store_explicit(&r[i].len, len, memory_order_release);
}

void
arena_unmap(void *p, size_t bytes)
{
	struct reg_entry *r = reg_get();
	size_t n = atomic_load_explicit(&reg_count, memory_order_relaxed);

	bytes = (bytes + 4095) & ~(size_t)4095;
	for (size_t i = 0; r != NULL && i < n && i < REG_MAX; i++)
		/* acquire: pairs with reg_note()'s release; lo is written. */
		if (atomic_load_explicit(&r[i].len, memory_order_acquire) != 0 &&
		    r[i].lo == (uintptr_t)p)
			atomic_store_explicit(&r[i].len, 0, memory_order_relaxed);
	munmap(p, bytes);
}

void
arena_foreach_map(void (*fn)(void *ctx, uintptr_t lo, uintptr_t hi), void *ctx)
{
	struct reg_entry *r = reg_get();
	size_t n = atomic_load_explicit(&reg_count, memory_order_relaxed);

	for (size_t i = 0; r != NULL && i < n && i < REG_MAX; i++) {
		/* acquire: pairs with the release in reg_note(). */
		size_t len = atomic_load_explicit(&r[i].len, memory_order_acquire);

		if (len != 0)
			fn(ctx, r[i].lo, r[i].lo + len);
	}
	if (r != NULL)
		fn(ctx, (uintptr_t)r, (uintptr_t)r + REG_MAX * sizeof(struct reg_entry));
}

/* One map the LEAK_FAULT_MMAP knob lets through, or false when it says no. */
static bool
fault_allows(void)
{
	long left = atomic_load_explicit(&fault_left, memory_order_relaxed);

	/* relaxed: the knob is a test aid; exactness across threads is moot. */
	while (left >= 0) {
		if (left == 0)
			return false;
		if (atomic_compare_exchange_weak_explicit(&fault_left, &left, left - 1,
			memory_order_relaxed, memory_order_relaxed))
			break;
	}
	return true;
}

void *
arena_map(size_t bytes)
{
	if (!fault_allows())
		return NULL;
	bytes = (bytes + 4095) & ~(size_t)4095;
	if (!budget_allows(bytes))
		return NULL;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	atomic_fetch_add_explicit(&mapped_total, bytes,
	    memory_order_relaxed); /* relaxed: a tally */
	/* Big maps (table generations) are probed at random: with 4 KiB pages
	 * nearly every probe is a TLB miss too. Huge pages where the kernel
	 * offers them on request; a hint, its failure changes nothing. */
	if (bytes >= ((size_t)4 << 20))
		madvise(p, bytes, MADV_HUGEPAGE);
	reg_note(p, bytes);
	return p;
}

void *
arena_reserve(size_t bytes)
{
	if (as_limit != 0)
		return NULL; /* reservations count against the limit: see the header */
	if (!fault_allows())
		return NULL;
	bytes = (bytes + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	reg_note(p, bytes);
	return p;
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
			size_t off =
			    atomic_fetch_add_explicit(&c->used, bytes, memory_order_relaxed);

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
			arena_unmap(n, CHUNK_SIZE); /* another thread installed one first */
	}
}
