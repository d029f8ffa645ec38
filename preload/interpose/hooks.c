/*
 * hooks.c - the interposed malloc family, C++ operators new and delete,
 * _exit/_Exit and dlclose. With deepbind.c's dlopen, the only code that
 * exports symbols.
 *
 * Every allocation that returns a block while the state is ACTIVE and this
 * thread is not already inside libleak costs one backtrace, one stack-depot
 * lookup and one table insert (track()). Every free removes the block from
 * the table *before* the real free, because once freed another thread may
 * get the same address back and insert it. Removal needs no guard: it never
 * allocates.
 *
 * Bootstrap: until resolve() has found the real functions, allocations are
 * served from boot.c's static arena (dlsym may call calloc); free, realloc
 * and malloc_usable_size test boot_owns() first. errno is preserved across
 * our own work; the real function's errno is what the caller sees.
 *
 * C++ operators: new is malloc (or aligned_alloc) plus tracking; only when
 * that fails do we call libstdc++'s own operator, which runs the new-handler
 * loop and throws std::bad_alloc exactly as without us. delete is free.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "track/backtrace.h"
#include "interpose/boot.h"
#include "life/config.h"
#include "track/counters.h"
#include "dumpfmt.h"
#include "life/exits.h"
#include "base/fmt.h"
#include "track/guard.h"
#include "interpose/hooks.h"
#include "dump/modules.h"
#include "scan/scan.h"
#include "base/self.h"
#include "track/stackcache.h"
#include "life/state.h"

#define LK_EXPORT __attribute__((visibility("default")))

struct real_fns real;
static _Atomic int resolving;   /* 1 while resolve() runs */

/* How deep this thread is in dl_iterate_phdr() callbacks: the loader's
 * lock is held meanwhile (see stack_slow). initial-exec TLS: no allocation. */
static __thread int hooks_in_loader_callback __attribute__((tls_model("initial-exec")));

/* Set while this thread is inside an address-map operation: an allocation
 * from a signal handler meanwhile must not enter the map again. */
static __thread int lk_in_map __attribute__((tls_model("initial-exec")));

bool
hooks_resolve(void)
{
	int expect = 0;

	if (real.malloc != NULL)
		return true;
	/* acq_rel: one resolver; the others use the boot arena meanwhile. */
	if (!atomic_compare_exchange_strong_explicit(&resolving, &expect, 1,
	    memory_order_acq_rel, memory_order_acquire))
		return false;
#define RESOLVE(field, name) real.field = (__typeof__(real.field))dlsym(RTLD_NEXT, name)
	RESOLVE(free, "free");
	RESOLVE(calloc, "calloc");
	RESOLVE(realloc, "realloc");
	RESOLVE(posix_memalign, "posix_memalign");
	RESOLVE(aligned_alloc, "aligned_alloc");
	RESOLVE(memalign, "memalign");
	RESOLVE(valloc, "valloc");
	RESOLVE(pvalloc, "pvalloc");
	RESOLVE(malloc_usable_size, "malloc_usable_size");
	RESOLVE(exit_, "_exit");
	RESOLVE(Exit_, "_Exit");
	RESOLVE(dlclose, "dlclose");
	RESOLVE(libc_malloc, "__libc_malloc");
	void *(*m)(size_t) = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
#undef RESOLVE
	if (m == NULL || real.free == NULL || real.calloc == NULL || real.realloc == NULL) {
		static const char msg[] = "libleak: cannot find the real malloc; aborting\n";

		(void)!write(2, msg, sizeof(msg) - 1);
		abort();
	}
	/* Published last: malloc != NULL means every other pointer is set.
	 * release: pairs with the acquire load in ready(). */
	__atomic_store_n(&real.malloc, m, __ATOMIC_RELEASE);
	return true;
}

static inline bool
ready(void)
{
	/* acquire: pairs with the release in hooks_resolve(); the other
	 * pointers of `real` are set when malloc is. */
	return __atomic_load_n(&real.malloc, __ATOMIC_ACQUIRE) != NULL || hooks_resolve();
}

#define CHAIN_MAX (DUMP_MAX_DEPTH + 16)

static _Atomic uint64_t verify_hits, verify_diffs;      /* LEAK_VERIFY_STACKS */

/* Unwinds from slot0 and interns the stack; caches the chain for next time.
 * Until libunwind is open, and while the loader itself allocates (it may
 * hold the locks that opening libunwind takes), the stack is the one frame
 * of the caller. */
static stack_id_t
stack_slow(uintptr_t slot0)
{
	uintptr_t chain[CHAIN_MAX], pcs[DUMP_MAX_DEPTH];
	uintptr_t caller = *(const uintptr_t *)slot0;

	/* The loader may hold its locks now: its own allocation, or one from a
	 * dl_iterate_phdr() callback of the program's. libunwind takes its lock
	 * and then the loader's (dl_iterate_phdr, to find unwind tables), so
	 * another thread inside libunwind may be waiting for the lock held
	 * here: never enter it; walk what the stack cache knows instead. */
	if (self_in_loader(caller) || hooks_in_loader_callback > 0) {
		unsigned k = stackcache_walk(slot0, pcs, (unsigned)lk_config.depth);

		if (k == 0)
			pcs[k++] = caller;
		return stacks_intern(lk_stacks, pcs, k);
	}
	if (!backtrace_ready() && !backtrace_start())
		return stacks_intern(lk_stacks, &caller, 1);
	unsigned n = backtrace_chain(slot0, chain, (unsigned)lk_config.depth + 8);
	unsigned k;

	if (n == 0) {
		/* slot0's return address is not among the first frames (should
		 * not happen): take the stack the plain way, uncached. */
		k = backtrace_capture(pcs, (unsigned)lk_config.depth);
		return stacks_intern(lk_stacks, pcs, k);
	}
	k = backtrace_user_frames(chain, n, pcs, (unsigned)lk_config.depth);
	stack_id_t id = stacks_intern(lk_stacks, pcs, k);

	if (id != 0)
		stackcache_store(slot0, chain, n, id);
	return id;
}

/* LEAK_VERIFY_STACKS: a cache hit must name the stack unwinding finds. */
static void
stack_verify(uintptr_t slot0, stack_id_t id)
{
	uintptr_t chain[CHAIN_MAX], pcs[DUMP_MAX_DEPTH];
	unsigned n = backtrace_chain(slot0, chain, (unsigned)lk_config.depth + 8);
	unsigned k = backtrace_user_frames(chain, n, pcs, (unsigned)lk_config.depth);
	unsigned m = 0;
	const uintptr_t *cached = stacks_get(lk_stacks, id, &m);

	/* relaxed: statistics, read once at exit. */
	atomic_fetch_add_explicit(&verify_hits, 1, memory_order_relaxed);
	if (cached == NULL || m != k || memcmp(cached, pcs, k * sizeof(pcs[0])) != 0)
		atomic_fetch_add_explicit(&verify_diffs, 1, memory_order_relaxed);
}

void
hooks_verify_counts(uint64_t *hits, uint64_t *diffs)
{
	*hits = atomic_load_explicit(&verify_hits, memory_order_relaxed);
	*diffs = atomic_load_explicit(&verify_diffs, memory_order_relaxed);
}

#define GUARD_PROBE     2       /* lk_busy while hooks_probe() calls malloc */

static __thread int probe_seen __attribute__((tls_model("initial-exec")));

bool
hooks_probe(void)
{
	void *(*m)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc");
	void (*f)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "free");
	int was = lk_busy;

	if (m == NULL || f == NULL)
		return true;
	probe_seen = 0;
	lk_busy = GUARD_PROBE;
	void *p = m(1);
	lk_busy = was;
	f(p);
	return probe_seen != 0;
}

/* Not ACTIVE yet: the first allocation starts tracking (init.c). True
 * when the state is now ACTIVE. */
static __attribute__((noinline, cold)) bool
track_start(void)
{
	if (atomic_load_explicit(&lk_state, memory_order_acquire) == STATE_BOOT) {
		int saved = errno;

		init_start();
		errno = saved;
	}
	return state_is(STATE_ACTIVE);
}

/* Records block p of n bytes, allocated by the code that called us. The
 * caller's return address sits right above this frame's saved frame
 * pointer: that slot starts the chain the stack cache checks. */
/* A block the C library allocated while this thread ran libleak's code
 * (libunwind's first pthread_setspecific of a key past 31 makes glibc calloc
 * the thread's array for keys 32-63, where the program's values then go):
 * tracked with the internal stack, so the exit scan reads it as a root and
 * never reports it. Not while this thread is inside the map already. */
static __attribute__((noinline)) void
track_internal(void *p, size_t n)
{
	if (lk_in_map || !state_is(STATE_ACTIVE) || lk_internal_stack == 0)
		return;
	lk_in_map = 1;
	addrmap_insert(lk_blocks, (uintptr_t)p, n, lk_internal_stack);
	lk_in_map = 0;
}

static inline __attribute__((always_inline)) void
track(void *p, size_t n)
{
	if (p == NULL || lk_in_map)
		return;         /* a signal handler's malloc inside a map operation */
	if (lk_busy) {
		if (lk_busy == GUARD_PROBE)
			probe_seen = 1;         /* hooks_probe() called through us */
		else
			track_internal(p, n);
		return;
	}
	if (!state_is(STATE_ACTIVE) && !track_start())
		return;
	lk_busy = 1;
	int saved = errno;      /* unwinding may clobber it */
	uintptr_t slot0 = (uintptr_t)__builtin_frame_address(0) + sizeof(void *);
	stack_id_t id;

	if (stackcache_lookup(slot0, &id)) {
		if (lk_config.verify_stacks)
			stack_verify(slot0, id);
	} else {
		id = stack_slow(slot0);
	}
	lk_in_map = 1;
	bool in = addrmap_insert(lk_blocks, (uintptr_t)p, n, id);
	lk_in_map = 0;
	if (in)
		counters_alloc(n);
	else
		counters_drop();
	errno = saved;
	guard_leave();
}

/* Forgets p; true when it was tracked. Called before the real free. */
static inline bool
untrack(void *p, uint64_t *size, stack_id_t *stack)
{
	uint64_t sz;
	stack_id_t id;
	int st = atomic_load_explicit(&lk_state, memory_order_acquire);

	if (lk_blocks == NULL || st == STATE_BOOT || st == STATE_OFF)
		return false;
	lk_in_map = 1;
	bool was = addrmap_remove(lk_blocks, (uintptr_t)p, &sz, &id);
	lk_in_map = 0;
	if (!was)
		return false;
	if (stack != NULL)
		*stack = id;
	if (id == lk_internal_stack)
		return false;   /* libc's internal block: not counted, not the program's */
	counters_free(sz);
	if (size != NULL)
		*size = sz;
	return true;
}

LK_EXPORT void *
malloc(size_t n)
{
	if (!ready())
		return boot_alloc(n);   /* dlsym() may land here while we resolve */
	void *p = real.malloc(n);
	track(p, n);
	return p;
}

LK_EXPORT void
free(void *p)
{
	if (p == NULL || boot_owns(p))
		return;                 /* boot blocks are never reused */
	untrack(p, NULL, NULL);
	if (atomic_load_explicit(&lk_state, memory_order_relaxed) == STATE_DUMPING)
		return;                 /* the dump may be reading the table */
	if (ready())
		real.free(p);
}

LK_EXPORT void *
calloc(size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!ready() || real.calloc == NULL)
		return boot_alloc(n);   /* static memory: already zero */
	void *p = real.calloc(nmemb, size);
	track(p, n);
	return p;
}

/* realloc of a boot block: move it to the real heap. */
static void *
realloc_boot(void *p, size_t n)
{
	if (n == 0)
		return NULL;            /* like glibc: realloc(p, 0) frees p */
	void *q = malloc(n);
	if (q != NULL) {
		size_t old = boot_size(p);

		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

/* realloc with the old entry taken out first and put back if it fails. */
static void *
realloc_tracked(void *p, size_t n)
{
	uint64_t old_size = 0;
	stack_id_t old_stack = 0;
	bool had = p != NULL && untrack(p, &old_size, &old_stack);
	void *q = real.realloc(p, n);

	if (q != NULL) {
		track(q, n);
	} else if (had && n != 0) {
		int saved = errno;      /* failed: p is still live */

		lk_in_map = 1;
		bool in = addrmap_insert(lk_blocks, (uintptr_t)p, old_size, old_stack);
		lk_in_map = 0;
		if (in)
			counters_alloc(old_size);
		errno = saved;
	}
	return q;
}

LK_EXPORT void *
realloc(void *p, size_t n)
{
	if (!ready())
		return p == NULL ? boot_alloc(n) : realloc_boot(p, n);
	if (p != NULL && boot_owns(p))
		return realloc_boot(p, n);
	return realloc_tracked(p, n);
}

/* glibc's reallocarray calls realloc through the PLT, that is, our hook:
 * tracking here as well would record the block twice. So reallocarray is
 * its overflow check and then our realloc, which is what glibc does too. */
LK_EXPORT void *
reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

LK_EXPORT int
posix_memalign(void **out, size_t align, size_t n)
{
	if (!ready()) {
		if (align == 0 || (align & (align - 1)) != 0 || align % sizeof(void *) != 0)
			return EINVAL;
		*out = boot_alloc_aligned(align, n);
		return *out != NULL ? 0 : ENOMEM;
	}
	int rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		track(*out, n);
	return rc;
}

LK_EXPORT void *
aligned_alloc(size_t align, size_t n)
{
	if (!ready())
		return boot_alloc_aligned(align, n);
	void *p = real.aligned_alloc(align, n);
	track(p, n);
	return p;
}

LK_EXPORT void *
memalign(size_t align, size_t n)
{
	if (!ready())
		return boot_alloc_aligned(align, n);
	void *p = real.memalign(align, n);
	track(p, n);
	return p;
}

LK_EXPORT void *
valloc(size_t n)
{
	if (!ready())
		return boot_alloc_aligned(4096, n);
	void *p = real.valloc(n);
	track(p, n);
	return p;
}

/* pvalloc rounds the size up to whole pages (0 to one page): the block is
 * that big, as malloc_usable_size says, so that is its size here too. */
LK_EXPORT void *
pvalloc(size_t n)
{
	size_t page = (size_t)getauxval(AT_PAGESZ);
	size_t size = n == 0 ? page : (n + page - 1) & ~(page - 1);

	if (!ready())
		return n > SIZE_MAX - page ? NULL : boot_alloc_aligned(4096, size);
	void *p = real.pvalloc(n);
	track(p, size);
	return p;
}

LK_EXPORT size_t
malloc_usable_size(void *p)
{
	if (p != NULL && boot_owns(p))
		return boot_size(p);
	if (!ready())
		return 0;
	return real.malloc_usable_size(p);
}

/* ---- C++ operators ---------------------------------------------------- */

typedef void *(*new_fn)(size_t);
typedef void *(*new_nt_fn)(size_t, const void *);
typedef void *(*new_al_fn)(size_t, size_t);
typedef void *(*new_al_nt_fn)(size_t, size_t, const void *);

/* libstdc++'s own operator, looked up on first failure only. */
static void *
cxx_real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fmt_log("cannot find ", name, " in the C++ runtime; aborting", NULL);
		abort();
	}
	return f;
}

static inline void *
new_plain(size_t n, const char *name)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p != NULL)
		return p;
	return ((new_fn)cxx_real(name))(n);     /* new-handler loop, bad_alloc */
}

static inline void *
new_nothrow(size_t n, const void *tag, const char *name)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p != NULL)
		return p;
	return ((new_nt_fn)cxx_real(name))(n, tag);
}

/* aligned_alloc wants a multiple of the alignment, as libstdc++ rounds. */
static inline void *
aligned_for_new(size_t n, size_t al)
{
	size_t sz = n != 0 ? n : 1;

	if (al < sizeof(void *))
		al = sizeof(void *);
	if (sz > SIZE_MAX - al)
		return NULL;
	sz = (sz + al - 1) & ~(al - 1);
	if (!ready())
		return boot_alloc_aligned(al, sz);
	void *p = real.aligned_alloc(al, sz);
	track(p, n);
	return p;
}

LK_EXPORT void *_Znwm(size_t n) { return new_plain(n, "_Znwm"); }
LK_EXPORT void *_Znam(size_t n) { return new_plain(n, "_Znam"); }
LK_EXPORT void *
_ZnwmRKSt9nothrow_t(size_t n, const void *t)
{
	return new_nothrow(n, t, "_ZnwmRKSt9nothrow_t");
}
LK_EXPORT void *
_ZnamRKSt9nothrow_t(size_t n, const void *t)
{
	return new_nothrow(n, t, "_ZnamRKSt9nothrow_t");
}
LK_EXPORT void *
_ZnwmSt11align_val_t(size_t n, size_t al)
{
	void *p = aligned_for_new(n, al);

	return p != NULL ? p : ((new_al_fn)cxx_real("_ZnwmSt11align_val_t"))(n, al);
}
LK_EXPORT void *
_ZnamSt11align_val_t(size_t n, size_t al)
{
	void *p = aligned_for_new(n, al);

	return p != NULL ? p : ((new_al_fn)cxx_real("_ZnamSt11align_val_t"))(n, al);
}
LK_EXPORT void *
_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *t)
{
	void *p = aligned_for_new(n, al);

	return p != NULL ? p :
	    ((new_al_nt_fn)cxx_real("_ZnwmSt11align_val_tRKSt9nothrow_t"))(n, al, t);
}
LK_EXPORT void *
_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *t)
{
	void *p = aligned_for_new(n, al);

	return p != NULL ? p :
	    ((new_al_nt_fn)cxx_real("_ZnamSt11align_val_tRKSt9nothrow_t"))(n, al, t);
}

LK_EXPORT void _ZdlPv(void *p) { free(p); }
LK_EXPORT void _ZdaPv(void *p) { free(p); }
LK_EXPORT void _ZdlPvm(void *p, size_t n) { (void)n; free(p); }
LK_EXPORT void _ZdaPvm(void *p, size_t n) { (void)n; free(p); }
LK_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *t) { (void)t; free(p); }
LK_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *t) { (void)t; free(p); }
LK_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t al) { (void)al; free(p); }
LK_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t al) { (void)al; free(p); }
LK_EXPORT void
_ZdlPvmSt11align_val_t(void *p, size_t n, size_t al)
{
	(void)n;
	(void)al;
	free(p);
}
LK_EXPORT void
_ZdaPvmSt11align_val_t(void *p, size_t n, size_t al)
{
	(void)n;
	(void)al;
	free(p);
}
LK_EXPORT void
_ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *t)
{
	(void)al;
	(void)t;
	free(p);
}
LK_EXPORT void
_ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *t)
{
	(void)al;
	(void)t;
	free(p);
}

/* ---- process start and end, modules ------------------------------------ */

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

static main_fn program_main;

/* Runs the program's main; once it returns, its frames are dead: the exit
 * scan starts this thread's stack above our own frame, so stale pointers
 * that main left below are no roots (a local of main is none after main). */
static int
main_wrapper(int argc, char **argv, char **envp)
{
	int rc = program_main(argc, argv, envp);

	exits_claim();          /* main's return exits: one exit at a time */
	scan_set_stack_start((uintptr_t)__builtin_frame_address(0) + 2 * sizeof(void *));
	return rc;
}

/* exit() from the program: the caller's frames are live, the frames of
 * calls that already returned lie below and are dead. Callee-saved
 * registers, which may hold the caller's pointers, are spilled into this
 * frame, and the scan starts here. */
static __attribute__((noinline, noreturn)) void
exit_here(void (*real_exit)(int), int status)
{
	volatile uintptr_t here = 0;

	__builtin_unwind_init();
	scan_set_stack_start((uintptr_t)&here);
	real_exit(status);
	__builtin_unreachable();
}

LK_EXPORT void
exit(int status)
{
	static void (*real_exit)(int);

	if (real_exit == NULL)
		real_exit = (void (*)(int))dlsym(RTLD_NEXT, "exit");
	if (real_exit == NULL) {
		fmt_log("cannot find exit; aborting", NULL);
		abort();
	}
	exits_claim();
	exit_here(real_exit, status);
}

LK_EXPORT int
__libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
    void (*rtld_fini)(void), void *stack_end)
{
	start_fn real_start = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

	if (real_start == NULL) {
		fmt_log("cannot find __libc_start_main; aborting", NULL);
		abort();
	}
	program_main = main;
	return real_start(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

LK_EXPORT void
_exit(int status)
{
	init_final_dump();      /* _exit skips atexit: dump here */
	if (ready() && real.exit_ != NULL)
		real.exit_(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

LK_EXPORT void
_Exit(int status)
{
	init_final_dump();
	if (ready() && real.Exit_ != NULL)
		real.Exit_(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

typedef int (*phdr_cb)(struct dl_phdr_info *, size_t, void *);

/* dl_iterate_phdr() holds the loader's lock while it calls the callback;
 * this thread's allocations meanwhile must not enter libunwind. */
LK_EXPORT int
dl_iterate_phdr(phdr_cb cb, void *data)
{
	static int (*real_iterate)(phdr_cb, void *);
	/* relaxed: a code address that every thread computes the same. */
	int (*f)(phdr_cb, void *) = __atomic_load_n(&real_iterate, __ATOMIC_RELAXED);

	if (f == NULL) {
		f = (int (*)(phdr_cb, void *))dlsym(RTLD_NEXT, "dl_iterate_phdr");
		if (f == NULL) {
			fmt_log("cannot find dl_iterate_phdr; aborting", NULL);
			abort();
		}
		__atomic_store_n(&real_iterate, f, __ATOMIC_RELAXED);
	}
	hooks_in_loader_callback++;
	int rc = f(cb, data);
	hooks_in_loader_callback--;
	return rc;
}

LK_EXPORT int
dlclose(void *handle)
{
	if (!ready() || real.dlclose == NULL)
		return -1;
	if (state_is(STATE_ACTIVE) && guard_enter()) {
		modules_refresh();      /* remember it before it goes */
		guard_leave();
	}
	return real.dlclose(handle);
}
