/*
 * ignore.h - blocks the program asked never to be reported: allocated
 * inside a leak_disable() scope, or named by leak_ignore().
 */
#ifndef LIBLEAK_IGNORE_H
#define LIBLEAK_IGNORE_H

#include <stdbool.h>
#include <stdint.h>

#include "track/stacks.h"

/* The last frame of an ignored block's stack: no return address is 1.
 * An ignored block's stack is its allocation stack with this appended
 * (its last frame replaced when it is DUMP_MAX_DEPTH long), so it has a
 * stack id of its own, and the scan and the dump tell it from the stack
 * alone. */
#define IGNORE_TAG ((uintptr_t)1)

/* leak_disable() scopes the calling thread is in (initial-exec TLS). */
extern __thread int ignore_depth __attribute__((tls_model("initial-exec")));

/* Whether pcs[0..n) is an ignored block's stack. */
static inline bool
ignore_is_tagged(const uintptr_t *pcs, unsigned n)
{
	return pcs != NULL && n > 0 && pcs[n - 1] == IGNORE_TAG;
}

/* The id of id's ignored twin (interned on first use); id itself when it
 * is tagged already, or when memory runs out. Lock-free, no malloc. */
stack_id_t ignore_stack(struct stacks *d, stack_id_t id);

/* The frames of stack id without the tag: what the dump writes. */
const uintptr_t *ignore_frames(struct stacks *d, stack_id_t id, unsigned *n);

#endif /* LIBLEAK_IGNORE_H */
