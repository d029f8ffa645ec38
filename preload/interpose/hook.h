/*
 * hook.h - what every hook of interpose/ does around the real function:
 * hand a new block to the tracker, take a freed one out of it. Included by
 * interpose/ only.
 */
#ifndef LIBLEAK_HOOK_H
#define LIBLEAK_HOOK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "life/state.h"
#include "track/guard.h"
#include "track/track.h"

#define LK_EXPORT __attribute__((visibility("default")))

#define GUARD_PROBE 2 /* lk_busy while hook_probe() calls malloc */

extern __thread int hook_probe_seen __attribute__((tls_model("initial-exec")));

/* Not ACTIVE yet: the first allocation starts tracking (life/start.c).
 * True when the state is now ACTIVE. */
bool hook_start(void);

/*
 * Hands block p of n bytes to the tracker and returns p, for the hook to
 * return. Always inlined into the exported hook, so that
 * __builtin_frame_address(0) is the hook's frame: the return address into
 * the hook's caller sits right above its saved frame pointer, and that
 * slot (slot0) starts the chain the stack cache checks. A block allocated
 * while this thread runs libleak's own code is libc's, for us: internal
 * (track.h). None inside a map operation (a signal handler's malloc).
 *
 * The block's address goes to the tracker in a thread-local word, not as
 * an argument, and comes back from it: so no register holds it while the
 * tracker runs, and no callee of ours saves it in a frame of its own. A
 * copy left below the stack pointer would still be there when the
 * program's later frames grow over it, and the exit scan would take it
 * for the program's pointer (a lost block "held by the thread's stack").
 * The word is stored and read back through volatile: the library is built
 * with link-time optimisation, which inlines track_alloc() here (track/
 * hot.h), and the compiler would otherwise keep p in a register across it.
 */
static inline __attribute__((always_inline)) void *
hook_track(void *p, size_t n)
{
	if (p == NULL || track_in_map)
		return p;
	if (lk_busy) {
		if (lk_busy == GUARD_PROBE)
			hook_probe_seen = 1; /* hook_probe() called through us */
		else if (state_is(STATE_ACTIVE))
			track_internal(p, n);
		return p;
	}
	if (!state_is(STATE_ACTIVE) && !hook_start())
		return p;
	/* The guard first: a signal handler's malloc from here on is internal
	 * and leaves track_pending alone. The signal fences keep the compiler
	 * from moving the stores across each other (a handler on this thread
	 * is the only other reader). */
	lk_busy = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	*(void *volatile *)&track_pending = p;
	track_alloc(n, (uintptr_t)__builtin_frame_address(0) + sizeof(void *));
	p = *(void *volatile *)&track_pending;
	track_pending = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	lk_busy = 0;
	return p;
}

/* Forgets p, before the real free: true when it was a tracked block. */
static inline bool
hook_untrack(void *p, uint64_t *size, stack_id_t *stack)
{
	/* acquire: pairs with start.c's release of ACTIVE; the map is set up. */
	int st = atomic_load_explicit(&lk_state, memory_order_acquire);

	if (st == STATE_BOOT || st == STATE_OFF)
		return false;
	return track_free(p, size, stack);
}

/* Whether the program's calls to malloc reach our hook: calls the malloc a
 * global lookup finds (the executable's PLT entry, an earlier preload's)
 * and sees whether hook_track() ran. Takes the loader's lock (dlsym): from
 * our constructor only. */
bool hook_probe(void);

#endif /* LIBLEAK_HOOK_H */
