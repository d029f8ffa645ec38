/*
 * stacks.h - the stack depot: each distinct backtrace stored once, by id.
 */
#ifndef LIBLEAK_STACKS_H
#define LIBLEAK_STACKS_H

#include <stdint.h>

#include "track/table.h"

struct stacks;

/* A new, empty depot, or NULL when mmap fails. */
struct stacks *stacks_new(void);

/* Returns the id of the stack pcs[0..n) (1 <= n <= 256), storing it on
 * first sight. Ids start at 1 and are dense, except that a lost race may
 * skip one. 0 when n is 0 or memory ran out. Lock-free, no malloc. */
stack_id_t stacks_intern(struct stacks *d, const uintptr_t *pcs, unsigned n);

/* The frames of id, or NULL if no such id. */
const uintptr_t *stacks_get(struct stacks *d, stack_id_t id, unsigned *n);

/* One more than the largest id handed out so far. */
stack_id_t stacks_limit(struct stacks *d);

#endif /* LIBLEAK_STACKS_H */
