/*
 * snapshot.c - the writer thread: heap snapshots while the program runs,
 * and the polls of the live-heap warnings (warn.c).
 *
 * One writer thread does all the work: it writes a snapshot dump when the
 * snapshot signal arrives or the interval elapses, and polls the live-heap
 * figures and the open descriptors every WARN_POLL_MS for the warnings. The signal handler only posts
 * a semaphore (sem_post is async-signal-safe); nothing is written from a
 * signal handler or from inside malloc.
 *
 * A snapshot walks the table while the program keeps allocating and
 * freeing: no thread is stopped, so a block allocated or freed during the
 * copy may fall either side, and the dump says `atomic 0`. The writer thread
 * runs with the guard set for its whole life: what it allocates (dladdr,
 * libc internals) is never tracked.
 *
 * Limits: a fork child has no writer thread (threads do not survive fork),
 * so it takes no snapshots; it still writes its exit dump. A program that
 * installs its own handler for the snapshot signal replaces ours.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "life/config.h"
#include "track/counters.h"
#include "dump/dump.h"
#include "base/fmt.h"
#include "track/guard.h"
#include "base/procfs.h"
#include "life/dumpsrc.h"
#include "life/fdwarn.h"
#include "life/snapshot.h"
#include "life/state.h"
#include "life/warn.h"
#include "track/track.h"

#define WARN_POLL_MS 100
#define SEQ_SKIP_MAX 100000 /* names of an earlier image tried at most */

static sem_t wake;
/* The last %n handed out: snapshots and leak_check_now()'s dumps share it
 * (relaxed fetch_add: only uniqueness matters). */
static _Atomic uint64_t seq;

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	sem_post(&wake);
	errno = saved;
}

bool
snapshot_path(char *path, size_t cap, uint64_t *seq_out)
{
	struct stat st;

	/* After exec the new image counts from 1 again under the same pid: the
	 * numbers its earlier image used are skipped, never overwritten. */
	for (int tries = 0;; tries++) {
		uint64_t n = atomic_fetch_add_explicit(&seq, 1, memory_order_relaxed) + 1;

		if (dump_path(lk_config.snapshot_output, lk_start_cwd, getpid(), n, path, cap) !=
		    0) {
			fmt_log("the snapshot path is too long", NULL);
			return false;
		}
		*seq_out = n;
		if (tries == SEQ_SKIP_MAX || lstat(path, &st) != 0)
			return true;
	}
}

void
snapshot_take(void)
{
	char path[PATH_MAX];
	uint64_t n;
	struct dump_src src;

	if (!snapshot_path(path, sizeof(path), &n))
		return;
	dumpsrc_fill(&src, NULL, lk_config.depth, DUMP_SNAPSHOT, n, false);
	dump_to_file(path, &src, NULL);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *
writer_main(void *arg)
{
	sigset_t all;
	uint64_t next_snap = 0, next_warn = 0;
	bool warn_on = warn_wanted() || fdwarn_wanted();

	(void)arg;
	lk_busy = 1; /* nothing this thread allocates is tracked */
	sigfillset(&all);
	sigdelset(&all, SIGPWR); /* stopworld.c's: the exit scan stops us too */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (lk_config.snapshot_interval_ns != 0)
		next_snap = now_ns() + lk_config.snapshot_interval_ns;
	if (warn_on)
		next_warn = now_ns();
	for (;;) {
		uint64_t due = UINT64_MAX;

		if (next_snap != 0)
			due = next_snap;
		if (warn_on && next_warn < due)
			due = next_warn;
		int r;
		if (due == UINT64_MAX) {
			r = sem_wait(&wake);
		} else {
			struct timespec ts = { (time_t)(due / 1000000000ull),
				(long)(due % 1000000000ull) };

			r = sem_clockwait(&wake, CLOCK_MONOTONIC, &ts);
		}
		if (!state_is(STATE_ACTIVE))
			return NULL; /* the exit dump has begun: no more snapshots */
		if (r == 0)
			snapshot_take();
		uint64_t now = now_ns();
		if (next_snap != 0 && now >= next_snap) {
			snapshot_take();
			while (next_snap <= now)
				next_snap += lk_config.snapshot_interval_ns;
		}
		if (warn_on && now >= next_warn) {
			warn_check();
			fdwarn_check();
			next_warn = now + WARN_POLL_MS * 1000000ull;
		}
	}
}

void
snapshot_start(void)
{
	pthread_t th;
	pthread_attr_t attr;

	warn_init();
	if (lk_config.snapshot_signal == 0 && lk_config.snapshot_interval_ns == 0 &&
	    !warn_wanted() && !fdwarn_wanted())
		return;
	if (sem_init(&wake, 0, 0) != 0)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&th, &attr, writer_main, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		fmt_log("cannot start the snapshot thread: ", fmt_errno(rc), NULL);
		return;
	}
	if (lk_config.snapshot_signal != 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(lk_config.snapshot_signal, &sa, NULL);
	}
}
