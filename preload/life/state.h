/*
 * state.h - the tracker's life cycle and the objects hooks.c feeds.
 *
 * lk_state moves BOOT -> ACTIVE -> DUMPING -> DONE, each step once, or
 * BOOT -> OFF (this process is not tracked: LEAK_ONLY, or another tool owns
 * malloc), or ACTIVE -> OFF when our constructor finds our hooks bypassed.
 * A fork child starts again from the parent's state. ACTIVE is published
 * with a release store after table, stacks and config are ready; hooks read
 * it with acquire, so whoever sees ACTIVE sees them initialised.
 */
#ifndef LIBLEAK_STATE_H
#define LIBLEAK_STATE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "track/stacks.h"
#include "track/addrmap.h"

enum lk_state {
	STATE_BOOT,             /* real functions may be unknown; nothing tracked */
	STATE_ACTIVE,           /* every allocation is tracked */
	STATE_DUMPING,          /* the exit dump runs; free() does not free */
	STATE_DONE,             /* dump written; calls pass straight through */
	STATE_OFF,              /* not tracking this process; calls pass through */
};

extern _Atomic int lk_state;
extern struct addrmap *lk_blocks;
extern struct stacks *lk_stacks;
extern stack_id_t lk_internal_stack;    /* the stack of internal blocks; 0 before start */
extern char lk_start_cwd[];             /* cwd at start-up; "" if unknown */

static inline bool
state_is(int s)
{
	/* acquire: pairs with the release store of ACTIVE in init.c. */
	return atomic_load_explicit(&lk_state, memory_order_acquire) == s;
}

/* The first half of start-up (init.c's header): called by the first
 * tracked allocation while the state is BOOT, and by our constructor.
 * Returns with the state ACTIVE or OFF. No lock, only system calls; waits
 * while another thread runs it. */
void init_start(void);

/* The exit dump, once per process; hooks.c calls it from _exit(). */
void init_final_dump(void);

#endif /* LIBLEAK_STATE_H */
