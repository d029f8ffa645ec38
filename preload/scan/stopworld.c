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
 * /proc/self/task/TID/status is read: a thread whose SigBlk has the stop
 * signal (liblzma's workers, many thread pools: they block every signal)
 * could never answer, and an exiting one (state Z or X) will not; neither
 * is signalled or waited for. One that blocks it while running (State R)
 * may be a thread being created, which glibc starts with every signal
 * blocked until its start routine: it is asked again each round, for
 * GRACE_MS in all, and signalled once it takes the signal (a check made
 * just after pthread_create() would otherwise scan while that thread
 * changes the heap). Such a thread, and one that does not answer
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

#define STOP_SIGNAL SIGPWR
#define WAIT_MS     250 /* in all, for threads that were signalled */
#define GRACE_MS    5   /* in all, for threads that block it and run */

enum {
	SLOT_SENT = 1,
	SLOT_STOPPED = 2,
	SLOT_SKIPPED = 3 /* blocks the signal, or exits: never signalled */
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

enum answer {
	ANSWER_YES,     /* takes the signal: signal it and wait */
	ANSWER_BLOCKED, /* blocks it and sleeps: described from its system call */
	ANSWER_RUNNING, /* blocks it and runs: perhaps a thread being created
			 * (glibc blocks every signal until its start routine
			 * runs), so asked again in a later round */
	ANSWER_EXITING  /* State Z or X */
};

/* Whether thread tid can take the stop signal now: its status's SigBlk
 * and State. ANSWER_YES when the status cannot be read: then it is
 * signalled, and the bounded wait covers it. */
static enum answer
can_answer(pid_t tid)
{
	char buf[2048];
	bool blocked = false, running = false;

	if (task_read(tid, "status", buf, sizeof(buf)) <= 0)
		return ANSWER_YES;
	for (const char *l = buf; *l != '\0';) {
		if (strncmp(l, "State:", 6) == 0) {
			const char *p = l + 6;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == 'Z' || *p == 'X')
				return ANSWER_EXITING;
			running = *p == 'R';
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
	if (!blocked)
		return ANSWER_YES;
	return running ? ANSWER_RUNNING : ANSWER_BLOCKED;
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

/* Sends the stop signal to slot n's thread, now SLOT_SENT; 1 when it was
 * sent, 0 when the thread is gone. */
static int
send_stop(int n)
{
	atomic_store_explicit(&slots[n].state, SLOT_SENT, memory_order_relaxed);
	if (syscall(SYS_tgkill, getpid(), slots[n].tid, STOP_SIGNAL) != 0) {
		slots[n].tid = -1; /* gone meanwhile */
		return 0;
	}
	return 1;
}

/* Threads skipped because they blocked the signal while running: those
 * that take it now are signalled. Returns how many were; *running: how
 * many still block it and run. */
static int
signal_unblocked(int *running)
{
	int n = atomic_load_explicit(&nslots, memory_order_relaxed), fresh = 0;

	*running = 0;
	for (int i = 0; i < n; i++) {
		if (slots[i].tid <= 0 || !slots[i].was_running ||
		    atomic_load_explicit(&slots[i].state, memory_order_relaxed) != SLOT_SKIPPED)
			continue;
		enum answer a = can_answer(slots[i].tid);

		if (a == ANSWER_YES) {
			slots[i].was_running = false;
			skipped--;
			fresh += send_stop(i);
		} else if (a == ANSWER_RUNNING) {
			(*running)++;
		} else {
			slots[i].was_running = false;
		}
	}
	return fresh;
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
			enum answer a = can_answer(tid);
			if (a != ANSWER_YES) {
				/* Not signalled, not waited for: described from
				 * its system call below, in stopworld_stop(). One
				 * that runs is asked again (signal_unblocked). */
				slots[n].was_running = a == ANSWER_RUNNING;
				atomic_store_explicit(&slots[n].state, SLOT_SKIPPED,
				    memory_order_relaxed);
				atomic_store_explicit(&nslots, n + 1, memory_order_release);
				skipped++;
				continue;
			}
			slots[n].was_running = false;
			atomic_store_explicit(&slots[n].state, SLOT_SENT, memory_order_relaxed);
			/* release: the handler's acquire of nslots sees the tid. */
			atomic_store_explicit(&nslots, n + 1, memory_order_release);
			fresh += send_stop(n);
		}
	}
	close(fd);
	return fresh;
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
	unsigned grace = 0; /* ms given to threads that block the signal and run */
	for (int round = 0; round < 50; round++) {
		int running = 0;
		int fresh = signal_new_threads(self) + signal_unblocked(&running);

		sent += fresh;
		if (fresh == 0 && round > 0) {
			/* A thread that blocks the signal and runs may be one
			 * being created: glibc unblocks signals before its
			 * start routine. It is given GRACE_MS in all to do
			 * so; one that keeps them blocked (a worker's loop)
			 * runs on unstopped, as one that sleeps does. */
			if (running == 0 || grace >= GRACE_MS)
				break;
			sleep_ms(1);
			grace++;
			continue;
		}
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
		    atomic_load_explicit(&stopped_count, memory_order_acquire) < sent) {
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
