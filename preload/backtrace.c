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
 * Concurrency: backtrace_capture() may run on any number of threads at once;
 * the globals below are written once by backtrace_init() before the state
 * becomes ACTIVE (init.c publishes that with a release store).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "backtrace.h"
#include "dumpfmt.h"
#include "fmt.h"

#define SELF_FRAMES_MAX 16

static int (*unw_bt)(void **buf, int size);
static uintptr_t self_lo, self_hi;      /* libleak.so's text, [lo, hi) */

static int
find_self(struct dl_phdr_info *info, size_t size, void *ctx)
{
	uintptr_t probe = (uintptr_t)ctx;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && probe >= lo &&
		    probe < lo + ph->p_memsz) {
			self_lo = lo;
			self_hi = lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

bool
backtrace_init(void)
{
	dl_iterate_phdr(find_self, (void *)(uintptr_t)&backtrace_init);

	void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fmt_log("cannot load libunwind.so.8; blocks are tracked without stacks", NULL);
		return false;
	}
	int (*set_policy)(unw_addr_space_t, unw_caching_policy_t) =
	    (int (*)(unw_addr_space_t, unw_caching_policy_t))dlsym(h, "_ULx86_64_set_caching_policy");
	unw_addr_space_t *as = dlsym(h, "_ULx86_64_local_addr_space");
	if (set_policy != NULL && as != NULL)
		set_policy(*as, UNW_CACHE_PER_THREAD);
	unw_bt = (int (*)(void **, int))dlsym(h, "unw_backtrace");
	if (unw_bt == NULL) {
		fmt_log("libunwind.so.8 has no unw_backtrace; blocks are tracked without stacks", NULL);
		return false;
	}
	return true;
}

bool
backtrace_is_self(uintptr_t pc)
{
	return pc >= self_lo && pc < self_hi;
}

unsigned
backtrace_capture(uintptr_t *pcs, unsigned max)
{
	void *buf[DUMP_MAX_DEPTH + SELF_FRAMES_MAX];

	if (unw_bt == NULL)
		return 0;
	if (max > DUMP_MAX_DEPTH)
		max = DUMP_MAX_DEPTH;
	int got = unw_bt(buf, (int)max + SELF_FRAMES_MAX);
	int skip = 0;

	/* The first frame is inside libunwind itself, then come ours: skip to
	 * our first frame, then past the run of ours. (Ours may appear deeper
	 * too, as main's caller: those stay.) */
	while (skip < got && skip < SELF_FRAMES_MAX && !backtrace_is_self((uintptr_t)buf[skip]))
		skip++;
	if (skip == got || skip == SELF_FRAMES_MAX)
		skip = 0;       /* none of ours: keep everything */
	while (skip < got && backtrace_is_self((uintptr_t)buf[skip]))
		skip++;
	unsigned n = 0;
	for (int i = skip; i < got && n < max; i++)
		if (!backtrace_is_self((uintptr_t)buf[i]))
			pcs[n++] = (uintptr_t)buf[i];   /* ours again: main's caller */
	return n;
}
