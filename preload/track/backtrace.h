/*
 * backtrace.h - the allocating call stack, through libunwind.
 */
#ifndef LIBLEAK_BACKTRACE_H
#define LIBLEAK_BACKTRACE_H

#include <stdbool.h>
#include <stdint.h>

/* Opens libunwind privately, once: the
 * first call does it (with the guard held: dlopen allocates), a call while
 * another thread does it returns false at once without waiting, later ones
 * return the outcome. False, with one stderr line, when libunwind is
 * missing: blocks are then tracked with one-frame stacks. Takes the
 * loader's locks: never from an allocation the loader itself makes. */
bool backtrace_start(void);

/* Whether backtrace_start() has opened libunwind. Lock-free, any thread. */
bool backtrace_ready(void);

/* Code was unloaded (dlclose): libunwind forgets the unwind recipes it
 * cached, which may be another library's now. */
void backtrace_code_unloaded(void);

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

/* A full libunwind cursor walk from here: the return address (ip) and the
 * stack slot that held it (slot) of every frame from slot0 outward, up to
 * max. Stops at a signal frame, whose caller's return address goes to
 * *variable (else 0: what lies past a signal frame is at no fixed
 * distance). Slow (microseconds): the stack cache asks for it for return
 * addresses it does not trust yet. Returns the count (0 if it could not
 * walk). The caller holds the guard. */
unsigned backtrace_walk(uintptr_t slot0, uintptr_t *ip, uintptr_t *slot, unsigned max,
    uintptr_t *variable);

#endif /* LIBLEAK_BACKTRACE_H */
