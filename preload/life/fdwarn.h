/*
 * fdwarn.h - the descriptor warnings, LEAK_WARN_FDS and
 * LEAK_WARN_FDS_PERCENT: one line each, once, naming the stack that opened
 * the most. See fdwarn.c.
 */
#ifndef LIBLEAK_FDWARN_H
#define LIBLEAK_FDWARN_H

#include <stdbool.h>
#include <stdint.h>

/* Whether a descriptor warning is asked for: the writer thread polls. */
bool fdwarn_wanted(void);

/* The threshold now: LEAK_WARN_FDS, or LEAK_WARN_FDS_PERCENT of the soft
 * RLIMIT_NOFILE (read each time: the program may raise it); the smaller
 * when both are set; 0 when none applies. */
uint64_t fdwarn_threshold(uint64_t fds, unsigned percent, uint64_t nofile);

/* Checks the open descriptors; prints the warning the first time the
 * threshold is passed. From the writer thread only. */
void fdwarn_check(void);

#endif /* LIBLEAK_FDWARN_H */
