/*
 * thread.c - the interposed thread and POSIX timer calls: pthread_create,
 * pthread_join, pthread_tryjoin_np, pthread_timedjoin_np,
 * pthread_clockjoin_np, pthread_detach; timer_create, timer_delete.
 *
 * A joinable thread the program creates gets a record (track/resources.h)
 * before the real pthread_create, and starts in trampoline(), which names
 * the record, notes its tid, runs the start routine and marks the record
 * exited when the routine returns, the thread calls pthread_exit or is
 * cancelled (a cleanup handler). A join that succeeds, or a detach, drops
 * the record. So at exit the records left that say exited are the threads
 * that finished and were never joined nor detached; those still running
 * are not listed. A thread created detached, or by libleak's own code, is
 * not recorded and starts directly.
 *
 * A timer is recorded after timer_create succeeded and dropped before
 * timer_delete (its id may be reused as soon as it is deleted). Each hook
 * returns what the real call returns, with its errno.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "interpose/reshook.h"

static void
trampoline_done(void *t)
{
	res_thread_exited(t);
}

/* The start of a recorded thread: see the header. The argument is taken
 * out of the record and only passed on, never kept in this frame, so the
 * exit scan finds the program's block where the program keeps it. */
static void *
trampoline(void *p)
{
	struct res_thread *t = p;
	uintptr_t fn, arg;
	void *volatile ret = NULL;

	res_thread_name(t, (uintptr_t)pthread_self());
	res_thread_started(t, (uint64_t)syscall(SYS_gettid), &fn, &arg);
	pthread_cleanup_push(trampoline_done, t);
	ret = ((void *(*)(void *))fn)((void *)arg);
	pthread_cleanup_pop(1);
	return ret;
}

static bool
attr_detached(const pthread_attr_t *attr)
{
	int st = PTHREAD_CREATE_JOINABLE;

	return attr != NULL && pthread_attr_getdetachstate(attr, &st) == 0 &&
	    st == PTHREAD_CREATE_DETACHED;
}

LK_EXPORT int
pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	REAL_NEXT(pthread_create);
	struct res_thread *t = NULL;

	if (reshook_wanted() && !attr_detached(attr)) {
		int e = errno;

		t = res_thread_claim((uintptr_t)fn, (uintptr_t)arg, RESHOOK_STACK());
		errno = e;
	}
	if (t == NULL)
		return real_pthread_create(th, attr, fn, arg);
	int rc = real_pthread_create(th, attr, trampoline, t);

	if (rc != 0)
		res_thread_abandon(t);
	else
		res_thread_name(t, (uintptr_t)*th);
	return rc;
}

LK_EXPORT int
pthread_join(pthread_t th, void **ret)
{
	REAL_NEXT(pthread_join);
	int rc = real_pthread_join(th, ret);

	if (rc == 0)
		res_thread_forget((uintptr_t)th);
	return rc;
}

LK_EXPORT int
pthread_tryjoin_np(pthread_t th, void **ret)
{
	REAL_NEXT(pthread_tryjoin_np);
	int rc = real_pthread_tryjoin_np(th, ret);

	if (rc == 0)
		res_thread_forget((uintptr_t)th);
	return rc;
}

LK_EXPORT int
pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *abstime)
{
	REAL_NEXT(pthread_timedjoin_np);
	int rc = real_pthread_timedjoin_np(th, ret, abstime);

	if (rc == 0)
		res_thread_forget((uintptr_t)th);
	return rc;
}

LK_EXPORT int
pthread_clockjoin_np(pthread_t th, void **ret, clockid_t clk, const struct timespec *abstime)
{
	REAL_NEXT(pthread_clockjoin_np);
	int rc = real_pthread_clockjoin_np(th, ret, clk, abstime);

	if (rc == 0)
		res_thread_forget((uintptr_t)th);
	return rc;
}

LK_EXPORT int
pthread_detach(pthread_t th)
{
	REAL_NEXT(pthread_detach);
	/* Before: once detached, an exited thread's pthread_t may be reused. */
	int e = errno;

	res_thread_forget((uintptr_t)th);
	errno = e;
	return real_pthread_detach(th);
}

LK_EXPORT int
timer_create(clockid_t clk, struct sigevent *sev, timer_t *id)
{
	REAL_NEXT(timer_create);
	int r = real_timer_create(clk, sev, id);

	if (r == 0 && reshook_wanted()) {
		int e = errno;

		res_timer_add((uintptr_t)*id, (int)clk, RESHOOK_STACK());
		errno = e;
	}
	return r;
}

LK_EXPORT int
timer_delete(timer_t id)
{
	REAL_NEXT(timer_delete);
	res_timer_del((uintptr_t)id);
	return real_timer_delete(id);
}
