/*
 * backtrace.c - libunwind capture; drops our own frames by address range.
 *
 * libunwind is opened with dlopen(RTLD_LOCAL) rather than linked: a linked
 * libunwind.so sits in the global scope, where its exported backtrace() and
 * _Unwind_Backtrace could replace glibc's and libgcc_s's for the program
 * (for instance in a library the program dlopens later). RTLD_LOCAL keeps
 * every libunwind symbol out of the program's way; we reach the three we
 * need through dlsym on our private handle.
 *
 * unw_backtrace() is libunwind's fast trace (tdep_trace), which caches the
 * unwind recipe of each return address; the per-thread cache policy keeps
 * threads from sharing that cache's lock. Every pc it gives after the first
 * is a return address; the first few are libunwind's and ours and are
 * dropped: everything up to the last frame inside libleak.so's text.
 * Opening: backtrace_start() opens libunwind once, from our constructor or
 * from the first allocation before it (a library constructor that runs
 * before ours); a CAS elects the opener, and a thread that finds it busy
 * does not wait (the opener is inside dlopen, which takes the loader's
 * locks) but records a one-frame stack instead (hooks.c).
 * Concurrency: backtrace_capture() may run on any number of threads at once;
 * the globals below are written by the opener before it publishes OPEN
 * (release; backtrace_ready() reads it with acquire). libleak's own frames
 * are told by base/self.c's range of its text.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdatomic.h>
#include <stddef.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "track/backtrace.h"
#include "dumpfmt.h"
#include "base/fmt.h"
#include "base/self.h"

#define SELF_FRAMES_MAX 16
#define CHAIN_BUF       (DUMP_MAX_DEPTH + 2 * SELF_FRAMES_MAX)

static int (*unw_bt)(void **buf, int size);
static int (*unw_ctx)(unw_context_t *uc);
static int (*unw_init)(unw_cursor_t *c, unw_context_t *uc);
static int (*unw_stp)(unw_cursor_t *c);
static int (*unw_reg)(unw_cursor_t *c, int reg, unw_word_t *v);
static int (*unw_is_sig)(unw_cursor_t *c);
static void (*unw_flush)(unw_addr_space_t as, unw_word_t lo, unw_word_t hi);
static unw_addr_space_t unw_as; /* libunwind's local address space */
/* Set once code was unloaded: see backtrace_code_unloaded(). release by the
 * setter, acquire by trace(): a thread that calls into a library mapped
 * after the unload synchronised with its dlopen, so it sees the flag. */
static _Atomic bool code_unloaded;

enum {
	UNW_NONE,
	UNW_OPENING,
	UNW_OPEN,
	UNW_FAILED
};
static _Atomic int unw_state = UNW_NONE;

static bool
backtrace_init(void)
{
	void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fmt_log("cannot load libunwind.so.8; blocks are tracked without stacks", NULL);
		return false;
	}
	int (*set_policy)(unw_addr_space_t, unw_caching_policy_t) = (int (*)(unw_addr_space_t,
	    unw_caching_policy_t))dlsym(h, "_ULx86_64_set_caching_policy");
	unw_addr_space_t *as = dlsym(h, "_ULx86_64_local_addr_space");
	if (set_policy != NULL && as != NULL)
		set_policy(*as, UNW_CACHE_PER_THREAD);
	unw_flush =
	    (void (*)(unw_addr_space_t, unw_word_t, unw_word_t))dlsym(h, "_Ux86_64_flush_cache");
	unw_as = as != NULL ? *as : NULL;
	unw_bt = (int (*)(void **, int))dlsym(h, "unw_backtrace");
	unw_ctx = (int (*)(unw_context_t *))dlsym(h, "_Ux86_64_getcontext");
	unw_init = (int (*)(unw_cursor_t *, unw_context_t *))dlsym(h, "_ULx86_64_init_local");
	unw_stp = (int (*)(unw_cursor_t *))dlsym(h, "_ULx86_64_step");
	unw_reg = (int (*)(unw_cursor_t *, int, unw_word_t *))dlsym(h, "_ULx86_64_get_reg");
	unw_is_sig = (int (*)(unw_cursor_t *))dlsym(h, "_ULx86_64_is_signal_frame");
	if (unw_bt == NULL) {
		fmt_log("libunwind.so.8 has no unw_backtrace; blocks are tracked without stacks",
		    NULL);
		return false;
	}
	return true;
}

bool
backtrace_start(void)
{
	int expect = UNW_NONE;

	/* acq_rel: elects the opener; acquire pairs with the release below. */
	if (!atomic_compare_exchange_strong_explicit(&unw_state, &expect, UNW_OPENING,
		memory_order_acq_rel, memory_order_acquire))
		return expect == UNW_OPEN;
	bool ok = backtrace_init();

	/* release: pairs with the acquire in backtrace_ready(); whoever sees
	 * OPEN sees the function pointers. */
	atomic_store_explicit(&unw_state, ok ? UNW_OPEN : UNW_FAILED, memory_order_release);
	return ok;
}

bool
backtrace_ready(void)
{
	/* acquire: pairs with backtrace_start()'s release of OPEN. */
	return atomic_load_explicit(&unw_state, memory_order_acquire) == UNW_OPEN;
}

void
backtrace_code_unloaded(void)
{
	/* libunwind caches the unwind recipe of each address it walked; a
	 * library mapped where an unloaded one was needs its own. The flush
	 * bumps the generation that the cursor's caches check (no lock, no
	 * allocation; the .debug_frame list it also frees is only built on
	 * ARM). unw_backtrace()'s per-thread trace cache checks nothing and
	 * is never emptied (libunwind 1.6 and its git head): from now on
	 * every trace steps a cursor instead. */
	if (!backtrace_ready())
		return;
	atomic_store_explicit(&code_unloaded, true, memory_order_release);
	if (unw_flush != NULL && unw_as != NULL)
		unw_flush(unw_as, 0, 0);
}

/* unw_backtrace()'s answer, by stepping a cursor: the first pc is this
 * function's own (libleak's, as unw_backtrace's first are), then the
 * return addresses outward. Slower per frame than the trace cache, but
 * its caches follow the flush. */
static __attribute__((noinline)) int
cursor_trace(void **buf, int max)
{
	unw_context_t uc;
	unw_cursor_t cur;
	int n = 0;

	if (unw_ctx == NULL || unw_init == NULL || unw_stp == NULL || unw_reg == NULL ||
	    unw_ctx(&uc) != 0 || unw_init(&cur, &uc) != 0)
		return 0;
	do {
		unw_word_t pc;

		if (unw_reg(&cur, UNW_REG_IP, &pc) != 0 || pc == 0)
			break;
		buf[n++] = (void *)pc;
	} while (n < max && unw_stp(&cur) > 0);
	return n;
}

/* The return addresses of this thread's stack from here outward, with
 * libunwind's and libleak's first (see backtrace_capture). */
static inline int
trace(void **buf, int max)
{
	/* acquire: pairs with the release in backtrace_code_unloaded(). */
	if (__builtin_expect(atomic_load_explicit(&code_unloaded, memory_order_acquire), 0))
		return cursor_trace(buf, max);
	return unw_bt(buf, max);
}

unsigned
backtrace_capture(uintptr_t *pcs, unsigned max)
{
	if (unw_bt == NULL || max == 0)
		return 0;
	if (max > DUMP_MAX_DEPTH)
		max = DUMP_MAX_DEPTH;
	/* Sized by max, not by the most a dump allows: on the caller's
	 * stack, which may be a small thread's (track.c). */
	void *buf[max + SELF_FRAMES_MAX];
	int got = trace(buf, (int)max + SELF_FRAMES_MAX);
	int skip = 0;

	/* The first frame is inside libunwind itself, then come ours: skip to
	 * our first frame, then past the run of ours. (Ours may appear deeper
	 * too, as main's caller: those stay.) */
	while (skip < got && skip < SELF_FRAMES_MAX && !self_in_libleak((uintptr_t)buf[skip]))
		skip++;
	if (skip == got || skip == SELF_FRAMES_MAX)
		skip = 0; /* none of ours: keep everything */
	while (skip < got && self_in_libleak((uintptr_t)buf[skip]))
		skip++;
	unsigned n = 0;
	for (int i = skip; i < got && n < max; i++)
		if (!self_in_libleak((uintptr_t)buf[i]))
			pcs[n++] = (uintptr_t)buf[i]; /* ours again: main's caller */
	return n;
}

unsigned
backtrace_chain(uintptr_t slot0, uintptr_t *chain, unsigned max)
{
	uintptr_t v0 = *(const uintptr_t *)slot0;

	if (unw_bt == NULL || max == 0)
		return 0;
	if (max > CHAIN_BUF - SELF_FRAMES_MAX)
		max = CHAIN_BUF - SELF_FRAMES_MAX;
	void *buf[max + SELF_FRAMES_MAX]; /* as backtrace_capture()'s */
	int got = trace(buf, (int)max + SELF_FRAMES_MAX);
	int j = 0;

	/* libunwind's frames and ours come first; the chain starts at the
	 * return address that slot0 holds. */
	while (j < got && j < SELF_FRAMES_MAX && (uintptr_t)buf[j] != v0)
		j++;
	if (j == got || j == SELF_FRAMES_MAX)
		return 0;
	unsigned n = 0;
	for (int i = j; i < got && n < max; i++)
		chain[n++] = (uintptr_t)buf[i];
	return n;
}

unsigned
backtrace_user_frames(const uintptr_t *chain, unsigned n, uintptr_t *pcs, unsigned max)
{
	uintptr_t lo, hi;
	unsigned k = 0;

	self_libleak_text(&lo, &hi); /* once, not a call per frame */
	for (unsigned i = 0; i < n && k < max; i++)
		if (chain[i] - lo >= hi - lo) /* outside [lo, hi): not ours */
			pcs[k++] = chain[i];
	return k;
}

unsigned
backtrace_walk(uintptr_t slot0, uintptr_t *ip, uintptr_t *slot, unsigned max, uintptr_t *variable)
{
	unw_context_t uc;
	unw_cursor_t cur;
	unsigned n = 0;
	bool started = false;

	*variable = 0;
	if (unw_ctx == NULL || unw_init == NULL || unw_stp == NULL || unw_reg == NULL ||
	    unw_ctx(&uc) != 0 || unw_init(&cur, &uc) != 0)
		return 0;
	/* After a step, IP is the return address into the caller and SP the
	 * callee's canonical frame address, right above the slot that held it. */
	while (n < max && unw_stp(&cur) > 0) {
		unw_word_t pc, sp;

		if (unw_reg(&cur, UNW_REG_IP, &pc) != 0 || unw_reg(&cur, UNW_REG_SP, &sp) != 0)
			break;
		if (!started && sp - sizeof(uintptr_t) != slot0)
			continue;
		started = true;
		if (unw_is_sig == NULL || unw_is_sig(&cur) > 0) {
			/* A signal frame: what lies beyond is not at a fixed
			 * distance (another stack, even). The walk stops, and
			 * the return address before it is variable. */
			if (n > 0)
				*variable = ip[n - 1];
			break;
		}
		ip[n] = pc;
		slot[n] = sp - sizeof(uintptr_t);
		n++;
	}
	return n;
}
