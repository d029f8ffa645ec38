/*
 * cxx.c - the interposed C++ operators new and delete, every form (plain,
 * nothrow, aligned, sized).
 *
 * new is our malloc (or aligned_alloc) plus tracking; only when that fails
 * do we call libstdc++'s own operator, which runs the new-handler loop and
 * throws std::bad_alloc exactly as without us. delete is our free.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>

#include "interpose/boot.h"
#include "interpose/hook.h"
#include "interpose/real.h"

typedef void *(*new_fn)(size_t);
typedef void *(*new_nt_fn)(size_t, const void *);
typedef void *(*new_al_fn)(size_t, size_t);
typedef void *(*new_al_nt_fn)(size_t, size_t, const void *);

/* libstdc++'s own operator, looked up on first failure only. */
static void *
cxx_real(const char *name)
{
	return real_next(name);
}

static inline void *
new_plain(size_t n, const char *name)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p != NULL)
		return p;
	return ((new_fn)cxx_real(name))(n); /* new-handler loop, bad_alloc */
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
	if (!real_ready())
		return boot_alloc_aligned(al, sz);
	void *p = real.aligned_alloc(al, sz);
	p = hook_track(p, n);
	return p;
}

LK_EXPORT void *
_Znwm(size_t n)
{
	return new_plain(n, "_Znwm");
}
LK_EXPORT void *
_Znam(size_t n)
{
	return new_plain(n, "_Znam");
}
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

LK_EXPORT void
_ZdlPv(void *p)
{
	free(p);
}
LK_EXPORT void
_ZdaPv(void *p)
{
	free(p);
}
LK_EXPORT void
_ZdlPvm(void *p, size_t n)
{
	(void)n;
	free(p);
}
LK_EXPORT void
_ZdaPvm(void *p, size_t n)
{
	(void)n;
	free(p);
}
LK_EXPORT void
_ZdlPvRKSt9nothrow_t(void *p, const void *t)
{
	(void)t;
	free(p);
}
LK_EXPORT void
_ZdaPvRKSt9nothrow_t(void *p, const void *t)
{
	(void)t;
	free(p);
}
LK_EXPORT void
_ZdlPvSt11align_val_t(void *p, size_t al)
{
	(void)al;
	free(p);
}
LK_EXPORT void
_ZdaPvSt11align_val_t(void *p, size_t al)
{
	(void)al;
	free(p);
}
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
