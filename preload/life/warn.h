/*
 * warn.h - the live-heap warnings, LEAK_WARN_BYTES and LEAK_WARN_PERCENT:
 * one line each, once, naming the stack that holds the most.
 */
#ifndef LIBLEAK_WARN_H
#define LIBLEAK_WARN_H

#include <stdbool.h>

#include "base/fmt.h"
#include "track/stacks.h"

/* Reads the process's memory limit for LEAK_WARN_PERCENT (one line when
 * there is none). From the constructor. */
void warn_init(void);

/* Whether a warning is asked for and can fire: the writer thread polls. */
bool warn_wanted(void);

/* Checks the live figures; prints each warning the first time its
 * threshold is passed. From the writer thread only (it reads the map and
 * the depot while the program runs, and may allocate under the guard). */
void warn_check(void);

/* Appends stack id's first frames to f (" name (module) <- module+0x1a0"),
 * through dladdr. From the writer thread (the loader's lock). */
void warn_put_stack(struct fmtbuf *f, stack_id_t id);

#endif /* LIBLEAK_WARN_H */
