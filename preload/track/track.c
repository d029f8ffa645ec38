/*
 * track.c - the tracker's one seam: what an allocation and a free cost.
 *
 * An allocation costs one stack (from the per-thread stack cache when
 * every return-address slot still holds what it held, else a libunwind
 * trace and a stack-depot lookup) and one load and one store in the address
 * map; a free the same. The capture policy lives here and
 * nowhere else:
 *  - a stack-cache hit is used as it is (LEAK_VERIFY_STACKS unwinds anyway
 *    and counts differences);
 *  - while the loader may hold its locks (ld.so's own allocation, or one
 *    inside a dl_iterate_phdr() callback) libunwind is never entered: it
 *    takes its own lock and then the loader's, so another thread inside it
 *    may wait for the lock held here. The stack is what the stack cache's
 *    learned distances give (stackcache_walk);
 *  - until libunwind is open (backtrace_start: the first allocation that
 *    is not the loader's opens it) a block gets its caller's one frame;
 *  - when every frame's call site has the CFI rule CFA = RSP + k (code
 *    built without frame pointers: nearly all of a distribution's), the
 *    stack cache walks the chain by those rules (stackcache_unwind, the
 *    rules read from .eh_frame once per return address): exact, and no
 *    libunwind;
 *  - otherwise libunwind's fast trace, and the chain goes into the stack
 *    cache, or, where the cache does not trust a distance yet, a full
 *    cursor walk teaches it (backtrace_walk, stackcache_observe).
 *
 * Concurrency: any thread, lock-free; the objects are set up once by
 * track_init() before the state becomes ACTIVE (life/start.c publishes
 * that with a release store; the hooks read it with acquire). The TLS
 * words are initial-exec: valid for a library loaded at start-up, and no
 * __tls_get_addr (which may allocate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "base/self.h"
#include "dumpfmt.h"
#include "track/backtrace.h"
#include "track/hot.h"
#include "track/counters.h"
#include "track/guard.h"
#include "track/ignore.h"
#include "track/stackcache.h"
#include "track/track.h"

/* The scratch arrays of a miss are sized by the depth in use, not by the
 * deepest a dump allows (DUMP_MAX_DEPTH, 256): on the allocating thread's
 * own stack, sized for 256 frames they made stack_slow()'s frame 13 KB,
 * and a thread with a 16 KB stack (PTHREAD_STACK_MIN; libuv's tests make
 * one) that called malloc crashed on its guard page. */
#define CHAIN_LEN(d) ((d) + UNWIND_OWN_MAX) /* chain[] and slots[] for depth d */
#define WALK_LEN(d)  ((d) + 32)             /* a learning walk's frames */

__thread int lk_busy __attribute__((tls_model("initial-exec")));
__thread int track_in_map __attribute__((tls_model("initial-exec")));
__thread void *track_pending __attribute__((tls_model("initial-exec")));
__thread uintptr_t track_moving_lo __attribute__((tls_model("initial-exec")));
__thread uintptr_t track_moving_hi __attribute__((tls_model("initial-exec")));
__thread uintptr_t track_moving_words[TRACK_MOVING_WORDS]
    __attribute__((tls_model("initial-exec")));
/* This thread's errno, from __errno_location() once: track_alloc() keeps
 * errno as it found it, and finding it cost a call through the PLT on
 * every allocation. */
static __thread int *errno_at __attribute__((tls_model("initial-exec")));
/* How deep this thread is in dl_iterate_phdr() callbacks. */
static __thread int in_loader_callback __attribute__((tls_model("initial-exec")));

struct addrmap *lk_blocks;
struct stacks *lk_stacks;
stack_id_t lk_internal_stack;

static unsigned depth = 32; /* frames kept; set by track_init(), maybe by the constructor */
static bool verify;         /* LEAK_VERIFY_STACKS */
static _Atomic uint64_t verify_hits, verify_diffs;

bool
track_init(int frames, bool verify_stacks)
{
	depth = (unsigned)frames;
	verify = verify_stacks;
	lk_blocks = addrmap_new();
	lk_stacks = stacks_new();
	if (lk_blocks == NULL || lk_stacks == NULL || !stackcache_init())
		return false;
	/* One frame, our own code: no program stack can be equal to it. */
	uintptr_t mark = (uintptr_t)&track_init;
	lk_internal_stack = stacks_intern(lk_stacks, &mark, 1);
	return true;
}

void
track_set_depth(int frames)
{
	depth = (unsigned)frames;
}

static void stack_verify(uintptr_t slot0, stack_id_t id);

static inline int *
my_errno(void)
{
	if (__builtin_expect(errno_at == NULL, 0))
		errno_at = &errno;
	return errno_at;
}

/* A full cursor walk from slot0 (up to WALK_LEN(d) frames), taught to the
 * stack cache. Not inlined: its arrays stay off stack_slow()'s frame. */
static __attribute__((noinline)) void
learn(uintptr_t slot0, unsigned d)
{
	uintptr_t ip[WALK_LEN(d)], slot[WALK_LEN(d)], variable;
	unsigned n = backtrace_walk(slot0, ip, slot, WALK_LEN(d), &variable);

	if (variable != 0)
		stackcache_observe_variable(variable);
	stackcache_observe(ip, slot, n);
}

/* This thread's signal stack (track.h). */
static __thread uintptr_t sigstack_lo __attribute__((tls_model("initial-exec")));
static __thread uintptr_t sigstack_hi __attribute__((tls_model("initial-exec")));

void
track_set_signal_stack(uintptr_t lo, uintptr_t hi)
{
	sigstack_lo = lo;
	sigstack_hi = hi;
}

/* Whether this thread runs on its signal stack with less than ALT_ROOM
 * bytes left below here. Such a stack is often a few KB of the program's
 * heap with no guard page: a handler's malloc whose stack missed the
 * cache, walked by libunwind (about 7 KB), ran off a 6 KB one into the heap
 * below it, and ld.so's data was found corrupt at exit. From the range
 * sigaltstack() was given, not by asking it: a system call on every
 * libunwind walk cost a frame-pointer build of the deep workload 2.37x ->
 * 2.60x. */
#define ALT_ROOM ((uintptr_t)16 << 10)

static bool
on_small_signal_stack(void)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	return here - sigstack_lo < sigstack_hi - sigstack_lo && here - sigstack_lo < ALT_ROOM;
}

/* The stack of an allocation that missed the stack cache: see the header. */
static stack_id_t
stack_slow(uintptr_t slot0)
{
	unsigned d = depth; /* read once: track_set_depth() may change it */
	uintptr_t chain[CHAIN_LEN(d)], pcs[d];
	uintptr_t caller = *(const uintptr_t *)slot0;

	if (self_in_loader(caller) || in_loader_callback > 0) {
		unsigned k = stackcache_walk(slot0, pcs, d);

		if (k == 0)
			pcs[k++] = caller;
		return stacks_intern(lk_stacks, pcs, k);
	}
	/* Every frame's CFI says CFA = RSP + k: no libunwind at all. */
	uintptr_t slots[CHAIN_LEN(d)], own_lo, own_hi;
	stack_id_t known;
	unsigned k;

	self_libleak_text(&own_lo, &own_hi);
	unsigned n = stackcache_unwind(slot0, chain, slots, d, own_lo, own_hi, &known);
	if (known != 0) {
		if (verify)
			stack_verify(slot0, known);
		return known;
	}
	if (n > 0) {
		k = backtrace_user_frames(chain, n, pcs, d);
		stack_id_t id = stacks_intern(lk_stacks, pcs, k);

		if (id != 0) {
			unsigned m = 0;
			const uintptr_t *kept = stacks_get(lk_stacks, id, &m);

			stackcache_store_walked(slots, chain, n, id, kept, m);
			if (verify)
				stack_verify(slot0, id);
		}
		return id;
	}
	/* libunwind's walk needs about 7 KB: on a small signal stack, the
	 * learned distances alone (a few hundred bytes). The CFI walk before
	 * it needs about 1.8 KB and stops at the signal frame. */
	if (on_small_signal_stack()) {
		k = stackcache_walk(slot0, pcs, d);
		if (k == 0)
			pcs[k++] = caller;
		return stacks_intern(lk_stacks, pcs, k);
	}
	if (!backtrace_ready() && !backtrace_start())
		return stacks_intern(lk_stacks, &caller, 1);
	n = backtrace_chain(slot0, chain, d + 8);

	if (n == 0) {
		/* slot0's return address is not among the first frames (should
		 * not happen): take the stack the plain way, uncached. */
		k = backtrace_capture(pcs, d);
		return stacks_intern(lk_stacks, pcs, k);
	}
	k = backtrace_user_frames(chain, n, pcs, d);
	stack_id_t id = stacks_intern(lk_stacks, pcs, k);

	if (id != 0 && stackcache_store(slot0, chain, n, id))
		learn(slot0, d);
	return id;
}

/* LEAK_VERIFY_STACKS: a cache hit must name the stack unwinding finds. */
static __attribute__((noinline)) void
stack_verify(uintptr_t slot0, stack_id_t id)
{
	unsigned d = depth;
	uintptr_t chain[CHAIN_LEN(d)], pcs[d];
	unsigned n = backtrace_chain(slot0, chain, d + 8);
	unsigned k = backtrace_user_frames(chain, n, pcs, d);
	unsigned m = 0;
	const uintptr_t *cached = stacks_get(lk_stacks, id, &m);

	/* relaxed: statistics, read once at exit. */
	atomic_fetch_add_explicit(&verify_hits, 1, memory_order_relaxed);
	if (cached == NULL || m != k || memcmp(cached, pcs, k * sizeof(pcs[0])) != 0)
		atomic_fetch_add_explicit(&verify_diffs, 1, memory_order_relaxed);
}

void
track_verify_counts(uint64_t *hits, uint64_t *diffs)
{
	*hits = atomic_load_explicit(&verify_hits, memory_order_relaxed);
	*diffs = atomic_load_explicit(&verify_diffs, memory_order_relaxed);
}

HOT_INLINE void
track_alloc(size_t n, uintptr_t slot0)
{
	int *err = my_errno();
	int saved = *err; /* unwinding may clobber it */
	stack_id_t id;

	if (stackcache_lookup(slot0, &id)) {
		if (verify)
			stack_verify(slot0, id);
	} else {
		id = stack_slow(slot0);
	}
	if (ignore_depth > 0)
		id = ignore_stack(lk_stacks, id); /* inside leak_disable() */
	track_in_map = 1;
	bool in = addrmap_insert(lk_blocks, (uintptr_t)track_pending, n, id);
	track_in_map = 0;
	if (in)
		counters_alloc(n);
	else
		counters_drop();
	*err = saved;
}

stack_id_t
track_stack(uintptr_t slot0)
{
	int saved = errno; /* unwinding may clobber it */
	stack_id_t id;

	if (!stackcache_lookup(slot0, &id))
		id = stack_slow(slot0);
	errno = saved;
	return id;
}

void
track_internal(void *p, size_t n)
{
	if (track_in_map || lk_internal_stack == 0)
		return;
	track_in_map = 1;
	addrmap_insert(lk_blocks, (uintptr_t)p, n, lk_internal_stack);
	track_in_map = 0;
}

HOT_INLINE bool
track_free(void *p, uint64_t *size, stack_id_t *stack)
{
	uint64_t sz;
	stack_id_t id;

	if (lk_blocks == NULL)
		return false;
	track_in_map = 1;
	bool was = addrmap_remove(lk_blocks, (uintptr_t)p, &sz, &id);
	track_in_map = 0;
	if (!was || id == lk_internal_stack)
		return false; /* not tracked, or libc's internal block: counted nowhere */
	counters_free(sz);
	if (size != NULL)
		*size = sz;
	if (stack != NULL)
		*stack = id;
	return true;
}

void
track_restore(void *p, uint64_t size, stack_id_t stack)
{
	int saved = errno;

	track_in_map = 1;
	bool in = addrmap_insert(lk_blocks, (uintptr_t)p, size, stack);
	track_in_map = 0;
	if (in)
		counters_alloc(size);
	errno = saved;
}

void
track_code_unloaded(void)
{
	stackcache_code_unloaded();
	backtrace_code_unloaded();
}

void
track_loader_enter(void)
{
	in_loader_callback++;
}

void
track_loader_leave(void)
{
	in_loader_callback--;
}

/* ---- leak_ignore(): a live block moved to its ignored twin ---------- */

struct find {
	uintptr_t p;
	uintptr_t addr;
	uint64_t size;
	stack_id_t stack;
	bool found;
};

static void
find_one(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct find *f = ctx;

	if (!f->found && f->p >= addr && f->p - addr < (size ? size : 1)) {
		f->found = true;
		f->addr = addr;
		f->size = size;
		f->stack = stack;
	}
}

enum ignore_result
track_ignore(const void *p)
{
	struct find f = { .p = (uintptr_t)p };
	uint64_t size;
	stack_id_t stack;

	if (p == NULL || lk_blocks == NULL)
		return IGNORE_NONE;
	if (!addrmap_contains(lk_blocks, f.p)) {
		addrmap_foreach(lk_blocks, find_one, &f);
		if (!f.found || f.stack == lk_internal_stack)
			return IGNORE_NONE;
	} else {
		f.addr = f.p;
	}
	track_in_map = 1;
	bool was = addrmap_remove(lk_blocks, f.addr, &size, &stack);
	track_in_map = 0;
	if (!was)
		return IGNORE_NONE; /* freed meanwhile (the program's race) */
	stack_id_t twin = stack == lk_internal_stack ? stack : ignore_stack(lk_stacks, stack);

	track_in_map = 1;
	addrmap_insert(lk_blocks, f.addr, size, twin);
	track_in_map = 0;
	if (stack == lk_internal_stack)
		return IGNORE_NONE; /* libc's, not the program's */
	return twin == stack ? IGNORE_ALREADY : IGNORE_DONE;
}
