/*
 * addrmap.h - live heap blocks indexed by address: a direct map in front
 * of table.c's hash table.
 */
#ifndef LIBLEAK_ADDRMAP_H
#define LIBLEAK_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "track/table.h"

struct addrmap;

/* A new, empty map, or NULL when mmap fails. */
struct addrmap *addrmap_new(void);

/* Records a live block. addr must be non-zero and not already recorded.
 * False only when no memory can be mapped for it: the block is then not
 * tracked. Lock-free; never calls malloc. */
bool addrmap_insert(struct addrmap *m, uintptr_t addr, uint64_t size, stack_id_t stack);

/* Forgets addr, returning its size and stack through the out pointers
 * (either may be NULL). False when addr is not recorded. Never allocates,
 * never maps memory. */
bool addrmap_remove(struct addrmap *m, uintptr_t addr, uint64_t *size, stack_id_t *stack);

bool addrmap_contains(struct addrmap *m, uintptr_t addr);

/* Calls fn for every live block, direct-mapped ones in address order
 * first. Blocks inserted or removed meanwhile may or may not be visited; a
 * spilled block in mid-move may be visited twice (table_foreach): the scan
 * drops the repeat after sorting. */
void addrmap_foreach(struct addrmap *m, table_visit_fn fn, void *ctx);

/* addrmap_foreach(), giving the direct map's pages back to the kernel as
 * it goes (4 MB of map at a time, once visited): its blocks are forgotten
 * (a remove no longer finds them; the spill table's stay). For the exit
 * dump's scan, which copies every block out while nothing can insert one:
 * with 2M small blocks live the map is 20 MB, which the copy would
 * otherwise be made on top of. */
void addrmap_foreach_release(struct addrmap *m, table_visit_fn fn, void *ctx);

/* Finishes the spill table's pending moves (table_settle). */
void addrmap_settle(struct addrmap *m);

/* In a fork child: table_after_fork() on the spill table; returns the
 * number of blocks lost. */
size_t addrmap_after_fork(struct addrmap *m);

/* Bytes of map and table memory resident now. */
size_t addrmap_footprint(struct addrmap *m);

/* Blocks that went to the spill table instead of the direct map. */
uint64_t addrmap_spilled(struct addrmap *m);

#endif /* LIBLEAK_ADDRMAP_H */
