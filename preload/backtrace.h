/*
 * backtrace.h - the allocating call stack, through libunwind.
 */
#ifndef LIBLEAK_BACKTRACE_H
#define LIBLEAK_BACKTRACE_H

#include <stdbool.h>
#include <stdint.h>

/* Opens libunwind privately and finds libleak's own code range. Call once,
 * after the real allocator is known and with the guard held (libunwind and
 * dlopen allocate). False, with one stderr line, when libunwind is missing:
 * blocks are then tracked without stacks. */
bool backtrace_init(void);

/* Fills pcs with up to max (<= 256) return addresses, innermost first,
 * starting at the code that called into libleak. Returns the count (0 when
 * unavailable). Runs on the caller's thread; libunwind may allocate, so the
 * caller holds the guard. */
unsigned backtrace_capture(uintptr_t *pcs, unsigned max);

/* Whether pc lies in libleak.so's own code. */
bool backtrace_is_self(uintptr_t pc);

#endif /* LIBLEAK_BACKTRACE_H */
