/*
 * start.h - start-up (start.c): the first half from the first allocation,
 * the second from our constructor.
 */
#ifndef LIBLEAK_START_H
#define LIBLEAK_START_H

#include <stdbool.h>

/* The first half of start-up (start.c's header): called by the first
 * tracked allocation while the state is BOOT, and by our constructor.
 * Returns with the state ACTIVE or OFF. No lock, only system calls; waits
 * while another thread runs it. */
void init_start(void);

/* The second half, from our constructor after init_start(): stands aside
 * (one line, the state OFF) when another tool or allocator owns malloc,
 * reached() telling whether the program's calls reach our hooks (called
 * only when needed: it takes the loader's lock); else opens libunwind,
 * records the modules, lets the exit dump run, starts the snapshot
 * thread. True when tracking goes on. May allocate: the guard is held. */
bool init_late(bool (*reached)(void));

/* Registers the exit dump's handler through reg (the real __cxa_atexit),
 * once: from the process's first __cxa_atexit() call, so that it runs after
 * every other exit handler, and from our constructor. Does nothing when
 * called again. */
void init_exit_first(int (*reg)(void (*fn)(void *), void *arg, void *dso));

#endif /* LIBLEAK_START_H */
