/*
 * real.h - every dlsym(RTLD_NEXT) lookup of libleak: the allocator table
 * (base/real.h) and the other functions the hooks forward to.
 */
#ifndef LIBLEAK_INTERPOSE_REAL_H
#define LIBLEAK_INTERPOSE_REAL_H

#include <stdbool.h>

#include "base/real.h"

/* Fills `real` (base/real.h). True once it is filled; false while another
 * thread is filling it (the caller then uses the boot arena). dlsym may
 * call calloc meanwhile (interpose/boot.c serves it). Aborts, with one
 * line, when libc has no malloc. */
bool real_resolve(void);

/* Whether `real` is filled, filling it first if nobody is. */
static inline bool
real_ready(void)
{
	/* acquire: pairs with the release store of real.malloc in
	 * real_resolve(); the other pointers are set when malloc is. */
	return __atomic_load_n(&real.malloc, __ATOMIC_ACQUIRE) != NULL || real_resolve();
}

/* The next definition of `name` after libleak.so, looked up once per call
 * site's cache (the caller keeps it); aborts with one line when there is
 * none: a hook cannot do its job without it. */
void *real_next(const char *name);

/* Declares real_<fn>, the next definition of fn after libleak.so, looked up
 * on first use into the hook's own static pointer (relaxed: a code address
 * every thread computes the same). fn must be declared before. */
#define REAL_NEXT(fn)                                              \
	static __typeof__(fn) *real_##fn;                          \
	if (__atomic_load_n(&real_##fn, __ATOMIC_RELAXED) == NULL) \
	__atomic_store_n(&real_##fn, (__typeof__(fn) *)real_next(#fn), __ATOMIC_RELAXED)

#endif /* LIBLEAK_INTERPOSE_REAL_H */
