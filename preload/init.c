/*
 * init.c - constructor, exit dump, fork handlers: the state
 * BOOT -> ACTIVE -> DUMPING -> DONE.
 *
 * The constructor resolves the real functions, reads the configuration,
 * maps the table and the stack depot, opens libunwind, records the modules
 * and only then publishes ACTIVE (release; hooks read it with acquire).
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
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "backtrace.h"
#include "config.h"
#include "counters.h"
#include "deepbind.h"
#include "dump.h"
#include "fmt.h"
#include "guard.h"
#include "hooks.h"
#include "modules.h"
#include "roots.h"
#include "scan.h"
#include "snapshot.h"
#include "stackcache.h"
#include "state.h"

__thread int lk_busy __attribute__((tls_model("initial-exec")));
_Atomic int lk_state = STATE_BOOT;
struct addrmap *lk_blocks;
struct stacks *lk_stacks;

static pid_t lk_pid;                    /* the process these structures belong to */
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

void
init_final_dump(void)
{
	int expect = STATE_ACTIVE;

	if (getpid() != lk_pid)
		return;         /* a vfork child: the memory is the parent's */
	/* acq_rel: elects one dumper; pairs with the release publish of ACTIVE. */
	if (!atomic_compare_exchange_strong_explicit(&lk_state, &expect, STATE_DUMPING,
	    memory_order_acq_rel, memory_order_acquire))
		return;
	int saved = errno;
	int was_busy = lk_busy;
	lk_busy = 1;            /* whatever libc allocates now is ours, untracked */

	char path[PATH_MAX];
	struct dump_result res = { 0 };
	struct dump_src src = {
		.blocks = lk_blocks, .stacks = lk_stacks, .depth = lk_config.depth,
		.snapshot = false, .seq = 0, .atomic = true,
	};
	bool ok = false;

	addrmap_settle(lk_blocks);
	struct scan *sc = NULL;
	if (lk_config.reachability) {
		modules_refresh();      /* before threads stop: it takes the loader's lock */
		sc = scan_run(lk_blocks, lk_stacks);
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

__attribute__((constructor(101))) static void
init(void)
{
	lk_busy = 1;            /* everything below may allocate: untracked */
	hooks_resolve();
	config_load();
	counters_start();
	lk_pid = getpid();
	if (getcwd(lk_start_cwd, sizeof(lk_start_cwd)) == NULL)
		lk_start_cwd[0] = '\0';
	lk_blocks = addrmap_new();
	lk_stacks = stacks_new();
	if (lk_blocks == NULL || lk_stacks == NULL) {
		fmt_log("cannot map memory for the tracker; not tracking", NULL);
		lk_busy = 0;
		return;
	}
	backtrace_init();
	stackcache_init();
	deepbind_init();
	roots_init(real.malloc, real.free);
	modules_refresh();
	pthread_atfork(modules_fork_prepare, modules_fork_done, fork_child);
	__cxa_atexit(final_dump_handler, NULL, NULL);
	/* release: pairs with state_is()'s acquire; the above is visible. */
	atomic_store_explicit(&lk_state, STATE_ACTIVE, memory_order_release);
	snapshot_start();
	lk_busy = 0;
}
