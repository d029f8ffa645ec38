/*
 * stackcache.h - per-thread cache of recent stacks, checked slot by slot.
 */
#ifndef LIBLEAK_STACKCACHE_H
#define LIBLEAK_STACKCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "track/table.h"

/* Maps the global offset table. False if it cannot: then nothing is cached. */
bool stackcache_init(void);

/* If the chain of return addresses starting at slot0 (the slot holding the
 * return address into the hook's caller) is one this thread cached and
 * every slot still holds its value, its stack id. No allocation, no lock. */
bool stackcache_lookup(uintptr_t slot0, stack_id_t *id);

/* Code was unloaded (dlclose): what was learned about return addresses
 * (rules, distances, the chains and memos built on them) is forgotten, in
 * the offset table now and in each thread's cache at its next lookup or
 * walk: a library mapped there later has frames of its own. */
void stackcache_code_unloaded(void);

/* Caches the chain ips[0..n) (ips[0] is the value at slot0) with its id,
 * when the distance after every return address is trusted. True when a
 * distance is not known yet, or proved wrong: the caller should then walk
 * the stack with libunwind (backtrace_walk) and report what it saw
 * (stackcache_observe), so that a later call can cache the chain. May
 * allocate (once per thread, for its stack bounds): the guard is held. */
bool stackcache_store(uintptr_t slot0, const uintptr_t *ips, unsigned n, stack_id_t id);

/* A ground-truth walk's (return address, slot) pairs, outermost last. */
void stackcache_observe(const uintptr_t *ip, const uintptr_t *slot, unsigned n);

/* The frame after return address ip is not at a fixed distance (a signal
 * frame follows): never trust a distance for it. */
void stackcache_observe_variable(uintptr_t ip);

/* The return addresses from slot0 outward, as far as the learned distances
 * reach (at least the first), into pcs (at most max): the part of the stack
 * a full unwind would find, without libunwind and without any lock. For
 * allocations made while the loader may hold its locks. Returns the count;
 * 0 when no per-thread cache can be had. */
unsigned stackcache_walk(uintptr_t slot0, uintptr_t *pcs, unsigned max);

/* Frames of libleak's own a walk may pass besides the ones it counts. */
#define UNWIND_OWN_MAX 16

/* The return addresses from slot0 outward into chain (and the slot each
 * was read from into slots, both max + UNWIND_OWN_MAX long), by the CFI
 * rules of their call sites alone (cfi.c, asked once per return address):
 * what libunwind's trace would give, when every frame on the way has the
 * rule CFA = RSP + k. The walk stops after max frames outside [own_lo,
 * own_hi) (libleak's text: walked, not counted), or at the outermost frame.
 * Returns the count; 0 when a frame has any other rule (frame pointers, a
 * signal frame, code without CFI): then unwind with libunwind. A thread
 * that walks often gets a memo of its walked chains (stackmemo.c): when
 * the first MEMO_KEY_FRAMES frames name a chain of it that the stack
 * still holds, *known is its stack id and the walk stops there; else
 * *known is 0. No allocation (but the memo's mapping), no lock, no
 * libunwind; not while the loader may be changing its object list (ld.so's
 * allocations, dl_iterate_phdr callbacks). */
unsigned stackcache_unwind(uintptr_t slot0, uintptr_t *chain, uintptr_t *slots, unsigned max,
    uintptr_t own_lo, uintptr_t own_hi, stack_id_t *known);

/* Caches the chain the last stackcache_unwind() on this thread walked
 * (ips[k] read at slots[k], n of them, *known 0) with its stack id: no
 * distance to check, every slot was just read by the CFI rules. pcs: the
 * depot's np frames of id, for the memo (NULL: not memoized). */
void stackcache_store_walked(const uintptr_t *slots, const uintptr_t *ips, unsigned n,
    stack_id_t id, const uintptr_t *pcs, unsigned np);

#endif /* LIBLEAK_STACKCACHE_H */
