/*
 * check.c - leak checks on demand: a collection while the program runs,
 * as a garbage collector's, that reports instead of freeing.
 *
 * check_run() does what the exit dump does (scan.c stops the other
 * threads, marks, classifies the lost blocks, resumes them), writes the
 * dump, and returns. What it adds is memory across checks: the lost
 * blocks reported so far, as (address, size, stack) sorted by address in
 * one arena array. A lost block cannot be freed by the program (nothing
 * it can see points to it), so one still there at the next check, at the
 * same address with the same size and stack, is the same leak: the dump
 * counts it in `seen` lines and the check does not count it as new. Both
 * lists are in address order (the scan's blocks are), so matching is one
 * merge. The exit dump marks them too (finish.c calls check_seen_apply),
 * so every leak is reported once over a run.
 *
 * Concurrency: one check (or exit dump) at a time, under `lock`, a
 * pthread mutex: a waiter sleeps in futex_wait, from which the stop
 * signal still wakes it to be stopped, so a check waiting for the exit
 * dump (or the reverse) never blocks the scan of the other. The seen list
 * is only touched under the lock. Not from a signal handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fmt.h"
#include "base/ownstack.h"
#include "dump/dump.h"
#include "dump/modules.h"
#include "life/check.h"
#include "life/config.h"
#include "life/dumpsrc.h"
#include "life/lsan.h"
#include "life/snapshot.h"
#include "life/state.h"
#include "scan/scan.h"
#include "scan/stopworld.h"
#include "track/guard.h"
#include "track/track.h"

struct lost {
	uintptr_t addr;
	uint64_t size;
	stack_id_t stack;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct lost *seen; /* under lock: the lost blocks reported so far */
static size_t nseen, seen_cap;
static _Atomic bool final_done;

void
check_lock(void)
{
	pthread_mutex_lock(&lock);
}

void
check_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

void
check_fork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	memcpy(&lock, &fresh, sizeof(lock));
	nseen = 0;
}

bool
check_final_done(void)
{
	return atomic_load_explicit(&final_done, memory_order_acquire);
}

/* The merge of this check's lost blocks with the earlier ones'. */
struct merge {
	struct scan *sc;
	struct lost *next; /* this check's lost blocks, becoming `seen` */
	size_t n, cap;
	size_t at; /* cursor in seen[] */
	struct check_result *r;
};

static void
merge_one(void *ctx, size_t index, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct merge *m = ctx;

	while (m->at < nseen && seen[m->at].addr < addr)
		m->at++;
	if (m->at < nseen && seen[m->at].addr == addr && seen[m->at].size == size &&
	    seen[m->at].stack == stack) {
		scan_set_seen(m->sc, index);
	} else {
		m->r->new_blocks++;
		m->r->new_bytes += size;
	}
	m->r->lost_blocks++;
	m->r->lost_bytes += size;
	if (m->next != NULL && m->n < m->cap)
		m->next[m->n++] = (struct lost){ .addr = addr, .size = size, .stack = stack };
}

static void
count_lost(void *ctx, size_t index, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	(void)index;
	(void)addr;
	(void)size;
	(void)stack;
	(*(size_t *)ctx)++;
}

/* Marks the blocks of sc that earlier checks reported, and (remember)
 * makes this check's lost blocks the reported ones. Under the lock. */
static void
seen_apply(struct scan *sc, struct check_result *r, bool remember)
{
	size_t count = 0;
	struct merge m = { .sc = sc, .r = r };

	memset(r, 0, sizeof(*r));
	if (remember) {
		scan_foreach_lost(sc, count_lost, &count);
		m.cap = count;
		m.next = count > 0 ? arena_map(count * sizeof(struct lost)) : NULL;
		if (count > 0 && m.next == NULL)
			fmt_log("no memory to remember this check's leaks; the next check reports "
				"them again",
			    NULL);
	}
	scan_foreach_lost(sc, merge_one, &m);
	if (!remember)
		return;
	if (seen != NULL)
		arena_unmap(seen, seen_cap * sizeof(struct lost));
	seen = m.next;
	seen_cap = m.cap;
	nseen = m.n;
}

void
check_seen_apply(struct scan *sc, struct check_result *r)
{
	if (nseen == 0) {
		/* No check reported anything: nothing to mark, and the counts
		 * need no pass over every lost block. */
		memset(r, 0, sizeof(*r));
		return;
	}
	seen_apply(sc, r, false);
}

static void
summary(const char *what, const char *path, const struct check_result *r, bool written)
{
	char b[7][FMT_U64_LEN];
	unsigned waited_ms = 0;
	int late = 0, unsignalled = 0;

	stopworld_waited(&waited_ms, &late, &unsignalled);
	const uint64_t v[7] = { r->new_blocks, r->new_bytes, r->lost_blocks, r->lost_bytes,
		waited_ms, (uint64_t)late, (uint64_t)unsignalled };

	if (lk_config.quiet)
		return;
	for (int i = 0; i < 7; i++)
		fmt_u64_str(b[i], v[i]);
	/* Threads that did not stop ran on meanwhile: what they did then may
	 * show as a leak at this check (and only this one). */
	bool ran = late > 0 || unsignalled > 0;
	fmt_log(what, ": ", b[0], " new block(s), ", b[1],
	    " byte(s) lost (definite and indirect); ", b[2], " block(s), ", b[3],
	    " byte(s) lost in all", ran ? "; " : "", ran ? b[5] : "",
	    ran ? " thread(s) did not stop in " : "", ran ? b[4] : "", ran ? " ms, " : "",
	    ran ? b[6] : "", ran ? " block the stop signal" : "",
	    "; dump: ", written ? path : "none", NULL);
}

/* A check's arguments and answer, for check_now() on its own stack. */
struct check_job {
	bool final;
	uintptr_t caller_sp;
	struct check_result *out;
	int rc;
};

static void check_now(void *arg);

/* As the exit dump's (finish.c): the check may be asked for on a thread
 * with a small stack. */
#define CHECK_STACK ((size_t)1 << 20)

int
check_run(bool final, uintptr_t caller_sp, struct check_result *out)
{
	struct check_job job = { .final = final, .caller_sp = caller_sp, .out = out, .rc = -1 };

	memset(out, 0, sizeof(*out));
	if (getpid() != lk_pid)
		return -1; /* a vfork child: the memory is the parent's */
	if (!ownstack_run(check_now, &job, CHECK_STACK))
		check_now(&job); /* no memory for a stack: try on this one */
	return job.rc;
}

static void
check_now(void *arg)
{
	struct check_job *job = arg;
	bool final = job->final;
	uintptr_t caller_sp = job->caller_sp;
	struct check_result *out = job->out;
	int saved = errno;
	int was_busy = lk_busy;
	int rc = -1;

	lk_busy = 1; /* whatever libc allocates for us is ours, untracked */
	check_lock();
	if (!state_is(STATE_ACTIVE)) {
		fmt_log("leak check: this process is not tracked (or is exiting); no check", NULL);
		goto out;
	}
	if (lsan_turned_off() || (final && check_final_done())) {
		rc = 1;
		goto out;
	}
	if (!lk_config.reachability) {
		fmt_log("leak check: LEAK_REACHABILITY=0 turns the scan off; no check", NULL);
		goto out;
	}
	modules_refresh(); /* before threads stop: it takes the loader's lock */
	addrmap_settle(lk_blocks);
	struct scan *sc = scan_run(lk_blocks, lk_stacks, lk_internal_stack, lk_config.heuristics,
	    caller_sp, false);
	if (sc == NULL) {
		fmt_log("leak check: the reachability scan could not run; no check", NULL);
		goto out;
	}
	seen_apply(sc, out, true);

	char path[PATH_MAX];
	uint64_t seq = 0;
	bool ok = false;
	struct dump_src src;

	if (final) {
		if (dump_path(lk_config.output, lk_start_cwd, getpid(), 0, path, sizeof(path)) != 0)
			fmt_log("LEAK_OUTPUT expands to a path that is too long", NULL);
		else
			ok = true;
	} else {
		ok = snapshot_path(path, sizeof(path), &seq);
	}
	if (ok) {
		dumpsrc_fill(&src, sc, lk_config.depth, final ? DUMP_EXIT : DUMP_CHECK, seq, true);
		ok = dump_to_file(path, &src, NULL) == 0;
	}
	scan_free(sc);
	if (final)
		atomic_store_explicit(&final_done, true, memory_order_release);
	summary(final ? "final leak check" : "leak check", path, out, ok);
	rc = 0;
out:
	check_unlock();
	lk_busy = was_busy;
	errno = saved;
	job->rc = rc;
}
