/*
 * malloc.c - the interposed malloc family: malloc, free, calloc, realloc,
 * reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc,
 * malloc_usable_size; and the probe that tells whether the program's
 * calls reach them at all.
 *
 * Every allocation that returns a block hands it to the tracker
 * (hook_track: track/track.c says what that costs). Every free takes the
 * block out *before* the real free, because once freed another thread may
 * get the same address back and insert it. Removal needs no guard: it
 * never allocates.
 *
 * Bootstrap: until real.c has found the real functions, allocations are
 * served from boot.c's static arena (dlsym may call calloc); free, realloc
 * and malloc_usable_size test boot_owns() first. errno is preserved across
 * our own work; the real function's errno is what the caller sees.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "interpose/boot.h"
#include "interpose/hook.h"
#include "interpose/real.h"
#include "life/start.h"

__thread int hook_probe_seen __attribute__((tls_model("initial-exec")));

bool
hook_start(void)
{
	/* acquire: pairs with start.c's release of the state. */
	if (atomic_load_explicit(&lk_state, memory_order_acquire) == STATE_BOOT) {
		int saved = errno;

		init_start();
		errno = saved;
	}
	return state_is(STATE_ACTIVE);
}

bool
hook_probe(void)
{
	void *(*m)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc");
	void (*f)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "free");
	int was = lk_busy;

	if (m == NULL || f == NULL)
		return true;
	hook_probe_seen = 0;
	lk_busy = GUARD_PROBE;
	void *p = m(1);
	lk_busy = was;
	f(p);
	return hook_probe_seen != 0;
}

LK_EXPORT void *
malloc(size_t n)
{
	if (!real_ready())
		return boot_alloc(n); /* dlsym() may land here while we resolve */
	void *p = real.malloc(n);
	p = hook_track(p, n);
	return p;
}

LK_EXPORT void
free(void *p)
{
	if (p == NULL || boot_owns(p))
		return; /* boot blocks are never reused */
	/* The real free reads and writes the chunk header below p (and
	 * tcache the first words of p): start that line's miss now, so it
	 * overlaps the address map's instead of following it. */
	__builtin_prefetch((const char *)p - 8, 1, 3);
	hook_untrack(p, NULL, NULL);
	/* relaxed: a thread that misses DUMPING frees before the dump reads:
	 * it untracked the block first, so the dump never sees it. */
	if (atomic_load_explicit(&lk_state, memory_order_relaxed) == STATE_DUMPING)
		return; /* the dump may be reading the table */
	if (real_ready())
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
	if (!real_ready() || real.calloc == NULL)
		return boot_alloc(n); /* static memory: already zero */
	void *p = real.calloc(nmemb, size);
	p = hook_track(p, n);
	return p;
}

/* realloc of a boot block: move it to the real heap. */
static void *
realloc_boot(void *p, size_t n)
{
	if (n == 0)
		return NULL; /* like glibc: realloc(p, 0) frees p */
	void *q = malloc(n);
	if (q != NULL) {
		size_t old = boot_size(p);

		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

/* Publishes [lo, lo + n) as this thread's moving block (track.h); the
 * fences keep the stores where they are for the stop handler. */
static inline void
moving(uintptr_t lo, size_t n)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	track_moving_lo = lo;
	track_moving_hi = lo + n;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* realloc with the old entry taken out first and put back if it fails.
 * Meanwhile the block is this thread's moving block (track.h): its first
 * words from before it leaves the map (only addresses: a scan reads them
 * where they are, through its readable ranges), then, once it is known to
 * be ours, all of it with its first words copied (free() inside realloc
 * writes over them), then the new block until it is in the map. Nothing
 * is read from p before the map says it is a live block. */
static void *
realloc_tracked(void *p, size_t n)
{
	uint64_t old_size = 0;
	stack_id_t old_stack = 0;

	if (p != NULL)
		moving((uintptr_t)p, sizeof(track_moving_words));
	bool had = p != NULL && hook_untrack(p, &old_size, &old_stack);

	if (had) {
		size_t keep = old_size < sizeof(track_moving_words) ? (size_t)old_size :
								      sizeof(track_moving_words);

		memset(track_moving_words, 0, sizeof(track_moving_words));
		memcpy(track_moving_words, p, keep);
		moving((uintptr_t)p, old_size);
	} else if (p != NULL) {
		moving(0, 0);
	}
	void *q = real.realloc(p, n);

	if (q != NULL) {
		if (had)
			moving((uintptr_t)q, n);
		q = hook_track(q, n);
	} else if (had && n != 0) {
		track_restore(p, old_size, old_stack); /* failed: p is still live */
	}
	if (had)
		moving(0, 0);
	return q;
}

LK_EXPORT void *
realloc(void *p, size_t n)
{
	if (!real_ready())
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
	if (!real_ready()) {
		if (align == 0 || (align & (align - 1)) != 0 || align % sizeof(void *) != 0)
			return EINVAL;
		*out = boot_alloc_aligned(align, n);
		return *out != NULL ? 0 : ENOMEM;
	}
	int rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		*out = hook_track(*out, n);
	return rc;
}

LK_EXPORT void *
aligned_alloc(size_t align, size_t n)
{
	if (!real_ready())
		return boot_alloc_aligned(align, n);
	void *p = real.aligned_alloc(align, n);
	p = hook_track(p, n);
	return p;
}

LK_EXPORT void *
memalign(size_t align, size_t n)
{
	if (!real_ready())
		return boot_alloc_aligned(align, n);
	void *p = real.memalign(align, n);
	p = hook_track(p, n);
	return p;
}

LK_EXPORT void *
valloc(size_t n)
{
	if (!real_ready())
		return boot_alloc_aligned(4096, n);
	void *p = real.valloc(n);
	p = hook_track(p, n);
	return p;
}

/* pvalloc rounds the size up to whole pages (0 to one page): the block is
 * that big, as malloc_usable_size says, so that is its size here too. */
LK_EXPORT void *
pvalloc(size_t n)
{
	size_t page = (size_t)getauxval(AT_PAGESZ);
	size_t size = n == 0 ? page : (n + page - 1) & ~(page - 1);

	if (!real_ready())
		return n > SIZE_MAX - page ? NULL : boot_alloc_aligned(4096, size);
	void *p = real.pvalloc(n);
	p = hook_track(p, size);
	return p;
}

LK_EXPORT size_t
malloc_usable_size(void *p)
{
	if (p != NULL && boot_owns(p))
		return boot_size(p);
	if (!real_ready())
		return 0;
	return real.malloc_usable_size(p);
}
