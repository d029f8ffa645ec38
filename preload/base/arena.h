/*
 * arena.h - mmap-backed memory for all of libleak's own state.
 */
#ifndef LIBLEAK_ARENA_H
#define LIBLEAK_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Maps `bytes` (rounded up to pages) of zeroed memory, or NULL when mmap
 * fails or the LEAK_FAULT_MMAP test knob says so. Lock-free, never calls
 * malloc, async-signal-safe. */
void *arena_map(size_t bytes);

/* Reserves `bytes` (rounded up to pages) of address space that reads as
 * zero and costs memory only where it is written: MAP_NORESERVE, small
 * pages. For sparse structures such as addrmap.c's leaves. NULL when mmap
 * fails or the LEAK_FAULT_MMAP knob says so. Like arena_map() otherwise. */
void *arena_reserve(size_t bytes);

/* Gives the pages of [p, p+bytes) back to the kernel; the range stays
 * mapped and reads as zeroes afterwards. */
void arena_discard(void *p, size_t bytes);

/* Bump allocation of `bytes` (rounded to 16) from shared chunks; NULL when
 * mmap fails. Never freed. Lock-free. */
void *arena_alloc(size_t bytes);

/* Unmaps a mapping that arena_map() returned (a lost race); for the
 * rare case where memory really goes back. */
void arena_unmap(void *p, size_t bytes);

/* Calls fn for each mapping arena_map() made that is still mapped, and
 * for the registry itself: the memory the exit scan must not take as roots. */
void arena_foreach_map(void (*fn)(void *ctx, uintptr_t lo, uintptr_t hi), void *ctx);

/* Reads RLIMIT_AS once, at start-up: under a limit, reservations are
 * refused and maps stop where the program would run short (arena.c). */
void arena_limit_init(void);

/* Ends that budget: the exit dump may use what is left. */
void arena_lift_budget(void);

/* Makes arena_map() fail once `n` more maps have succeeded; -1 disables. */
void arena_set_fault(long n);

#endif /* LIBLEAK_ARENA_H */
