/*
 * e2e.h - output for the e2e programs without stdio.
 *
 * The programs print through say(), which formats into a stack buffer and
 * calls write(): stdio would malloc a stdout buffer that is never freed and
 * would show up in every dump. NOINLINE keeps each allocating function a
 * frame of its own at -O2, so a test can name the caller of the allocator.
 */
#ifndef E2E_H
#define E2E_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))

/* An empty asm after the allocation: the call is no longer in tail position,
 * so -O2 cannot turn it into a jump that drops the caller's frame. */
#define NO_TAIL_CALL() __asm__ volatile("" ::: "memory")

/* Keeps the compiler from dropping an allocation whose result is unused. */
static void *volatile e2e_sink;

/*
 * Overwrites 16 KiB of stack below the caller's frame, where the functions it
 * called kept their locals, so that no stale copy of a pointer there keeps a
 * lost block alive. Memcheck takes as roots every addressable word of the
 * stack segment at exit, and the 128-byte red zone below the stack pointer
 * stays addressable: a stale address in a slot the exit path happens not to
 * overwrite (glibc picks its string functions by CPU) is the likeliest
 * reason Valgrind once called a lost block reachable on the CI machine
 * (never seen here).
 */
static void __attribute__((noinline, noclone, unused))
e2e_scrub_stack(void)
{
	volatile char pad[16384];

	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = 0;
	NO_TAIL_CALL();
}

static inline void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, buf + off, (size_t)(n - off));

		if (w <= 0)
			break;
		off += (int)w;
	}
}

/*
 * Parked threads: a worker that must stay alive until the process exits
 * calls e2e_park() once it holds what it holds; e2e_start_parked() starts
 * such a worker and returns when it has parked. The worker's frame stays
 * live (it blocks in read() on a pipe nobody writes). Include <pthread.h>
 * before this header to use them.
 */
#ifdef PTHREAD_CREATE_JOINABLE
static int e2e_never[2] __attribute__((unused));
static int e2e_parked[2] __attribute__((unused));

static inline void
e2e_park(void)
{
	char c;

	if (write(e2e_parked[1], "r", 1) != 1)
		return;
	while (read(e2e_never[0], &c, 1) != 0)
		;               /* nobody writes: blocks until the process exits */
}

static inline int
e2e_start_parked(void *(*fn)(void *))
{
	pthread_t t;
	char c;

	if (pipe(e2e_never) != 0 || pipe(e2e_parked) != 0)
		return -1;
	if (pthread_create(&t, NULL, fn, NULL) != 0)
		return -1;
	return read(e2e_parked[0], &c, 1) == 1 ? 0 : -1;
}
#endif

#endif /* E2E_H */
