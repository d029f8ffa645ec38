/*
 * finish.c - the exit dump: the state ACTIVE -> DUMPING -> DONE, once.
 *
 * When the dump runs: start.c registers finish_dump() with __cxa_atexit
 * and no DSO handle before any other exit handler of the process (from the
 * first __cxa_atexit() call, or else from our constructor, which runs
 * before __libc_start_main registers the loader's _dl_fini). Exit handlers
 * run last-registered first, so ours runs after the program's atexit
 * handlers, its C++ static destructors, every library's handlers and
 * destructors (_dl_fini), and glibc's freeing of its lists of handlers:
 * what they free is not reported. _exit() and _Exit() skip exit handlers;
 * interpose/process.c dumps there. The dump runs once: an atomic exchange
 * from ACTIVE to DUMPING elects it. While DUMPING, free() does not free,
 * so nothing the dump reads goes away.
 *
 * Fork: the child fixes slots that other threads of the parent left half
 * written (addrmap_after_fork) and keeps tracking; its dump carries its own
 * pid. A vfork child shares our memory, so _exit() in it must not dump:
 * finish_dump() compares getpid() with the pid we last knew.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fmt.h"
#include "base/ownstack.h"
#include "dump/dump.h"
#include "dump/modules.h"
#include "life/check.h"
#include "life/config.h"
#include "life/dumpsrc.h"
#include "life/exits.h"
#include "life/finish.h"
#include "life/lsan.h"
#include "life/state.h"
#include "scan/scan.h"
#include "scan/stopworld.h"
#include "track/counters.h"
#include "track/guard.h"
#include "track/track.h"

void
finish_fork_child(void)
{
	lk_pid = getpid();
	check_fork_child();
	if (lk_blocks != NULL) {
		size_t lost = addrmap_after_fork(lk_blocks);

		while (lost-- > 0)
			counters_drop();
	}
}

static void
summary(const char *path, const struct dump_result *r, bool written, bool scanned)
{
	char b[8][FMT_U64_LEN];
	unsigned waited_ms = 0;
	int late = 0, unsignalled = 0;

	if (scanned)
		stopworld_waited(&waited_ms, &late, &unsignalled);
	const uint64_t v[8] = { r->lost_blocks, r->lost_bytes, r->blocks, r->bytes, r->stacks,
		waited_ms, (uint64_t)late, r->seen_blocks };
	/* A bounded wait for threads that never answered the stop signal
	 * (they blocked it after we read their mask): its cost, when paid. */
	const char *w0 = late > 0 ? "; the scan waited " : "";
	const char *w1 = late > 0 ? b[5] : "";
	const char *w2 = late > 0 ? " ms for " : "";
	const char *w3 = late > 0 ? b[6] : "";
	const char *w4 = late > 0 ? " thread(s) that did not answer" : "";

	if (lk_config.quiet)
		return;
	for (int i = 0; i < 8; i++)
		fmt_u64_str(b[i], v[i]);
	if (!written)
		fmt_log("no dump written", NULL);
	else if (scanned && r->seen_blocks != 0)
		fmt_log(b[0], " block(s), ", b[1], " byte(s) lost (definite and indirect; ", b[7],
		    " block(s) of them reported by earlier checks); ", b[2], " block(s), ", b[3],
		    " byte(s) live at exit from ", b[4], " stack(s)", w0, w1, w2, w3, w4,
		    "; dump: ", path, NULL);
	else if (scanned)
		fmt_log(b[0], " block(s), ", b[1], " byte(s) lost (definite and indirect); ", b[2],
		    " block(s), ", b[3], " byte(s) live at exit from ", b[4], " stack(s)", w0, w1,
		    w2, w3, w4, "; dump: ", path, NULL);
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

/* What the dump needs from finish_dump()'s own frame, on its own stack. */
struct dump_job {
	uintptr_t sp; /* where this thread's live stack starts, for the scan */
};

static void dump_now(void *arg);

/* Stack for the dump (arena memory; only the pages it touches cost): the
 * scan and the writer take tens of KB, more than a thread the program made
 * with a 16 KiB stack has left when it calls exit(), which crashed on its
 * guard page. */
#define DUMP_STACK ((size_t)1 << 20)

void
finish_dump(void)
{
	int expect = STATE_ACTIVE;

	if (getpid() != lk_pid)
		return; /* a vfork child: the memory is the parent's */
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
	/* The program's registers spilled here, above mark: this thread's
	 * live stack starts at mark, or where exit() said (scan.h). */
	volatile uintptr_t mark = 0;

	__builtin_unwind_init();
	struct dump_job job = { .sp = scan_stack_start((uintptr_t)&mark) };

	if (!ownstack_run(dump_now, &job, DUMP_STACK))
		dump_now(&job); /* no memory for a stack: try on this one */
	(void)mark;
}

/* The dump itself, elected by finish_dump(). */
static void
dump_now(void *arg)
{
	const struct dump_job *job = arg;
	int saved = errno;
	int was_busy = lk_busy;
	lk_busy = 1; /* whatever libc allocates now is ours, untracked */

	char path[PATH_MAX];
	struct dump_result res = { 0 };
	struct dump_src src;
	bool ok = false;

	check_lock(); /* a check running on another thread finishes first */
	if (check_final_done()) {
		/* __lsan_do_leak_check() wrote the exit dump already. */
		check_unlock();
		goto done;
	}
	if (!lsan_check_at_exit()) {
		check_unlock();
		fmt_log("the program turned the exit leak check off (its LeakSanitizer hooks or "
			"options); no dump written",
		    NULL);
		goto done;
	}
	cxx_freeres();
	arena_lift_budget(); /* the program is done: the dump may use what is left */
	addrmap_settle(lk_blocks);
	struct scan *sc = NULL;
	if (lk_config.reachability) {
		modules_refresh(); /* before threads stop: it takes the loader's lock */
		sc = scan_run(lk_blocks, lk_stacks, lk_internal_stack, lk_config.heuristics,
		    job->sp, true);
		if (sc == NULL || scan_blind(sc))
			fmt_log(
			    "the reachability scan could not run; every block counts as definite",
			    NULL);
	}
	if (sc != NULL) {
		struct check_result cr;

		check_seen_apply(sc, &cr);
	}
	dumpsrc_fill(&src, sc, lk_config.depth, DUMP_EXIT, 0, true);
	if (dump_path(lk_config.output, lk_start_cwd, getpid(), 0, path, sizeof(path)) != 0)
		fmt_log("LEAK_OUTPUT expands to a path that is too long", NULL);
	else
		ok = dump_to_file(path, &src, &res) == 0;
	summary(path, &res, ok, sc != NULL && !scan_blind(sc));
	if (lk_config.verify_stacks) {
		uint64_t hits, diffs;
		char a[FMT_U64_LEN], b[FMT_U64_LEN];

		track_verify_counts(&hits, &diffs);
		fmt_log("stack cache: ", fmt_u64_str(a, hits), " hits verified, ",
		    fmt_u64_str(b, diffs), " differed", NULL);
	}
	if (sc != NULL)
		scan_free(sc);
	check_unlock();
done:
	/* release: pairs with the hooks' acquire loads of the state (and the
	 * CAS of another would-be dumper): the dump is complete. */
	atomic_store_explicit(&lk_state, STATE_DONE, memory_order_release);
	lk_busy = was_busy;
	errno = saved;
}
