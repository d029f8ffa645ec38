/*
 * init.c - start-up, exit dump, fork handlers: the state
 * BOOT -> ACTIVE -> DUMPING -> DONE, or BOOT -> OFF.
 *
 * Start-up has two halves. init_start() is what tracking needs: the
 * configuration, the decision whether to track at all (LEAK_ONLY, another
 * tool or allocator owning malloc: aside.c), the address map, the stack
 * depot and the stack cache. It makes only system calls (getenv, getcwd,
 * readlink, mmap), takes no lock and never calls the loader, so it runs
 * from inside whichever intercepted allocation comes first: ld.so runs the
 * constructors of the program's own libraries before ours, and what they
 * allocate (a registry the program fills later) must be known to the exit
 * scan, or every block stored in it looks lost. It then publishes ACTIVE
 * (release; hooks read it with acquire), or OFF, after which every hook
 * passes straight through. One thread runs it (a CAS elects it); another
 * that arrives meanwhile waits, which is bounded since the elected one
 * only makes system calls. libunwind is opened later still, by the first
 * allocation that is not the loader's own (backtrace.c); until then a block
 * gets the one-frame stack of its caller.
 *
 * Our constructor then does the rest, which needs the loader: it checks
 * that the program's calls reach our hooks at all, opens libunwind, finds
 * the modules and glibc's main_arena, and registers the exit dump and the
 * fork handlers.
 *
 * When the dump runs: the exit handler is registered with __cxa_atexit and
 * no DSO handle from our constructor, which runs before __libc_start_main
 * registers the loader's _dl_fini. Exit handlers run last-registered first,
 * so ours runs after the program's atexit handlers, its C++ static
 * destructors and every library destructor (_dl_fini): what they free is
 * not reported. _exit() and _Exit() skip exit handlers; hooks.c dumps there.
 * The dump runs once: an atomic exchange from ACTIVE to DUMPING elects it.
 * While DUMPING, free() does not free, so nothing the dump reads goes away.
 *
 * Fork: the child fixes slots that other threads of the parent left half
 * written (addrmap_after_fork) and keeps tracking; its dump carries its own
 * pid. A vfork child shares our memory, so _exit() in it must not dump:
 * init_final_dump() compares getpid() with the pid we last knew.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/arena.h"
#include "life/aside.h"
#include "track/backtrace.h"
#include "life/config.h"
#include "track/counters.h"
#include "interpose/deepbind.h"
#include "dump/dump.h"
#include "life/exits.h"
#include "base/fmt.h"
#include "track/guard.h"
#include "interpose/hooks.h"
#include "dump/modules.h"
#include "base/pathglob.h"
#include "scan/roots.h"
#include "scan/scan.h"
#include "base/self.h"
#include "life/snapshot.h"
#include "track/stackcache.h"
#include "life/state.h"

enum { START_NONE, START_BUSY, START_DONE };

__thread int lk_busy __attribute__((tls_model("initial-exec")));
_Atomic int lk_state = STATE_BOOT;
struct addrmap *lk_blocks;
struct stacks *lk_stacks;
stack_id_t lk_internal_stack;

static pid_t lk_pid;                    /* the process these structures belong to */
static _Atomic int started = START_NONE;        /* init_start(): NONE -> BUSY -> DONE */
static const char *aside_why;           /* why init_start() turned tracking off, or NULL */
char lk_start_cwd[PATH_MAX];            /* relative LEAK_OUTPUT is relative to this */

extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

static void
final_dump_handler(void *arg)
{
	(void)arg;
	init_final_dump();
}

static void
fork_child(void)
{
	modules_fork_done();
	deepbind_fork_child();
	lk_pid = getpid();
	if (lk_blocks != NULL) {
		size_t lost = addrmap_after_fork(lk_blocks);

		while (lost-- > 0)
			counters_drop();
	}
}

static void
summary(const char *path, const struct dump_result *r, bool written, bool scanned)
{
	char b[5][24];
	struct fmtbuf f;
	const uint64_t v[5] = { r->lost_blocks, r->lost_bytes, r->blocks, r->bytes, r->stacks };

	if (lk_config.quiet)
		return;
	for (int i = 0; i < 5; i++) {
		fmt_init(&f, b[i], sizeof(b[i]) - 1);
		fmt_u64(&f, v[i]);
		b[i][f.len] = '\0';
	}
	if (!written)
		fmt_log("no dump written", NULL);
	else if (scanned)
		fmt_log(b[0], " block(s), ", b[1], " byte(s) lost (definite and indirect); ", b[2],
		    " block(s), ", b[3], " byte(s) live at exit from ", b[4], " stack(s); dump: ", path,
		    NULL);
	else
		fmt_log(b[2], " block(s), ", b[3], " byte(s) live at exit from ", b[4],
		    " stack(s), not scanned; dump: ", path, NULL);
}

/* libstdc++ allocates its exception emergency pool in its constructor and
 * keeps it for the process's life; __gnu_cxx::__freeres() frees it, and
 * Valgrind calls it at exit for the same reason. Nothing throws after the
 * last exit handler (ours), and while DUMPING free() only forgets the
 * block, so the program's memory is untouched. */
static void
cxx_freeres(void)
{
	void (*fr)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");

	if (fr != NULL)
		fr();
}

void
init_final_dump(void)
{
	int expect = STATE_ACTIVE;

	if (getpid() != lk_pid)
		return;         /* a vfork child: the memory is the parent's */
	/* acq_rel: elects one dumper; pairs with the release publish of ACTIVE. */
	if (!atomic_compare_exchange_strong_explicit(&lk_state, &expect, STATE_DUMPING,
	    memory_order_acq_rel, memory_order_acquire)) {
		/* Another thread is writing the dump and will end the process
		 * when it is done (exit handlers or _exit: see exits.c); going
		 * on to _exit now would end it in the middle of the dump. */
		if (expect == STATE_DUMPING)
			exits_park();
		return;
	}
	int saved = errno;
	int was_busy = lk_busy;
	lk_busy = 1;            /* whatever libc allocates now is ours, untracked */

	char path[PATH_MAX];
	struct dump_result res = { 0 };
	struct dump_src src = {
		.blocks = lk_blocks, .stacks = lk_stacks, .depth = lk_config.depth,
		.snapshot = false, .seq = 0, .atomic = true, .internal = lk_internal_stack,
	};
	bool ok = false;

	cxx_freeres();
	arena_lift_budget();    /* the program is done: the dump may use what is left */
	addrmap_settle(lk_blocks);
	struct scan *sc = NULL;
	if (lk_config.reachability) {
		modules_refresh();      /* before threads stop: it takes the loader's lock */
		sc = scan_run(lk_blocks, lk_stacks, lk_internal_stack, lk_config.heuristics);
		if (sc == NULL)
			fmt_log("the reachability scan could not run; every block counts as definite", NULL);
	}
	src.scan = sc;
	if (dump_path(lk_config.output, lk_start_cwd, getpid(), 0, path, sizeof(path)) != 0)
		fmt_log("LEAK_OUTPUT expands to a path that is too long", NULL);
	else
		ok = dump_to_file(path, &src, &res) == 0;
	summary(path, &res, ok, sc != NULL);
	if (lk_config.verify_stacks) {
		uint64_t hits, diffs;
		char a[24], b[24];
		struct fmtbuf f;

		hooks_verify_counts(&hits, &diffs);
		fmt_init(&f, a, sizeof(a) - 1);
		fmt_u64(&f, hits);
		a[f.len] = '\0';
		fmt_init(&f, b, sizeof(b) - 1);
		fmt_u64(&f, diffs);
		b[f.len] = '\0';
		fmt_log("stack cache: ", a, " hits verified, ", b, " differed", NULL);
	}
	if (sc != NULL)
		scan_free(sc);
	atomic_store_explicit(&lk_state, STATE_DONE, memory_order_release);
	lk_busy = was_busy;
	errno = saved;
}

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
	lk_blocks = addrmap_new();
	lk_stacks = stacks_new();
	if (lk_blocks == NULL || lk_stacks == NULL || !stackcache_init()) {
		fmt_log("cannot map memory for the tracker; not tracking", NULL);
		publish(STATE_OFF);
		return;
	}
	/* The stack of internal blocks (hooks.c): one frame, our own code, so
	 * no program stack can be equal to it. */
	uintptr_t mark = (uintptr_t)&start_tracking;
	lk_internal_stack = stacks_intern(lk_stacks, &mark, 1);
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
		while (atomic_load_explicit(&started, memory_order_acquire) == START_BUSY)
			sched_yield();  /* the starter only makes system calls */
		return;
	}
	int was_busy = lk_busy;

	lk_busy = 1;            /* nothing below is the program's */
	start_tracking();
	atomic_store_explicit(&started, START_DONE, memory_order_release);
	lk_busy = was_busy;
}

/* The second half of start-up, in our constructor: see the header. */
__attribute__((constructor(101))) static void
init(void)
{
	char why[256];

	lk_busy = 1;            /* everything below may allocate: untracked */
	hooks_resolve();
	init_start();
	if (state_is(STATE_OFF)) {
		/* Standing aside: say why, naming the tool or allocator. */
		if (aside_why != NULL && !aside_late(hooks_probe(), real.malloc,
		    real.libc_malloc, why, sizeof(why)))
			memcpy(why, aside_why, strlen(aside_why) + 1);
		if (aside_why != NULL)
			fmt_log(why, "; not tracking (every call passes through)", NULL);
		lk_busy = 0;
		return;
	}
	if (aside_late(hooks_probe(), real.malloc, real.libc_malloc, why, sizeof(why))) {
		publish(STATE_OFF);     /* what was tracked so far is abandoned */
		fmt_log(why, "; not tracking (every call passes through)", NULL);
		lk_busy = 0;
		return;
	}
	backtrace_start();
	deepbind_init();
	roots_init(real.malloc, real.free);
	modules_refresh();
	pthread_atfork(modules_fork_prepare, modules_fork_done, fork_child);
	__cxa_atexit(final_dump_handler, NULL, NULL);
	snapshot_start();
	lk_busy = 0;
}
