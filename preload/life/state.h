/*
 * state.h - the tracker's life cycle, and the process it belongs to.
 *
 * lk_state moves BOOT -> ACTIVE -> DUMPING -> DONE, each step once, or
 * BOOT -> OFF (this process is not tracked: LEAK_ONLY, or another tool owns
 * malloc), or ACTIVE -> OFF when our constructor finds our hooks bypassed.
 * A fork child starts again from the parent's state. ACTIVE is published
 * with a release store after the tracker and config are ready; hooks read
 * it with acquire, so whoever sees ACTIVE sees them initialised.
 */
#ifndef LIBLEAK_STATE_H
#define LIBLEAK_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

enum lk_state {
	STATE_BOOT,    /* real functions may be unknown; nothing tracked */
	STATE_ACTIVE,  /* every allocation is tracked */
	STATE_DUMPING, /* the exit dump runs; free() does not free */
	STATE_DONE,    /* dump written; calls pass straight through */
	STATE_OFF,     /* not tracking this process; calls pass through */
};

extern _Atomic int lk_state;
extern char lk_start_cwd[]; /* cwd at start-up; "" if unknown */
extern pid_t lk_pid;        /* the process the tracker belongs to (a vfork
			     * child shares it, a fork child has its own) */

static inline bool
state_is(int s)
{
	/* acquire: pairs with the release stores in start.c (publish). */
	return atomic_load_explicit(&lk_state, memory_order_acquire) == s;
}

#endif /* LIBLEAK_STATE_H */
