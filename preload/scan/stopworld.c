/*
 * stopworld.c - stops every other thread of the process with a signal, as
 * conservative collectors do, for the exit scan; then lets them go.
 *
 * No ptrace: it works in unprivileged containers and under gdb or strace.
 * The caller (scan.c, from the exit dump) runs stopworld_stop(): we install
 * a handler for STOP_SIGNAL, list /proc/self/task with getdents64 and send
 * each other thread the signal with tgkill, again until a listing shows no
 * thread we have not signalled (threads may start meanwhile). The handler
 * publishes where its thread's live stack starts (the handler's own frame:
 * everything above it, the signal frame with all registers, vector ones
 * included, then the interrupted frames, is live) and the interrupted
 * stack pointer (for a thread on an alternate signal stack), then sleeps on
 * a futex until stopworld_resume(). Before a thread is signalled, its
 * /proc/self/task/TID/status is read: a thread that sleeps with the stop
 * signal in its SigBlk (liblzma's workers, many thread pools: they block
 * every signal) could never answer, and an exiting one (state Z or X) will
 * not; neither is signalled or waited for (one that runs with it blocked
 * is, see cannot_answer()). Such a thread, and one that does not answer
 * within WAIT_MS in all (it blocked the signal after we looked), is
 * described from /proc/self/task/TID/syscall when it sits in a system
 * call: its stack from the saved stack pointer, without its registers. It
 * is not stopped. The time spent waiting for threads that never answered
 * is kept for the exit summary (stopworld_waited()).
 *
 * Invariants: while stopped, no thread runs code that could hold a lock we
 * need; so between stop and resume the caller must not call malloc, stdio,
 * dl_iterate_phdr or anything else that locks. Everything here is a system
 * call or an atomic. The thread slots are one mmap'd array.
 *
 * Memory orders: a slot's fields are written by its thread, then `state`
 * is stored with release; the stopper reads state with acquire (the pair
 * that makes sp/handler_sp/tp visible). `go` is stored with release by the
 * stopper and read with acquire by the sleepers; `left` counts handlers
 * that are done with their slot (release), read with acquire before the
 * slots are dropped and the old signal action comes back.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "scan/stopworld.h"
#include "track/track.h"

_Static_assert(sizeof(((struct sw_thread *)0)->moving_words) == sizeof(track_moving_words),
    "a slot keeps every moving word");

#define STOP_SIGNAL SIGPWR
#define WAIT_MS     250 /* in all, for threads that were signalled */

enum {
	SLOT_SENT = 1,
	SLOT_STOPPED = 2,
	SLOT_SKIPPED = 3, /* blocks the signal, or exits: never signalled */
	SLOT_GAVEUP = 4   /* signalled, then found asleep with it blocked */
};

static struct sw_thread *slots; /* SW_MAX_THREADS, mapped by stop */
static _Atomic int nslots;
static _Atomic int go;   /* 1: resume */
static _Atomic int left; /* handlers that left their slot */
static _Atomic int stopped_count;
static struct sigaction old_action;
static int sent_count;  /* threads signalled by the last stop */
static unsigned waited; /* ms the last stop waited for threads that never answered */
static int late;        /* how many of those */
static int skipped;     /* threads not signalled: the signal blocked, or exiting */

static long
futex(_Atomic int *uaddr, int op, int val)
{
	return syscall(SYS_futex, (int *)uaddr, op, val, NULL, NULL, 0);
}

static void
on_stop(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int saved = errno;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int n = atomic_load_explicit(&nslots, memory_order_acquire);
	volatile uintptr_t here = 0;

	(void)sig;
	(void)si;
	for (int i = 0; i < n; i++) {
		struct sw_thread *t = &slots[i];

		if (t->tid != tid)
			continue;
		t->handler_sp = (uintptr_t)&here;
		t->sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
		t->tp = (uintptr_t)__builtin_thread_pointer();
		t->moving_lo = track_moving_lo;
		t->moving_hi = track_moving_hi;
		if (t->moving_hi > t->moving_lo)
			memcpy(t->moving_words, track_moving_words, sizeof(t->moving_words));
		/* release: the fields above to the stopper's acquire of state. */
		atomic_store_explicit(&t->state, SLOT_STOPPED, memory_order_release);
		atomic_fetch_add_explicit(&stopped_count, 1, memory_order_release);
		futex(&stopped_count, FUTEX_WAKE_PRIVATE, 1);
		/* acquire: pairs with the release of go in stopworld_resume(). */
		while (!atomic_load_explicit(&go, memory_order_acquire))
			futex(&go, FUTEX_WAIT_PRIVATE, 0);
		break;
	}
	/* release: we no longer touch our slot or this handler's state. */
	atomic_fetch_add_explicit(&left, 1, memory_order_release);
	errno = saved;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Reads /proc/self/task/TID/NAME into buf (NUL-terminated); its length,
 * or -1. Only system calls. */
static ssize_t
task_read(pid_t tid, const char *name, char *buf, size_t cap)
{
	char path[64];
	char num[16];
	int k = 0;
	size_t len = strlen(name);

	for (pid_t v = tid; v > 0 && k < 15; v /= 10)
		num[k++] = (char)('0' + v % 10);
	if (16 + k + 1 + len + 1 > sizeof(path))
		return -1;
	memcpy(path, "/proc/self/task/", 16);
	for (int i = 0; i < k; i++)
		path[16 + i] = num[k - 1 - i];
	path[16 + k] = '/';
	memcpy(path + 16 + k + 1, name, len + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r;
	while ((r = read(fd, buf, cap - 1)) < 0 && errno == EINTR)
		;
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return r;
}

/* The hex digit c's value, or -1. */
static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* True when thread tid cannot take the stop signal now: it is exiting
 * (State Z or X), or it blocks the signal (SigBlk) while it sleeps (State
 * S, D, T...): liblzma's workers and many pools wait so, all signals
 * blocked. A thread that blocks the signal while it runs (State R) is most
 * often in a short masked section (libunwind blocks every signal around its
 * locks, glibc around thread creation): it is signalled, takes the signal
 * when it unblocks, and the bounded wait covers one that never does.
 * False when the status cannot be read: then it is signalled too. */
static bool
cannot_answer(pid_t tid)
{
	char buf[2048];
	char state = '?';
	bool blocked = false;

	if (task_read(tid, "status", buf, sizeof(buf)) <= 0)
		return false;
	for (const char *l = buf; *l != '\0';) {
		if (strncmp(l, "State:", 6) == 0) {
			const char *p = l + 6;

			while (*p == ' ' || *p == '\t')
				p++;
			state = *p;
		} else if (strncmp(l, "SigBlk:", 7) == 0) {
			const char *p = l + 7;
			uint64_t mask = 0;
			int d;

			while (*p == ' ' || *p == '\t')
				p++;
			for (; (d = hex_digit(*p)) >= 0; p++)
				mask = mask << 4 | (uint64_t)d;
			blocked = (mask & (1ull << (STOP_SIGNAL - 1))) != 0;
		}
		while (*l != '\0' && *l != '\n')
			l++;
		if (*l == '\n')
			l++;
	}
	return state == 'Z' || state == 'X' || (blocked && state != 'R');
}

/* Reads the stack pointer of a thread blocked in a system call. */
static uintptr_t
syscall_sp(pid_t tid)
{
	char buf[512];

	if (task_read(tid, "syscall", buf, sizeof(buf)) <= 0)
		return 0;
	/* "nr arg1 .. arg6 sp pc": the second-to-last field. */
	char *fields[16];
	int nf = 0;
	for (char *p = buf; *p != '\0' && nf < 16;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		fields[nf++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\n')
			p++;
	}
	if (nf < 3 || fields[nf - 2][0] != '0' || fields[nf - 2][1] != 'x')
		return 0;
	uintptr_t sp = 0;
	for (char *p = fields[nf - 2] + 2; *p != '\0' && *p != ' ' && *p != '\n'; p++) {
		int d = *p >= 'a' ? *p - 'a' + 10 : *p - '0';

		sp = sp * 16 + (uintptr_t)d;
	}
	return sp;
}

/* Signals every thread not yet in a slot; returns how many were new. */
static int
signal_new_threads(pid_t self)
{
	char buf[4096];
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fresh = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, sizeof(buf));

		if (r <= 0)
			break;
		for (long off = 0; off < r;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			pid_t tid = 0;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			for (const char *c = d->d_name; *c != '\0'; c++)
				tid = tid * 10 + (*c - '0');
			if (tid == self)
				continue;
			int n = atomic_load_explicit(&nslots, memory_order_relaxed);
			bool known = false;
			for (int i = 0; i < n && !known; i++)
				known = slots[i].tid == tid;
			if (known || n >= SW_MAX_THREADS)
				continue;
			slots[n].tid = tid;
			if (cannot_answer(tid)) {
				/* Not signalled, not waited for: described from
				 * its system call below, in stopworld_stop(). */
				atomic_store_explicit(&slots[n].state, SLOT_SKIPPED,
				    memory_order_relaxed);
				atomic_store_explicit(&nslots, n + 1, memory_order_release);
				skipped++;
				continue;
			}
			atomic_store_explicit(&slots[n].state, SLOT_SENT, memory_order_relaxed);
			/* release: the handler's acquire of nslots sees the tid. */
			atomic_store_explicit(&nslots, n + 1, memory_order_release);
			if (syscall(SYS_tgkill, getpid(), tid, STOP_SIGNAL) != 0)
				slots[n].tid = -1; /* gone meanwhile */
			else
				fresh++;
		}
	}
	close(fd);
	return fresh;
}

/* Whether a signalled thread is still to be waited for: one that went to
 * sleep with the signal blocked after it was signalled (it was running in
 * a masked section then) never answers, and is given up (SENT -> GAVEUP;
 * its signal stays pending, our handler stays installed for it). */
static bool
still_waiting(void)
{
	int n = atomic_load_explicit(&nslots, memory_order_relaxed);
	bool any = false;

	for (int i = 0; i < n; i++) {
		struct sw_thread *t = &slots[i];
		int st = SLOT_SENT;

		if (t->tid <= 0 ||
		    atomic_load_explicit(&t->state, memory_order_acquire) != SLOT_SENT)
			continue;
		/* relaxed: the CAS only decides between us and its handler,
		 * which stores STOPPED with release (read with acquire above). */
		if (cannot_answer(t->tid) &&
		    atomic_compare_exchange_strong_explicit(&t->state, &st, SLOT_GAVEUP,
			memory_order_relaxed, memory_order_relaxed)) {
			skipped++;
			continue;
		}
		any = true;
	}
	return any;
}

int
stopworld_stop(struct sw_thread **threads)
{
	struct sigaction sa;
	pid_t self = (pid_t)syscall(SYS_gettid);

	slots = arena_map(SW_MAX_THREADS * sizeof(*slots));
	if (slots == NULL)
		return -1;
	atomic_store_explicit(&nslots, 0, memory_order_relaxed);
	atomic_store_explicit(&go, 0, memory_order_relaxed);
	atomic_store_explicit(&left, 0, memory_order_relaxed);
	atomic_store_explicit(&stopped_count, 0, memory_order_relaxed);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigaction(STOP_SIGNAL, &sa, &old_action);

	int sent = 0;
	unsigned ms = 0; /* waited in all; at most WAIT_MS */
	waited = 0;
	late = 0;
	skipped = 0;
	for (int round = 0; round < 50; round++) {
		int fresh = signal_new_threads(self);

		sent += fresh;
		if (fresh == 0 && round > 0)
			break;
		/* Wait for this round's threads before listing again: first
		 * yield (a thread on the other core answers in microseconds),
		 * then sleep in steps of 1 ms, within one budget for the stop. */
		for (int spin = 0; spin < 64; spin++) {
			/* acquire: pairs with the handlers' release increments. */
			if (atomic_load_explicit(&stopped_count, memory_order_acquire) >= sent)
				break;
			sched_yield();
		}
		while (ms < WAIT_MS &&
		    atomic_load_explicit(&stopped_count, memory_order_acquire) < sent &&
		    still_waiting()) {
			sleep_ms(1);
			ms++;
		}
	}
	sent_count = sent;
	int n = atomic_load_explicit(&nslots, memory_order_relaxed);
	for (int i = 0; i < n; i++) {
		struct sw_thread *t = &slots[i];

		/* acquire: pairs with the handler's release of state. */
		if (t->tid > 0 &&
		    atomic_load_explicit(&t->state, memory_order_acquire) != SLOT_STOPPED) {
			if (atomic_load_explicit(&t->state, memory_order_relaxed) == SLOT_SENT)
				late++;
			t->sp = syscall_sp(t->tid);
			t->handler_sp = 0;
		}
	}
	if (late > 0)
		waited = ms;
	*threads = slots;
	return n;
}

void
stopworld_resume(void)
{
	if (slots == NULL)
		return;
	int n = atomic_load_explicit(&nslots, memory_order_relaxed);
	/* acquire: pairs with the handlers' release increments; only these
	 * are waited for below (a thread that never answered may never). */
	int expect = atomic_load_explicit(&stopped_count, memory_order_acquire);

	/* release: pairs with the sleepers' acquire of go. */
	atomic_store_explicit(&go, 1, memory_order_release);
	futex(&go, FUTEX_WAKE_PRIVATE, n + 1);
	/* Wait until every stopped thread has left the handler: they are
	 * runnable now, so this is short; bounded all the same. */
	for (int ms = 0; ms < 1000; ms++) {
		/* acquire: pairs with the handlers' release of left. */
		if (atomic_load_explicit(&left, memory_order_acquire) >= expect)
			break;
		if (ms < 64)
			sched_yield();
		else
			sleep_ms(1);
	}
	/* Our handler stays when a signalled thread never answered: its
	 * signal may still be pending (it blocked it after we looked), and
	 * the signal's default action would end the process when the thread
	 * unblocks it; our handler, with go set, returns at once. */
	if (expect >= sent_count)
		sigaction(STOP_SIGNAL, &old_action, NULL);
	/* The slot array stays mapped: a late handler may still look at it. */
}

void
stopworld_waited(unsigned *ms, int *threads, int *unsignalled)
{
	*ms = waited;
	*threads = late;
	*unsignalled = skipped;
}
