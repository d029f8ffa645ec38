/*
 * start.c - start-up: the state BOOT -> ACTIVE, or BOOT -> OFF.
 *
 * Start-up has two halves. init_start() is what tracking needs: the
 * configuration, the decision whether to track at all (LEAK_ONLY, another
 * tool or allocator owning malloc: aside.c), and the tracker's objects
 * (track_init: the address map, the stack depot, the stack cache). It makes
 * only system calls (getenv, getcwd, readlink, mmap), takes no lock and
 * never calls the loader, so it runs from inside whichever intercepted
 * allocation comes first: ld.so runs the constructors of the program's own
 * libraries before ours, and what they allocate (a registry the program
 * fills later) must be known to the exit scan, or every block stored in it
 * looks lost. It then publishes ACTIVE (release; the hooks read it with
 * acquire), or OFF, after which every hook passes straight through. One
 * thread runs it (a CAS elects it); another that arrives meanwhile waits,
 * which is bounded since the elected one only makes system calls.
 *
 * init_late() is the second half, from our constructor
 * (interpose/process.c): it checks that the program's calls reach our
 * hooks at all, opens libunwind, finds glibc's main_arena, records the
 * modules and registers the exit dump (finish.c), and starts the snapshot
 * thread.
 *
 * The exit dump's handler is registered before anybody else's when it can
 * be: exit handlers run last-registered first, and the C++ libraries
 * register their static destructors (__cxa_atexit) from their
 * constructors, which ld.so runs before ours. Registered from our
 * constructor, the dump ran before those destructors, and every block they
 * free at exit was reported still reachable where Valgrind, which looks
 * after the last handler, saw none (clang-format: 99 blocks, 214 KB,
 * against 2 and 74 KB; glibc's own lists of exit handlers were among them,
 * freed as the handlers run). So the first __cxa_atexit() of the process,
 * whoever calls it (interpose/process.c), registers ours first
 * (init_exit_first); the handler does nothing unless init_late() finished
 * (an exit() from a library's constructor, before ours, dumps nothing, as
 * before).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fmt.h"
#include "base/pathglob.h"
#include "base/real.h"
#include "base/self.h"
#include "dump/modules.h"
#include "life/aside.h"
#include "life/config.h"
#include "life/finish.h"
#include "life/lsan.h"
#include "life/snapshot.h"
#include "life/start.h"
#include "life/state.h"
#include "scan/roots.h"
#include "track/backtrace.h"
#include "track/counters.h"
#include "track/guard.h"
#include "track/resources.h"
#include "track/track.h"

enum {
	START_NONE,
	START_BUSY,
	START_DONE
};

static _Atomic int started = START_NONE; /* init_start(): NONE -> BUSY -> DONE */
static const char *aside_why;            /* why init_start() turned tracking off, or NULL */

/* Whether the executable's real path matches LEAK_ONLY. */
static bool
exe_selected(void)
{
	char exe[PATH_MAX];
	long n = syscall(SYS_readlink, "/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return pathglob_match_list(lk_config.only, exe);
}

static void
publish(int state)
{
	/* release: pairs with state_is()'s acquire; everything set up before
	 * is visible to whoever sees ACTIVE. */
	atomic_store_explicit(&lk_state, state, memory_order_release);
}

/* The first half of start-up: see the header. Only system calls. */
static void
start_tracking(void)
{
	/* Raw system calls only, and no libc call a sanitizer intercepts: its
	 * runtime may be the one allocating now, its interceptors not set up.
	 * Where lines go is known first, so that even the line of a process
	 * that stands aside goes there; a process LEAK_ONLY leaves out says
	 * nothing at all. */
	if (syscall(SYS_getcwd, lk_start_cwd, PATH_MAX) <= 0)
		lk_start_cwd[0] = '\0';
	config_load_select(lk_start_cwd);
	aside_why = aside_early(real.malloc, real.libc_malloc);
	if (aside_why != NULL || (lk_config.only_set && !exe_selected())) {
		publish(STATE_OFF);
		return;
	}
	config_load();
	self_init();
	counters_start();
	lk_pid = getpid();
	arena_limit_init();
	if (!track_init(lk_config.depth, lk_config.verify_stacks)) {
		fmt_log("cannot map memory for the tracker; not tracking", NULL);
		publish(STATE_OFF);
		return;
	}
	/* Without memory for the tables resources go untracked: the dump has
	 * no res lines. No line of its own: memory that short also fails the
	 * tracker's maps, which say so once (arena.c). */
	if (lk_config.resources)
		(void)res_init(lk_config.warn_fds != 0 || lk_config.warn_fds_percent != 0);
	publish(STATE_ACTIVE);
}

void
init_start(void)
{
	int expect = START_NONE;

	/* acq_rel: elects the one thread that starts; the acquire loads below
	 * pair with the release store of DONE. */
	if (!atomic_compare_exchange_strong_explicit(&started, &expect, START_BUSY,
		memory_order_acq_rel, memory_order_acquire)) {
		/* acquire: pairs with the release store of DONE below. */
		while (atomic_load_explicit(&started, memory_order_acquire) == START_BUSY)
			sched_yield(); /* the starter only makes system calls */
		return;
	}
	int was_busy = lk_busy;

	lk_busy = 1; /* nothing below is the program's */
	start_tracking();
	/* release: pairs with the waiters' acquire above; the state is set. */
	atomic_store_explicit(&started, START_DONE, memory_order_release);
	lk_busy = was_busy;
}

static _Atomic int exit_registered; /* init_exit_first(): 0, then 1 */
static _Atomic bool late_done;      /* init_late() finished, tracking */

static void
final_dump_handler(void *arg)
{
	(void)arg;
	/* acquire: pairs with the release store at the end of init_late(). */
	if (atomic_load_explicit(&late_done, memory_order_acquire))
		finish_dump();
}

void
init_exit_first(int (*reg)(void (*fn)(void *), void *arg, void *dso))
{
	int expect = 0;

	/* relaxed: a once flag; the handler reads nothing it publishes. */
	if (atomic_compare_exchange_strong_explicit(&exit_registered, &expect, 1,
		memory_order_relaxed, memory_order_relaxed))
		reg(final_dump_handler, NULL, NULL);
}

bool
init_late(bool (*reached)(void))
{
	char why[256];

	if (state_is(STATE_OFF)) {
		/* Standing aside: say why, naming the tool or allocator. */
		if (aside_why != NULL &&
		    !aside_late(reached(), real.malloc, real.libc_malloc, why, sizeof(why)))
			memcpy(why, aside_why, strlen(aside_why) + 1);
		if (aside_why != NULL)
			fmt_log(why, "; not tracking (every call passes through)", NULL);
		return false;
	}
	if (aside_late(reached(), real.malloc, real.libc_malloc, why, sizeof(why))) {
		publish(STATE_OFF); /* what was tracked so far is abandoned */
		fmt_log(why, "; not tracking (every call passes through)", NULL);
		return false;
	}
	backtrace_start();
	roots_init(real.malloc, real.free);
	modules_refresh();
	lsan_init(); /* the program's LeakSanitizer hooks, before any check */
	/* release: pairs with final_dump_handler()'s acquire. The handler
	 * itself is registered by our caller, if nobody did before. */
	atomic_store_explicit(&late_done, true, memory_order_release);
	snapshot_start();
	return true;
}
