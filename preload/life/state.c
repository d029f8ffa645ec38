/*
 * state.c - the tracker's life-cycle state and the facts of the process
 * it belongs to (state.h).
 */
#include <limits.h>

#include "life/state.h"

_Atomic int lk_state = STATE_BOOT;
char lk_start_cwd[PATH_MAX]; /* relative LEAK_OUTPUT is relative to this */
pid_t lk_pid;                /* the process these structures belong to */
