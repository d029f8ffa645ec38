/*
 * resources.c - the open resources besides memory: a descriptor table, a
 * timer table and a thread table, each entry with the stack that made it.
 *
 * Called by the hooks of interpose/fd.c, stdio.c and thread.c, after the
 * real call succeeded (a close: before the real close, because once closed
 * the number may be handed to another thread's open at once), and by the
 * dump (res_foreach) at exit and for snapshots.
 *
 * The descriptor table is an array indexed by descriptor number, one 64-bit
 * word per slot: 0 is empty, else SLOT_SET | fn << 32 | stack. A slot is
 * written with one atomic store, so a reader sees either the old record or
 * the new one, never half of each. No read-modify-write is needed: the
 * writers of one slot are ordered by the kernel, since a number is handed
 * out again only after the close that freed it returned, and the hooks
 * clear a slot before the real close and set it after the real open (two
 * threads writing one slot at once, a dup2 over a descriptor another
 * thread closes, race in the program itself). The live count, kept only
 * when a descriptor warning asks for it (res_init), is then exact too: a
 * set that found the slot empty adds one, a clear that found it full takes
 * one away. It is reserved at start-up, sized by
 * RLIMIT_NOFILE's hard limit (at most FD_MAX slots), and its pages are only
 * backed when touched; a descriptor past it is counted as dropped.
 * Descriptors 0, 1 and 2 are never recorded: they were open before the
 * program started, whatever it later does with them.
 *
 * The timer and thread tables are open-addressed arrays of TAB_SLOTS
 * entries keyed by the timer_t or pthread_t (plus one, so that timer 0 is a
 * key). A key moves EMPTY -> BUSY -> key -> TOMB -> BUSY ... and never back
 * to EMPTY, so a lookup stops at the first EMPTY. The claim is a CAS to
 * BUSY (acquire: the previous owner is done with the fields), the fields
 * are written, and the key is published with a release store (pairs with
 * the acquire loads of lookups and res_foreach). When a table is full the
 * resource is not tracked and counted as dropped.
 *
 * Concurrency: any thread, lock-free, no allocation, no locks, errno left
 * alone (only atomics). Memory comes from arena.c and is never returned.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>

#include "base/arena.h"
#include "track/resources.h"

#define FD_MAX    (1u << 20) /* most descriptor slots */
#define FD_MIN    1024u      /* slots when the limit cannot be read */
#define SLOT_SET  (1ull << 40)
#define TAB_SLOTS 4096u /* timers and threads, each; a power of two */

#define KEY_EMPTY ((uintptr_t)0)
#define KEY_BUSY  ((uintptr_t)-1)
#define KEY_TOMB  ((uintptr_t)-2)

enum thread_state {
	TH_RUNNING,
	TH_EXITED
};

struct tab_entry {
	_Atomic uintptr_t key; /* EMPTY, BUSY, TOMB or the timer_t/pthread_t + 1 */
	_Atomic uint32_t stack;
	_Atomic int state;     /* threads: enum thread_state */
	_Atomic int clock;     /* timers: the clockid */
	_Atomic uint64_t tid;  /* threads: from the thread itself; 0 until it ran */
	_Atomic uintptr_t aux; /* timers: the timer_t; threads: the start routine */
	_Atomic uintptr_t arg; /* threads: the start routine's argument until it ran */
};

struct res_thread {
	struct tab_entry e; /* first: a res_thread is a thread table entry */
};

static _Atomic uint64_t *fds; /* nfds slots, or NULL before res_init */
static size_t nfds;
static struct tab_entry *timers; /* TAB_SLOTS each */
static struct tab_entry *threads;
/* Where the thread named k was put: hints[hash(k)] = slot + 1, or 0. A
 * join looks there first, and scans the table only when the hint is
 * stale (another thread's name hashed there since). Relaxed: a hint, the
 * key's CAS decides. */
static _Atomic uint32_t hints[TAB_SLOTS];
static _Atomic uint64_t claims;  /* spreads the claims (relaxed: a counter) */
static _Atomic uint64_t fd_live; /* descriptors recorded (relaxed: a figure) */
static _Atomic uint64_t dropped; /* past a table (relaxed: a figure) */
static _Atomic bool ready;       /* res_init done (release/acquire) */
static bool counting;            /* keep fd_live: set once by res_init */

bool
res_init(bool count)
{
	struct rlimit rl;
	size_t n = FD_MIN;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rlim_t lim = rl.rlim_max;

		if (lim == RLIM_INFINITY || lim > FD_MAX)
			lim = FD_MAX;
		if (lim > n)
			n = (size_t)lim;
	}
	void *p = arena_reserve(n * sizeof(uint64_t));

	/* Under an address-space limit nothing is reserved: map what the
	 * soft limit asks for, which is what the program can open now. */
	if (p == NULL && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		n = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > FD_MAX ? FD_MAX :
									   (size_t)rl.rlim_cur;
		if (n < FD_MIN)
			n = FD_MIN;
		p = arena_map(n * sizeof(uint64_t));
	}
	struct tab_entry *t = arena_map(2 * TAB_SLOTS * sizeof(struct tab_entry));

	if (p == NULL || t == NULL)
		return false;
	fds = p;
	nfds = n;
	counting = count;
	timers = t;
	threads = t + TAB_SLOTS;
	/* release: pairs with the acquire in res_ready(); the tables are set. */
	atomic_store_explicit(&ready, true, memory_order_release);
	return true;
}

bool
res_ready(void)
{
	/* acquire: pairs with the release store in res_init(). */
	return atomic_load_explicit(&ready, memory_order_acquire);
}

void
res_fd_open(int fd, enum res_fn fn, stack_id_t stack)
{
	if (fd < 3 || !res_ready())
		return;
	if ((size_t)fd >= nfds) {
		atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
		return;
	}
	uint64_t v = SLOT_SET | (uint64_t)fn << 32 | stack;
	/* relaxed: the slot is one word and nothing else is published with
	 * it; its writers are ordered by the kernel (see the header). */
	uint64_t old = atomic_load_explicit(&fds[fd], memory_order_relaxed);

	atomic_store_explicit(&fds[fd], v, memory_order_relaxed);
	if (counting && old == 0)
		atomic_fetch_add_explicit(&fd_live, 1, memory_order_relaxed);
}

void
res_fd_close(int fd)
{
	if (fd < 3 || (size_t)fd >= nfds || !res_ready())
		return;
	/* A load first: closing what we never saw (most closes of a program
	 * that opened before us, libleak's own) writes nothing. */
	if (atomic_load_explicit(&fds[fd], memory_order_relaxed) == 0)
		return;
	atomic_store_explicit(&fds[fd], 0, memory_order_relaxed);
	if (counting)
		atomic_fetch_sub_explicit(&fd_live, 1, memory_order_relaxed);
}

void
res_fd_close_range(unsigned lo, unsigned hi)
{
	if (!res_ready())
		return;
	if (lo < 3)
		lo = 3;
	for (size_t fd = lo; fd <= hi && fd < nfds; fd++)
		res_fd_close((int)fd);
}

uint64_t
res_fd_count(void)
{
	return atomic_load_explicit(&fd_live, memory_order_relaxed);
}

uint64_t
res_dropped(void)
{
	return atomic_load_explicit(&dropped, memory_order_relaxed);
}

static size_t
hash_key(uintptr_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (TAB_SLOTS - 1);
}

/* Claims a slot of tab for a new entry: BUSY, fields for the caller to
 * write, then publish. NULL when full. */
static struct tab_entry *
tab_claim(struct tab_entry *tab, uintptr_t hint)
{
	size_t i = hash_key(hint);

	for (size_t n = 0; n < TAB_SLOTS; n++, i = (i + 1) & (TAB_SLOTS - 1)) {
		struct tab_entry *e = &tab[i];
		uintptr_t k = atomic_load_explicit(&e->key, memory_order_relaxed);

		if (k != KEY_EMPTY && k != KEY_TOMB)
			continue;
		/* acquire: pairs with the TOMB release in tab_remove(); the last
		 * owner is done with the fields before we overwrite them. */
		if (atomic_compare_exchange_strong_explicit(&e->key, &k, KEY_BUSY,
			memory_order_acquire, memory_order_relaxed))
			return e;
	}
	atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
	return NULL;
}

/* Removes the entry keyed key: true when there was one. */
static bool
tab_remove(struct tab_entry *tab, uintptr_t key)
{
	size_t i = hash_key(key - 1);

	for (size_t n = 0; n < TAB_SLOTS; n++, i = (i + 1) & (TAB_SLOTS - 1)) {
		struct tab_entry *e = &tab[i];
		uintptr_t k = atomic_load_explicit(&e->key, memory_order_acquire);

		if (k == KEY_EMPTY)
			return false;
		if (k != key)
			continue;
		/* release: pairs with the acquire CAS in tab_claim(); we are
		 * done with the fields. */
		if (atomic_compare_exchange_strong_explicit(&e->key, &k, KEY_TOMB,
			memory_order_release, memory_order_relaxed))
			return true;
	}
	return false;
}

void
res_timer_add(uintptr_t t, int clk, stack_id_t stack)
{
	if (!res_ready())
		return;
	struct tab_entry *e = tab_claim(timers, t);

	if (e == NULL)
		return;
	atomic_store_explicit(&e->stack, stack, memory_order_relaxed);
	atomic_store_explicit(&e->clock, clk, memory_order_relaxed);
	atomic_store_explicit(&e->aux, t, memory_order_relaxed);
	/* release: pairs with the acquire loads in tab_remove, res_foreach. */
	atomic_store_explicit(&e->key, t + 1, memory_order_release);
}

void
res_timer_del(uintptr_t t)
{
	if (res_ready())
		tab_remove(timers, t + 1);
}

struct res_thread *
res_thread_claim(uintptr_t fn, uintptr_t arg, stack_id_t stack)
{
	if (!res_ready())
		return NULL;
	/* The key is not known yet: any slot will do, spread by a counter
	 * (a pool's threads share one stack and start routine). */
	uint64_t n = atomic_fetch_add_explicit(&claims, 1, memory_order_relaxed);
	struct tab_entry *e = tab_claim(threads, (uintptr_t)n);

	if (e == NULL)
		return NULL;
	atomic_store_explicit(&e->stack, stack, memory_order_relaxed);
	atomic_store_explicit(&e->state, TH_RUNNING, memory_order_relaxed);
	atomic_store_explicit(&e->tid, 0, memory_order_relaxed);
	atomic_store_explicit(&e->aux, fn, memory_order_relaxed);
	atomic_store_explicit(&e->arg, arg, memory_order_relaxed);
	return (struct res_thread *)e;
}

void
res_thread_abandon(struct res_thread *t)
{
	/* release: pairs with tab_claim's acquire, as tab_remove does. */
	atomic_store_explicit(&t->e.key, KEY_TOMB, memory_order_release);
}

void
res_thread_name(struct res_thread *t, uintptr_t self)
{
	uintptr_t busy = KEY_BUSY;

	/* release: pairs with the acquire loads of lookups; the fields written
	 * in res_thread_claim() are seen with the key. Fails harmlessly when
	 * the other side named it first. */
	if (atomic_compare_exchange_strong_explicit(&t->e.key, &busy, self + 1,
		memory_order_release, memory_order_relaxed))
		atomic_store_explicit(&hints[hash_key(self + 1)], (uint32_t)(&t->e - threads) + 1,
		    memory_order_relaxed);
}

void
res_thread_started(struct res_thread *t, uint64_t tid, uintptr_t *fn, uintptr_t *arg)
{
	/* relaxed: pthread_create() orders the creator's stores before the
	 * thread's start. */
	atomic_store_explicit(&t->e.tid, tid, memory_order_relaxed);
	*fn = atomic_load_explicit(&t->e.aux, memory_order_relaxed);
	*arg = atomic_exchange_explicit(&t->e.arg, 0, memory_order_relaxed);
}

void
res_thread_exited(struct res_thread *t)
{
	/* release: pairs with the acquire load in res_foreach(); the tid is set. */
	atomic_store_explicit(&t->e.state, TH_EXITED, memory_order_release);
}

/* Forgets the entry of thread self at slot i, if it is there. */
static bool
forget_at(size_t i, uintptr_t self)
{
	struct tab_entry *e = &threads[i];
	uintptr_t k = self + 1;

	/* release: pairs with tab_claim's acquire CAS. */
	return atomic_load_explicit(&e->key, memory_order_relaxed) == k &&
	    atomic_compare_exchange_strong_explicit(&e->key, &k, KEY_TOMB, memory_order_release,
		memory_order_relaxed);
}

/*
 * The thread table is not hashed by key (the key is learnt after the
 * claim): a join tries the slot the hint names, then scans the table.
 */
void
res_thread_forget(uintptr_t self)
{
	if (!res_ready())
		return;
	uint32_t h = atomic_load_explicit(&hints[hash_key(self + 1)], memory_order_relaxed);

	if (h != 0 && h <= TAB_SLOTS && forget_at(h - 1, self))
		return;
	for (size_t i = 0; i < TAB_SLOTS; i++)
		if (forget_at(i, self))
			return;
}

void
res_foreach(void (*fn)(void *ctx, const struct res_item *it), void *ctx)
{
	if (!res_ready())
		return;
	for (size_t fd = 3; fd < nfds; fd++) {
		uint64_t v = atomic_load_explicit(&fds[fd], memory_order_relaxed);

		if (v == 0)
			continue;
		struct res_item it = {
			.kind = RES_FD,
			.fn = (enum res_fn)((v >> 32) & 0xff),
			.stack = (stack_id_t)v,
			.id = fd,
		};
		fn(ctx, &it);
	}
	for (size_t i = 0; i < TAB_SLOTS; i++) {
		struct tab_entry *e = &timers[i];
		/* acquire: pairs with the release publish in res_timer_add(). */
		uintptr_t k = atomic_load_explicit(&e->key, memory_order_acquire);

		if (k == KEY_EMPTY || k == KEY_BUSY || k == KEY_TOMB)
			continue;
		struct res_item it = {
			.kind = RES_TIMER,
			.fn = RES_FN_timer_create,
			.stack = atomic_load_explicit(&e->stack, memory_order_relaxed),
			.id = (uint64_t)(k - 1),
			.aux = atomic_load_explicit(&e->aux, memory_order_relaxed),
			.clock = atomic_load_explicit(&e->clock, memory_order_relaxed),
		};
		fn(ctx, &it);
	}
	for (size_t i = 0; i < TAB_SLOTS; i++) {
		struct tab_entry *e = &threads[i];
		uintptr_t k = atomic_load_explicit(&e->key, memory_order_acquire);

		if (k == KEY_EMPTY || k == KEY_BUSY || k == KEY_TOMB)
			continue;
		/* acquire: pairs with the release in res_thread_exited(). */
		if (atomic_load_explicit(&e->state, memory_order_acquire) != TH_EXITED)
			continue; /* still running: not a leak (yet) */
		struct res_item it = {
			.kind = RES_THREAD,
			.fn = RES_FN_pthread_create,
			.stack = atomic_load_explicit(&e->stack, memory_order_relaxed),
			.id = atomic_load_explicit(&e->tid, memory_order_relaxed),
			.aux = atomic_load_explicit(&e->aux, memory_order_relaxed),
		};
		fn(ctx, &it);
	}
}

void
res_fork_child(void)
{
	if (!res_ready())
		return;
	/* Only this thread runs in the child: plain stores are enough, and
	 * the descriptor table is given back to the kernel rather than
	 * written slot by slot. */
	arena_discard((void *)fds, nfds * sizeof(uint64_t));
	atomic_store_explicit(&fd_live, 0, memory_order_relaxed);
	memset(timers, 0, 2 * TAB_SLOTS * sizeof(struct tab_entry));
	memset((void *)hints, 0, sizeof(hints));
}
