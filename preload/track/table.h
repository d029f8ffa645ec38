/*
 * table.h - live heap blocks keyed by address: lock-free, growing, mmap'd.
 */
#ifndef LIBLEAK_TABLE_H
#define LIBLEAK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t stack_id_t;

#define TABLE_MAX_SIZE  (((uint64_t)1 << 40) - 1) /* larger sizes are clamped */
#define TABLE_MAX_STACK (((uint32_t)1 << 24) - 1) /* larger ids are stored as 0 */

struct table;

/* A new table with room for about `cap` blocks before it first grows, or
 * NULL when mmap fails. */
struct table *table_new(size_t cap);

/* Records a live block. addr must be 8-aligned, non-zero and not already in
 * the table. False only when memory for the table cannot be mapped: the
 * block is then not tracked. Lock-free; never allocates from malloc. */
bool table_insert(struct table *t, uintptr_t addr, uint64_t size, stack_id_t stack);

/* Removes addr and returns its size and stack through the out pointers
 * (either may be NULL). False when addr is not in the table. Never
 * allocates, never maps memory. May wait while this one slot is moved. */
bool table_remove(struct table *t, uintptr_t addr, uint64_t *size, stack_id_t *stack);

bool table_contains(struct table *t, uintptr_t addr);

typedef void (*table_visit_fn)(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack);

/* Calls fn for every live block. Blocks inserted or removed meanwhile may
 * or may not be visited; a block in mid-move between generations (its
 * mover may be a thread stopped there) is visited, maybe twice: once in
 * transit, once in the newest generation. The caller drops the repeat. */
void table_foreach(struct table *t, table_visit_fn fn, void *ctx);

/* Finishes every pending move to the newest generation. */
void table_settle(struct table *t);

/* In a fork child (one thread): resolves slots that threads of the parent
 * left half-written, so the child's table is consistent. Returns the
 * number of blocks lost that way. */
size_t table_after_fork(struct table *t);

/* Bytes of slot memory currently mapped and not discarded. */
size_t table_footprint(struct table *t);

/* Unmaps everything; for tests only (the preload never frees its table). */
void table_free(struct table *t);

#endif /* LIBLEAK_TABLE_H */
