/*
 * check_exits.c - exits.c: the first thread to claim the exit owns it;
 * the owner may claim again (exit() from an exit handler); any other
 * thread that claims later parks for good; a fork child starts afresh.
 * Each case runs in its own (forked) process: the owner is never released.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "life/exits.h"

struct claimer {
	_Atomic int before; /* set before exits_claim() */
	_Atomic int after;  /* set when it returned */
};

static void *
claim(void *arg)
{
	struct claimer *c = arg;

	atomic_store(&c->before, 1);
	exits_claim();
	atomic_store(&c->after, 1);
	return NULL;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits up to a second for c->before, then 200 ms more. */
static void
settle(struct claimer *c)
{
	for (int k = 0; k < 1000 && !atomic_load(&c->before); k++)
		nap_ms(1);
	ck_assert(atomic_load(&c->before));
	nap_ms(200);
}

START_TEST(first_claim_returns_and_again)
{
	exits_claim();
	exits_claim(); /* from an exit handler: still ours */
	exits_claim();
}
END_TEST

START_TEST(a_later_thread_parks)
{
	static struct claimer c;
	pthread_t t;

	exits_claim();
	ck_assert_int_eq(pthread_create(&t, NULL, claim, &c), 0);
	settle(&c);
	ck_assert_msg(!atomic_load(&c.after), "a second thread's exits_claim() returned");
	exits_claim(); /* the owner still may */
}
END_TEST

/* The owner is whichever thread claims first, not the main thread. */
START_TEST(another_thread_owns_the_main_one_would_park)
{
	static struct claimer first, second;
	pthread_t a, b;

	ck_assert_int_eq(pthread_create(&a, NULL, claim, &first), 0);
	ck_assert_int_eq(pthread_join(a, NULL), 0);
	ck_assert(atomic_load(&first.after));
	ck_assert_int_eq(pthread_create(&b, NULL, claim, &second), 0);
	settle(&second);
	ck_assert(!atomic_load(&second.after));
}
END_TEST

/* Forks; the child claims (and must not park), the status goes to *arg. */
static void *
fork_and_claim(void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		alarm(2); /* a parked child dies of SIGALRM */
		exits_claim();
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, arg, 0);
	return NULL;
}

/* A fork child inherits the parent's owner, a thread it does not have:
 * its own claim must return. */
START_TEST(fork_child_starts_afresh)
{
	int st;
	pid_t pid;

	exits_claim();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		alarm(2); /* a parked child dies of SIGALRM */
		exits_claim();
		exits_claim();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's claim did not return");
	/* and a child forked by a thread that is not the owner */
	pthread_t t;
	int status = -1;

	ck_assert_int_eq(pthread_create(&t, NULL, fork_and_claim, &status), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the claim of a child forked by another thread did not return");
}
END_TEST

/* Two threads race to claim: exactly one returns. */
START_TEST(race_elects_one)
{
	enum {
		N = 8
	};
	static struct claimer c[N];
	pthread_t t[N];
	int returned = 0;

	for (int k = 0; k < N; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, claim, &c[k]), 0);
	for (int k = 0; k + 1 < N; k++)
		for (int w = 0; w < 1000 && !atomic_load(&c[k].before); w++)
			nap_ms(1);
	settle(&c[N - 1]);
	for (int k = 0; k < N; k++)
		returned += atomic_load(&c[k].after);
	ck_assert_int_eq(returned, 1);
}
END_TEST

static Suite *
exits_suite(void)
{
	Suite *s = suite_create("exits");
	TCase *tc = tcase_create("exits");

	tcase_add_test(tc, first_claim_returns_and_again);
	tcase_add_test(tc, a_later_thread_parks);
	tcase_add_test(tc, another_thread_owns_the_main_one_would_park);
	tcase_add_test(tc, fork_child_starts_afresh);
	tcase_add_loop_test(tc, race_elects_one, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(exits_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
