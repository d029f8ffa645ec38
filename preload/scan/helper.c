/*
 * helper.c - a second thread for the exit scan, made with clone() alone.
 *
 * The exit scan runs while the program's other threads are stopped, some of
 * them perhaps inside libc holding its locks (the thread-stack cache, the
 * loader's), so pthread_create could wait forever. A raw clone() takes no
 * lock: the helper shares our address space and, having no TLS of its own,
 * our thread pointer (its code reads only the stack-protector canary there,
 * which is the same for every thread). It has all signals blocked, so no
 * handler of the program ever runs on it; its stack comes from arena_map(),
 * so the scan does not take it for a root. It makes system calls only with
 * inline assembly: libc's wrappers would write errno through the thread
 * pointer, into our errno. None is made under a seccomp filter, which
 * might kill the process for a clone() it does not expect, nor with one
 * CPU; the scan then runs on one thread.
 *
 * Protocol: `gen` counts jobs; helper_run() publishes fn/arg and bumps it
 * (release) and wakes the helper, which waits on it with FUTEX_WAIT; when
 * the job returns the helper stores its number in `done` (release) and
 * wakes the caller, who waits on `done`. helper_stop() sets `quit` and
 * bumps `gen`; the kernel clears `tid` when the helper exits
 * (CLONE_CHILD_CLEARTID) and wakes whoever waits on it.
 *
 * Memory orders:
 *  (a) gen fetch_add (release) in helper_run/stop -> gen load (acquire) in
 *      the helper: fn, arg and quit are seen, and so is everything the
 *      caller wrote before the job (the scan's state).
 *  (b) done store (release) in the helper -> done load (acquire) in
 *      helper_wait: the job's writes are seen.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/arena.h"
#include "scan/helper.h"
#include "base/procfs.h"

#define STACK_SIZE ((size_t)256 << 10)

struct helper {
	_Atomic uint32_t gen;  /* jobs started; futex word */
	_Atomic uint32_t done; /* number of the last job finished; futex word */
	_Atomic int quit;
	void (*fn)(void *);
	void *arg;
	_Atomic pid_t tid; /* non-zero until the helper has exited */
	char *stack;       /* STACK_SIZE bytes from arena_map() */
};

/* futex(2) without libc's wrapper (no errno). x86_64. */
static long
raw_futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	long ret;
	register void *timeout __asm__("r10") = 0;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_futex), "D"(addr), "S"((long)op), "d"((long)val),
			 "r"(timeout)
			 : "rcx", "r11", "memory");
	return ret;
}

static int
helper_main(void *p)
{
	struct helper *h = p;
	uint32_t seen = 0;

	for (;;) {
		/* acquire: pairs with the release bump in helper_run/stop (a). */
		uint32_t g = atomic_load_explicit(&h->gen, memory_order_acquire);

		if (g == seen) {
			raw_futex(&h->gen, FUTEX_WAIT_PRIVATE, seen);
			continue;
		}
		if (atomic_load_explicit(&h->quit, memory_order_relaxed))
			return 0;
		seen = g;
		h->fn(h->arg);
		/* release: the job's writes before `done` (b). */
		atomic_store_explicit(&h->done, g, memory_order_release);
		raw_futex(&h->done, FUTEX_WAKE_PRIVATE, 1);
	}
}

static int
cpus_usable(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set);
}

/* True when a seccomp filter is installed: it may kill the process on a
 * clone() it does not expect, so we make none. */
static bool
seccomp_filtered(void)
{
	char buf[4096];
	ssize_t n = procfs_read("/proc/self/status", buf, sizeof(buf) - 1);

	if (n <= 0)
		return true; /* cannot tell: assume the worst */
	buf[n] = '\0';
	const char *p = strstr(buf, "\nSeccomp:");
	if (p == NULL)
		return false; /* a kernel without seccomp */
	p += strlen("\nSeccomp:");
	while (*p == ' ' || *p == '\t')
		p++;
	return *p != '0';
}

struct helper *
helper_start(void)
{
	if (cpus_usable() < 2)
		return NULL; /* no second CPU: it would only take turns */
	if (seccomp_filtered())
		return NULL;
	struct helper *h = arena_map(sizeof(*h) + STACK_SIZE);
	if (h == NULL)
		return NULL;
	h->stack = (char *)h + ((sizeof(*h) + 15) & ~(size_t)15);
	atomic_store_explicit(&h->tid, 1, memory_order_relaxed);

	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the helper inherits it */
	int r = clone(helper_main, h->stack + STACK_SIZE - 64,
	    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		CLONE_CHILD_CLEARTID,
	    h, NULL, NULL, &h->tid);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r == -1) {
		arena_unmap(h, sizeof(*h) + STACK_SIZE);
		return NULL;
	}
	return h;
}

void
helper_run(struct helper *h, void (*fn)(void *), void *arg)
{
	h->fn = fn;
	h->arg = arg;
	/* release: fn, arg and the caller's writes before the job (a). */
	atomic_fetch_add_explicit(&h->gen, 1, memory_order_release);
	raw_futex(&h->gen, FUTEX_WAKE_PRIVATE, 1);
}

void
helper_wait(struct helper *h)
{
	uint32_t want = atomic_load_explicit(&h->gen, memory_order_relaxed);

	for (;;) {
		/* acquire: pairs with the helper's release of `done` (b). */
		uint32_t d = atomic_load_explicit(&h->done, memory_order_acquire);

		if (d == want)
			return;
		raw_futex(&h->done, FUTEX_WAIT_PRIVATE, d);
	}
}

void
helper_stop(struct helper *h)
{
	atomic_store_explicit(&h->quit, 1, memory_order_relaxed);
	/* release: quit is seen with the new generation (a). */
	atomic_fetch_add_explicit(&h->gen, 1, memory_order_release);
	raw_futex(&h->gen, FUTEX_WAKE_PRIVATE, 1);
	for (;;) {
		/* acquire: the kernel's clear at the helper's exit. */
		pid_t t = atomic_load_explicit(&h->tid, memory_order_acquire);

		if (t == 0)
			break;
		raw_futex((_Atomic uint32_t *)&h->tid, FUTEX_WAIT, (uint32_t)t);
	}
	arena_unmap(h, sizeof(*h) + STACK_SIZE);
}
