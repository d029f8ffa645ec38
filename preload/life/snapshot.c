/*
 * snapshot.c - heap snapshots while the program runs, and live-heap warnings.
 *
 * One writer thread does all the work: it writes a snapshot dump when the
 * snapshot signal arrives or the interval elapses, and polls the live-heap
 * figures every WARN_POLL_MS for the warnings. The signal handler only posts
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
#include "life/snapshot.h"
#include "life/state.h"
#include "track/track.h"

#define WARN_POLL_MS    100
#define SEQ_SKIP_MAX    100000          /* names of an earlier image tried at most */
#define WARN_FRAMES     4

static sem_t wake;
static uint64_t seq;
static uint64_t mem_limit;              /* bytes, for LEAK_WARN_PERCENT; 0: none */
static bool warned_bytes, warned_percent;

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	sem_post(&wake);
	errno = saved;
}

static void
take_snapshot(void)
{
	char path[PATH_MAX];
	struct stat st;

	/* After exec the new image counts from 1 again under the same pid: the
	 * numbers its earlier image used are skipped, never overwritten. */
	for (int tries = 0;; tries++) {
		if (dump_path(lk_config.snapshot_output, lk_start_cwd, getpid(), ++seq, path,
		    sizeof(path)) != 0) {
			fmt_log("the snapshot path is too long", NULL);
			return;
		}
		if (tries == SEQ_SKIP_MAX || lstat(path, &st) != 0)
			break;
	}
	struct dump_src src;

	dumpsrc_fill(&src, NULL, lk_config.depth, true, seq, false);
	dump_to_file(path, &src, NULL);
}

/* Reads a small file into buf, NUL-terminated; false if empty or unreadable. */
static bool
slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n = procfs_read(path, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* The cgroup v2 memory.max of this process, else RLIMIT_AS; 0 if neither. */
static uint64_t
memory_limit(void)
{
	char cg[PATH_MAX], path[PATH_MAX + 64], val[64];

	if (slurp("/proc/self/cgroup", cg, sizeof(cg))) {
		char *p = strstr(cg, "0::");    /* the v2 line: "0::/some/path" */
		if (p != NULL) {
			p += 3;
			char *nl = strchr(p, '\n');
			if (nl != NULL)
				*nl = '\0';
			struct fmtbuf f;
			fmt_init(&f, path, sizeof(path) - 1);
			fmt_str(&f, "/sys/fs/cgroup");
			fmt_str(&f, p);
			fmt_str(&f, "/memory.max");
			path[f.len] = '\0';
			if (!f.overflow && slurp(path, val, sizeof(val)) && val[0] >= '0' && val[0] <= '9') {
				uint64_t v = 0;

				for (char *c = val; *c >= '0' && *c <= '9'; c++)
					v = v * 10 + (uint64_t)(*c - '0');
				return v;
			}
		}
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return rl.rlim_cur;
	return 0;
}

struct top {
	uint64_t *bytes;                /* by stack id */
	uint64_t *blocks;
	size_t n;
};

static void
sum_stack(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct top *t = ctx;

	(void)addr;
	if (stack < t->n && stack != lk_internal_stack) {      /* libc's, not the program's */
		t->bytes[stack] += size;
		t->blocks[stack]++;
	}
}

static void
append_u64(struct fmtbuf *f, uint64_t v)
{
	fmt_u64(f, v);
}

/* One stderr line: what was crossed, the live figures, the top stack. */
static void
warn(const char *what, uint64_t live, uint64_t blocks)
{
	char line[900];
	struct fmtbuf f;
	struct top t = { .n = stacks_limit(lk_stacks) };
	size_t len = t.n * 2 * sizeof(uint64_t);
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fmt_init(&f, line, sizeof(line));
	fmt_str(&f, what);
	fmt_str(&f, ": ");
	append_u64(&f, live);
	fmt_str(&f, " bytes live in ");
	append_u64(&f, blocks);
	fmt_str(&f, " blocks");
	if (mem != MAP_FAILED) {
		t.bytes = (uint64_t *)mem;
		t.blocks = (uint64_t *)(mem + len / 2);
		addrmap_foreach(lk_blocks, sum_stack, &t);
		size_t best = 0;
		for (size_t i = 1; i < t.n; i++)
			if (t.bytes[i] > t.bytes[best])
				best = i;
		unsigned n = 0;
		const uintptr_t *pcs = stacks_get(lk_stacks, (stack_id_t)best, &n);
		fmt_str(&f, "; most (");
		append_u64(&f, t.bytes[best]);
		fmt_str(&f, " bytes in ");
		append_u64(&f, t.blocks[best]);
		fmt_str(&f, " blocks) allocated from");
		for (unsigned i = 0; pcs != NULL && i < n && i < WARN_FRAMES; i++) {
			Dl_info di;

			fmt_str(&f, i == 0 ? " " : " <- ");
			if (dladdr((void *)(pcs[i] - 1), &di) == 0 || di.dli_fname == NULL) {
				fmt_str(&f, "0x");
				fmt_hex(&f, pcs[i]);
				continue;
			}
			const char *base = strrchr(di.dli_fname, '/');
			base = base != NULL ? base + 1 : di.dli_fname;
			if (di.dli_sname != NULL) {     /* exported: name (module) */
				fmt_str(&f, di.dli_sname);
				fmt_str(&f, " (");
				fmt_str(&f, base);
				fmt_str(&f, ")");
			} else {                        /* static: module+offset */
				fmt_str(&f, base);
				fmt_str(&f, "+0x");
				fmt_hex(&f, pcs[i] - (uintptr_t)di.dli_fbase);
			}
		}
		munmap(mem, len);
	}
	line[f.len < sizeof(line) ? f.len : sizeof(line) - 1] = '\0';
	fmt_log(line, NULL);
}

static void
check_warnings(void)
{
	struct counters_snap c;

	counters_read(&c);
	if (lk_config.warn_bytes != 0 && !warned_bytes && c.live_bytes > lk_config.warn_bytes) {
		char what[64];
		struct fmtbuf f;

		warned_bytes = true;
		fmt_init(&f, what, sizeof(what) - 1);
		fmt_str(&f, "live heap passed LEAK_WARN_BYTES=");
		fmt_u64(&f, lk_config.warn_bytes);
		what[f.len] = '\0';
		warn(what, c.live_bytes, c.live_blocks);
	}
	if (lk_config.warn_percent != 0 && !warned_percent && mem_limit != 0 &&
	    c.live_bytes / lk_config.warn_percent > mem_limit / 100) {
		char what[96];
		struct fmtbuf f;

		warned_percent = true;
		fmt_init(&f, what, sizeof(what) - 1);
		fmt_str(&f, "live heap passed LEAK_WARN_PERCENT=");
		fmt_u64(&f, lk_config.warn_percent);
		fmt_str(&f, "% of the memory limit of ");
		fmt_u64(&f, mem_limit);
		fmt_str(&f, " bytes");
		what[f.len] = '\0';
		warn(what, c.live_bytes, c.live_blocks);
	}
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
	bool warn_on = lk_config.warn_bytes != 0 || (lk_config.warn_percent != 0 && mem_limit != 0);

	(void)arg;
	lk_busy = 1;            /* nothing this thread allocates is tracked */
	sigfillset(&all);
	sigdelset(&all, SIGPWR);        /* stopworld.c's: the exit scan stops us too */
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
			struct timespec ts = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };

			r = sem_clockwait(&wake, CLOCK_MONOTONIC, &ts);
		}
		if (!state_is(STATE_ACTIVE))
			return NULL;    /* the exit dump has begun: no more snapshots */
		if (r == 0)
			take_snapshot();
		uint64_t now = now_ns();
		if (next_snap != 0 && now >= next_snap) {
			take_snapshot();
			while (next_snap <= now)
				next_snap += lk_config.snapshot_interval_ns;
		}
		if (warn_on && now >= next_warn) {
			check_warnings();
			next_warn = now + WARN_POLL_MS * 1000000ull;
		}
	}
}

void
snapshot_start(void)
{
	pthread_t th;
	pthread_attr_t attr;

	if (lk_config.warn_percent != 0) {
		mem_limit = memory_limit();
		if (mem_limit == 0)
			fmt_log("LEAK_WARN_PERCENT is set but the process has no memory limit "
			    "(cgroup memory.max or RLIMIT_AS); no warning", NULL);
	}
	if (lk_config.snapshot_signal == 0 && lk_config.snapshot_interval_ns == 0 &&
	    lk_config.warn_bytes == 0 && mem_limit == 0)
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
