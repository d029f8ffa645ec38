/*
 * process.c - the process's start and end: our constructor, main's return,
 * exit(), _exit(), _Exit(), and fork.
 *
 * The constructor finishes start-up (life/start.c) and hooks fork. main's
 * return and exit() claim the exit (life/exits.c: one exit at a time) and
 * tell the exit scan where this thread's live stack starts; _exit() and
 * _Exit() skip the exit handlers, so they write the dump themselves.
 * __cxa_atexit() registers the exit dump's handler before the first
 * handler of anyone else, so that it runs last (start.c says why).
 * sigaltstack() tells the tracker where the thread's signal stack is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dump/modules.h"
#include "interpose/deepbind.h"
#include "interpose/hook.h"
#include "interpose/real.h"
#include "life/exits.h"
#include "life/finish.h"
#include "life/start.h"
#include "scan/scan.h"
#include "track/resources.h"

/* pthread_atfork's child handler: every part that has per-process state. */
static void
fork_child(void)
{
	modules_fork_done();
	deepbind_fork_child();
	finish_fork_child();
	res_fork_child();
}

int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

/* glibc's __cxa_atexit, looked up on first use. */
static __typeof__(__cxa_atexit) *
cxa_atexit_next(void)
{
	REAL_NEXT(__cxa_atexit);
	return real___cxa_atexit;
}

/* The second half of start-up (life/start.c), before main: everything
 * below may allocate, untracked. */
__attribute__((constructor(101))) static void
start(void)
{
	lk_busy = 1;
	real_resolve();
	init_start();
	if (init_late(hook_probe)) {
		init_exit_first(cxa_atexit_next()); /* unless a library's came first */
		deepbind_init();
		pthread_atfork(modules_fork_prepare, modules_fork_done, fork_child);
	}
	lk_busy = 0;
}

/* The program's signal stacks: recorded per thread for the tracker
 * (track.h), which keeps libunwind off a small one. Returns what the real
 * call returns, with its errno. */
LK_EXPORT int
sigaltstack(const stack_t *ss, stack_t *old)
{
	REAL_NEXT(sigaltstack);
	int rc = real_sigaltstack(ss, old);

	if (rc == 0 && ss != NULL) {
		if ((ss->ss_flags & SS_DISABLE) != 0)
			track_set_signal_stack(0, 0);
		else
			track_set_signal_stack((uintptr_t)ss->ss_sp,
			    (uintptr_t)ss->ss_sp + ss->ss_size);
	}
	return rc;
}

/* Every library's and the program's exit handlers and C++ static
 * destructors (atexit() calls it too): the first call puts the exit dump's
 * handler in ahead of them, so it runs after them all. */
LK_EXPORT int
__cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
	__typeof__(__cxa_atexit) *next = cxa_atexit_next();
	int saved = errno; /* ours registered or not, the program sees its own call */

	init_exit_first(next);
	errno = saved;
	return next(fn, arg, dso);
}

typedef int (*main_fn)(int, char **, char **);
typedef int (
    *start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

static main_fn program_main;

/* Runs the program's main; once it returns, its frames are dead: the exit
 * scan starts this thread's stack above our own frame, so stale pointers
 * that main left below are no roots (a local of main is none after main). */
static int
main_wrapper(int argc, char **argv, char **envp)
{
	int rc = program_main(argc, argv, envp);

	exits_claim(); /* main's return exits: one exit at a time */
	/* The CFA: just above our return address. Not frame_address(0) + 16,
	 * which needs a frame pointer: a CFA from RBP would send every stack
	 * through main to libunwind (track/stackcache.c walks CFA = RSP + k
	 * frames alone). */
	scan_set_stack_start((uintptr_t)__builtin_dwarf_cfa());
	return rc;
}

/* exit() from the program: the caller's frames are live, the frames of
 * calls that already returned lie below and are dead. Callee-saved
 * registers, which may hold the caller's pointers, are spilled into this
 * frame, and the scan starts here. */
static __attribute__((noinline, noreturn)) void
exit_here(void (*real_exit)(int), int status)
{
	volatile uintptr_t here = 0;

	__builtin_unwind_init();
	scan_set_stack_start((uintptr_t)&here);
	real_exit(status);
	__builtin_unreachable();
}

LK_EXPORT void
exit(int status)
{
	REAL_NEXT(exit);
	exits_claim();
	exit_here(real_exit, status);
}

LK_EXPORT int
__libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
    void (*rtld_fini)(void), void *stack_end)
{
	start_fn real_start = (start_fn)real_next("__libc_start_main");

	program_main = main;
	return real_start(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

LK_EXPORT void
_exit(int status)
{
	finish_dump(); /* _exit skips atexit: dump here */
	if (real_ready() && real.exit_ != NULL)
		real.exit_(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

LK_EXPORT void
_Exit(int status)
{
	finish_dump();
	if (real_ready() && real.Exit_ != NULL)
		real.Exit_(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}
