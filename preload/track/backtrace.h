/*
 * backtrace.h - the allocating call stack, through libunwind.
 */
#ifndef LIBLEAK_BACKTRACE_H
#define LIBLEAK_BACKTRACE_H

#include <stdbool.h>
#include <stdint.h>

/* Opens libunwind privately and finds libleak's own code range, once: the
 * first call does it (with the guard held: dlopen allocates), a call while
 * another thread does it returns false at once without waiting, later ones
 * return the outcome. False, with one stderr line, when libunwind is
 * missing: blocks are then tracked with one-frame stacks. Takes the
 * loader's locks: never from an allocation the loader itself makes. */
bool backtrace_start(void);

/* Whether backtrace_start() has opened libunwind. Lock-free, any thread. */
bool backtrace_ready(void);

/* Fills pcs with up to max (<= 256) return addresses, innermost first,
 * starting at the code that called into libleak. Returns the count (0 when
 * unavailable). Runs on the caller's thread; libunwind may allocate, so the
 * caller holds the guard. */
unsigned backtrace_capture(uintptr_t *pcs, unsigned max);

/* The return addresses from the one slot0 holds outward (up to max), as
 * the fast trace finds them; 0 when slot0's value is not among the first
 * frames. The caller holds the guard. */
unsigned backtrace_chain(uintptr_t slot0, uintptr_t *chain, unsigned max);

/* chain[0..n) less libleak's own frames, at most max of them, into pcs. */
unsigned backtrace_user_frames(const uintptr_t *chain, unsigned n, uintptr_t *pcs, unsigned max);

/* A full libunwind cursor walk from here, telling stackcache.c the slot of
 * every return address from slot0 outward. Slow (microseconds); the cache
 * calls it for return addresses it does not trust yet. Returns one past
 * the outermost slot it saw (0 if it could not walk). */
uintptr_t backtrace_learn_offsets(uintptr_t slot0);

/* Whether pc lies in libleak.so's own code. */
bool backtrace_is_self(uintptr_t pc);

#endif /* LIBLEAK_BACKTRACE_H */
