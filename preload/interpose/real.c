/*
 * real.c - every dlsym(RTLD_NEXT) lookup: the real allocator functions at
 * start-up (real_resolve), and, for the other hooks, real_next().
 *
 * Bootstrap: the first allocation (often ld.so's, before any constructor)
 * resolves the table. dlsym() may call calloc while it runs: a CAS elects
 * one resolver, and every call meanwhile (that thread's nested ones and
 * other threads') is served from boot.c's static arena. The table is
 * published by the release store of real.malloc, last.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fmt.h"
#include "interpose/real.h"

struct real_fns real;
static _Atomic int resolving; /* 1 while real_resolve() runs */

bool
real_resolve(void)
{
	int expect = 0;

	if (real.malloc != NULL)
		return true;
	/* acq_rel: one resolver; the others use the boot arena meanwhile. */
	if (!atomic_compare_exchange_strong_explicit(&resolving, &expect, 1, memory_order_acq_rel,
		memory_order_acquire))
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
	 * release: pairs with the acquire load in real_ready(). */
	__atomic_store_n(&real.malloc, m, __ATOMIC_RELEASE);
	return true;
}

void *
real_next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fmt_log("cannot find ", name, " after libleak.so; aborting", NULL);
		abort();
	}
	return f;
}
