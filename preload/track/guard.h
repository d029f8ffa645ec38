/*
 * guard.h - per-thread reentrancy guard.
 *
 * Set while this thread runs libleak code: an allocation made meanwhile (by
 * libunwind, by libc on our behalf, by the dump writer) goes to the real
 * allocator untracked instead of recursing. initial-exec TLS is valid for a
 * library loaded at startup (LD_PRELOAD) and avoids __tls_get_addr, which
 * may allocate.
 */
#ifndef LIBLEAK_GUARD_H
#define LIBLEAK_GUARD_H

#include <stdbool.h>

extern __thread int lk_busy __attribute__((tls_model("initial-exec")));

/* Enters libleak code; false when this thread is already inside it. */
static inline bool
guard_enter(void)
{
	if (lk_busy)
		return false; /* nested: let the call through untracked */
	lk_busy = 1;
	return true;
}

static inline void
guard_leave(void)
{
	lk_busy = 0;
}

#endif /* LIBLEAK_GUARD_H */
