/*
 * stackcache.c - per-thread cache of recent allocation stacks, checked
 * against the return addresses in their stack slots.
 *
 * A loop that allocates from one call path calls malloc with the same
 * return addresses stored at the same stack slots every time. Unwinding
 * would find the same frames again, so we remember, per thread, the last
 * few chains: the slot of each frame's return address and the value found
 * there. A lookup compares those values with what the slots hold now: when
 * all are equal, the stack is the one we unwound before, and its id is
 * reused without unwinding. Nothing is assumed: every slot is read.
 *
 * The cache is fully associative (WAYS chains, replaced round robin): a
 * lookup tries the way its (slot0, first value) tag last hit in, then scans
 * the ways' tags and checks the chains whose tags match. Hashing the tag to one way
 * made every allocation that comes through the same wrapper at the same
 * depth (all of python's objects, through PyMem_RawMalloc) fight over one
 * way: 77% hits on python3 against 99.7% now.
 *
 * Why equal slots mean an equal stack: the chain starts at slot0, the slot
 * of the return address into the hook's caller, which the hook knows from
 * its own frame. A frame whose canonical frame address is its stack
 * pointer plus a constant (what compilers emit at a call site, with or
 * without frame pointers) puts its caller's return address at its own slot
 * plus that constant; so, frame by frame, equal slots and equal return
 * addresses imply the unwinder's next step is the same. That constant is
 * learned per return address from full libunwind cursor walks (which report
 * each frame's stack pointer) and trusted only after two walks agree; a
 * return address seen with two different distances (a frame sized at run
 * time with alloca, a signal frame) is marked variable, and a chain through
 * it is never cached. Before a chain is cached, every slot it names is
 * checked to lie below the outermost slot a full walk saw on this thread's
 * stack, and to hold the expected value.
 *
 * LEAK_VERIFY_STACKS=1 unwinds on every hit as well and counts any
 * difference; the differential test runs with it.
 *
 * Concurrency: the chains are per thread (initial-exec TLS). The offset
 * table is global, open addressing over return addresses, lock-free: an
 * entry's key is claimed with a CAS (acq_rel) and its value changes with
 * relaxed stores, since a stale value only costs a miss or a re-learn;
 * readers load the key with acquire (pairs with the claiming CAS).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "backtrace.h"
#include "stackcache.h"

#define WAYS            32
#define HINTS           128
#define CHAIN_MAX       48
#define OFF_BITS        15
#define OFF_UNKNOWN     0
#define OFF_VARIABLE    (-1)

struct chain {
	unsigned n;             /* frames in slot[] and ip[] */
	stack_id_t id;
	uintptr_t slot[CHAIN_MAX];
	uintptr_t ip[CHAIN_MAX];
};

struct tag {
	uintptr_t slot0;        /* 0: way empty */
	uintptr_t ip0;          /* the value slot0 held */
};

struct off_entry {
	_Atomic uintptr_t ip;   /* 0: free */
	_Atomic int32_t off;    /* learned distance to the next slot; OFF_* */
	_Atomic int32_t seen;   /* ground-truth walks that agreed */
};

static __thread struct chain chains[WAYS] __attribute__((tls_model("initial-exec")));
/* The ways' first slot and value, apart from the chains so that a lookup
 * scans 8 cache lines, not 32. */
static __thread struct tag tags[WAYS] __attribute__((tls_model("initial-exec")));
/* hint[tag_hash(slot0, v0)]: the way that last hit or was stored with a
 * tag of that hash; tried before the scan. Tags rarely repeat (python3: 1.0
 * tag match per lookup), so it is nearly always the only way to check. */
static __thread uint8_t hint[HINTS] __attribute__((tls_model("initial-exec")));
static __thread unsigned next_victim __attribute__((tls_model("initial-exec")));
/* [mapped_lo, mapped_hi): pages of this thread's stack that mincore() said
 * are mapped, so that slots computed from learned distances can be read
 * without faulting even if a distance were wrong. Asked of the kernel, not
 * of pthread_getattr_np, whose malloc would change the heap the program
 * sees, and not from a cursor walk, which cost a new thread tens of µs. */
static __thread uintptr_t mapped_lo __attribute__((tls_model("initial-exec")));
static __thread uintptr_t mapped_hi __attribute__((tls_model("initial-exec")));
static struct off_entry *offs;          /* 2^OFF_BITS entries, from arena_map */

bool
stackcache_init(void)
{
	offs = arena_map(sizeof(*offs) << OFF_BITS);
	return offs != NULL;
}

/* True when every slot of c past the first still holds its cached value. */
static inline bool
chain_holds(const struct chain *c)
{
	for (unsigned k = 1; k < c->n; k++)
		if (*(const uintptr_t *)c->slot[k] != c->ip[k])
			return false;
	return true;
}

static inline unsigned
tag_hash(uintptr_t slot0, uintptr_t v0)
{
	return (unsigned)(((slot0 >> 3) ^ v0) * 0x9e3779b97f4a7c15ull >> 57);
}

static inline bool
way_holds(unsigned w, uintptr_t slot0, uintptr_t v0)
{
	return tags[w].slot0 == slot0 && tags[w].ip0 == v0 && chain_holds(&chains[w]);
}

bool
stackcache_lookup(uintptr_t slot0, stack_id_t *id)
{
	uintptr_t v0 = *(const uintptr_t *)slot0;
	unsigned h = tag_hash(slot0, v0);
	unsigned w = hint[h];

	if (!way_holds(w, slot0, v0)) {
		for (w = 0; w < WAYS && !way_holds(w, slot0, v0); w++)
			;
		if (w == WAYS)
			return false;
		hint[h] = (uint8_t)w;
	}
	*id = chains[w].id;
	return true;
}

static struct off_entry *
off_find(uintptr_t ip, bool claim)
{
	size_t mask = ((size_t)1 << OFF_BITS) - 1;
	size_t i = (size_t)((ip * 0x9e3779b97f4a7c15ull) >> (64 - OFF_BITS));

	if (offs == NULL)
		return NULL;
	for (size_t n = 0; n <= mask; n++, i = (i + 1) & mask) {
		struct off_entry *e = &offs[i];
		/* acquire: pairs with the claiming CAS below. */
		uintptr_t k = atomic_load_explicit(&e->ip, memory_order_acquire);

		if (k == ip)
			return e;
		if (k != 0)
			continue;
		if (!claim)
			return NULL;
		/* acq_rel: publishes the claim; a racing claimer of the same ip
		 * sees ours and uses this entry. */
		if (atomic_compare_exchange_strong_explicit(&e->ip, &k, ip, memory_order_acq_rel,
		    memory_order_acquire) || k == ip)
			return e;
	}
	return NULL;            /* full: nothing more is learned */
}

/* One ground-truth observation: return address ip had the next slot at
 * distance off. Two equal observations make it trusted; a different one
 * makes it variable for good. */
static void
off_learn(uintptr_t ip, intptr_t off)
{
	struct off_entry *e = off_find(ip, true);

	if (e == NULL)
		return;
	int32_t cur = atomic_load_explicit(&e->off, memory_order_relaxed);
	if (off <= 0 || off > (1 << 20)) {
		atomic_store_explicit(&e->off, OFF_VARIABLE, memory_order_relaxed);
		return;
	}
	if (cur == OFF_UNKNOWN) {
		atomic_store_explicit(&e->off, (int32_t)off, memory_order_relaxed);
		atomic_store_explicit(&e->seen, 1, memory_order_relaxed);
	} else if (cur == off) {
		atomic_fetch_add_explicit(&e->seen, 1, memory_order_relaxed);
	} else {
		atomic_store_explicit(&e->off, OFF_VARIABLE, memory_order_relaxed);
	}
}

/* The trusted distance after return address ip, or 0. */
static intptr_t
off_trusted(uintptr_t ip)
{
	struct off_entry *e = off_find(ip, false);

	if (e == NULL || atomic_load_explicit(&e->seen, memory_order_relaxed) < 2)
		return 0;
	int32_t off = atomic_load_explicit(&e->off, memory_order_relaxed);
	return off > 0 ? off : 0;
}

/* True when every page of [lo, hi) is mapped; remembers the range. */
static bool
stack_mapped(uintptr_t lo, uintptr_t hi)
{
	const uintptr_t page = 4096;
	unsigned char vec[256];

	if (lo >= mapped_lo && hi <= mapped_hi)
		return true;
	lo &= ~(page - 1);
	hi = (hi + page - 1) & ~(page - 1);
	for (uintptr_t p = lo; p < hi; p += sizeof(vec) * page) {
		size_t len = hi - p < sizeof(vec) * page ? hi - p : sizeof(vec) * page;

		if (mincore((void *)p, len, vec) != 0)
			return false;           /* ENOMEM: a page is not mapped */
	}
	if (hi < mapped_lo || lo > mapped_hi || mapped_hi == 0) {
		mapped_lo = lo;         /* not touching the old range: replace it */
		mapped_hi = hi;
	} else {
		mapped_lo = lo < mapped_lo ? lo : mapped_lo;
		mapped_hi = hi > mapped_hi ? hi : mapped_hi;
	}
	return true;
}

void
stackcache_store(uintptr_t slot0, const uintptr_t *ips, unsigned n, stack_id_t id)
{
	uintptr_t slot[CHAIN_MAX];

	if (n == 0 || n > CHAIN_MAX)
		return;
	slot[0] = slot0;
	for (unsigned k = 1; k < n; k++) {
		intptr_t off = off_trusted(ips[k - 1]);

		if (off == 0) {
			backtrace_learn_offsets(slot0);     /* slow: a cursor walk */
			return;                             /* cached on a later call */
		}
		slot[k] = slot[k - 1] + (uintptr_t)off;
	}
	if (!stack_mapped(slot0, slot[n - 1] + sizeof(uintptr_t)))
		return;                         /* a wrong distance ran off the stack */
	for (unsigned k = 0; k < n; k++) {
		if (*(const uintptr_t *)slot[k] != ips[k]) {
			/* A trusted distance was wrong: a frame sized at run time.
			 * A ground-truth walk now marks its return address variable. */
			backtrace_learn_offsets(slot0);
			return;
		}
	}
	/* Round robin: a way is replaced after WAYS newer chains were stored. */
	unsigned w = next_victim++ % WAYS;
	struct chain *c = &chains[w];
	tags[w].slot0 = 0;
	memcpy(c->slot, slot, n * sizeof(slot[0]));
	memcpy(c->ip, ips, n * sizeof(ips[0]));
	c->n = n;
	c->id = id;
	tags[w].ip0 = ips[0];
	tags[w].slot0 = slot0;
	hint[tag_hash(slot0, ips[0])] = (uint8_t)w;
}

void
stackcache_observe_variable(uintptr_t ip)
{
	off_learn(ip, -1);
}

void
stackcache_observe(const uintptr_t *ip, const uintptr_t *slot, unsigned n)
{
	for (unsigned k = 0; k + 1 < n; k++)
		off_learn(ip[k], (intptr_t)(slot[k + 1] - slot[k]));
}
