/*
 * reshook.h - what the resource hooks (fd.c, stdio.c, thread.c) do around
 * the real call: the stack of the program's call, a new descriptor into
 * the table (the real function: REAL_NEXT, interpose/real.h). Included by
 * interpose/ only.
 */
#ifndef LIBLEAK_RESHOOK_H
#define LIBLEAK_RESHOOK_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "interpose/hook.h"
#include "interpose/real.h"
#include "track/resources.h"

/* Set while a stdio hook (fopen, popen, ...) runs the real function: a
 * descriptor call it makes through our hooks is its own, and the stdio
 * hook records the descriptor under its own name. */
extern __thread int reshook_in_stdio __attribute__((tls_model("initial-exec")));

/* Whether a resource made now is the program's and is to be recorded:
 * tracking is on, and this thread is not inside libleak's own code (then
 * the resource is libleak's: dump files, /proc reads, libunwind's), nor in
 * a leak_disable() scope. */
static inline bool
reshook_wanted(void)
{
	/* ignore_depth: inside leak_disable(), nothing is reported, so
	 * nothing is recorded either */
	return !lk_busy && !track_in_map && ignore_depth == 0 && res_ready() &&
	    state_is(STATE_ACTIVE);
}

/*
 * The stack of the hook's caller, for a resource. Always inlined into the
 * exported hook, so that __builtin_frame_address(0) is the hook's frame
 * (interpose/hook.h). The caller checked reshook_wanted(). errno is kept.
 */
#define RESHOOK_STACK()                                                                  \
	({                                                                               \
		lk_busy = 1;                                                             \
		stack_id_t id_ =                                                         \
		    track_stack((uintptr_t)__builtin_frame_address(0) + sizeof(void *)); \
		lk_busy = 0;                                                             \
		id_;                                                                     \
	})

/* A descriptor fd (or -1) that the hook's real call returned, made by fn:
 * recorded with the caller's stack when it is the program's, else taken
 * out of the table (the number is libleak's now). Keeps errno. */
#define RESHOOK_FD(fd, fn)                                               \
	do {                                                             \
		int rfd_ = (fd);                                         \
		if (rfd_ < 0)                                            \
			break;                                           \
		if (reshook_wanted() && !reshook_in_stdio)               \
			res_fd_open(rfd_, RES_FN_##fn, RESHOOK_STACK()); \
		else if (!reshook_in_stdio)                              \
			res_fd_close(rfd_);                              \
	} while (0)

#endif /* LIBLEAK_RESHOOK_H */
