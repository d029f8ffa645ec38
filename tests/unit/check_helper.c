/*
 * check_helper.c - helper.c: the exit scan's second thread, made with
 * clone() alone: jobs run on another thread, helper_wait() sees their
 * writes, many jobs in a row, helper_stop() ends the thread; and no
 * helper with one CPU or under a seccomp filter. Each case runs in its
 * own (forked) process.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scan/helper.h"

static int
cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
}

/* Threads of this process, from /proc/self/task. */
static int
count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The count once it is `want` (a thread that has just exited may still be
 * listed for a moment), or after a second, whatever it is. */
static int
threads_settle(int want)
{
	int n = count_threads();

	for (int k = 0; k < 1000 && n != want; k++) {
		usleep(1000);
		n = count_threads();
	}
	return n;
}

struct job {
	long tid; /* the thread it ran on */
	uint64_t sum;
	const uint64_t *in;
	size_t n;
};

static void
run_job(void *arg)
{
	struct job *j = arg;

	j->tid = syscall(SYS_gettid); /* succeeds: errno is not written */
	for (size_t i = 0; i < j->n; i++)
		j->sum += j->in[i];
}

START_TEST(jobs_run_on_another_thread)
{
	static uint64_t in[100000];
	struct helper *h;
	int before = count_threads();

	if (cpus() < 2) {
		ck_assert_ptr_null(helper_start());
		return;
	}
	for (size_t i = 0; i < 100000; i++)
		in[i] = i;
	h = helper_start();
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(threads_settle(before + 1), before + 1);
	for (int round = 0; round < 1000; round++) {
		struct job j = { .in = in, .n = (size_t)round * 97 % 100000 };

		helper_run(h, run_job, &j);
		helper_wait(h);
		ck_assert_int_ne(j.tid, syscall(SYS_gettid));
		ck_assert_uint_eq(j.sum, (uint64_t)j.n * (j.n - 1) / 2); /* 0 + 1 + ... */
	}
	helper_stop(h);
	ck_assert_int_eq(threads_settle(before), before);
}
END_TEST

/* The caller works while the helper does: both halves done at the wait. */
START_TEST(caller_and_helper_in_parallel)
{
	static uint64_t in[200000];
	struct helper *h;

	if (cpus() < 2)
		return;
	for (size_t i = 0; i < 200000; i++)
		in[i] = 3;
	h = helper_start();
	ck_assert_ptr_nonnull(h);
	for (int round = 0; round < 200; round++) {
		struct job a = { .in = in, .n = 100000 }, z = { .in = in + 100000, .n = 100000 };

		helper_run(h, run_job, &z);
		run_job(&a);
		helper_wait(h);
		ck_assert_uint_eq(a.sum + z.sum, 600000);
	}
	helper_stop(h);
}
END_TEST

START_TEST(stop_without_a_job)
{
	struct helper *h;
	int before = count_threads();

	if (cpus() < 2)
		return;
	for (int k = 0; k < 20; k++) {
		h = helper_start();
		ck_assert_ptr_nonnull(h);
		helper_stop(h);
	}
	ck_assert_int_eq(threads_settle(before), before);
}
END_TEST

START_TEST(one_cpu_no_helper)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	ck_assert_ptr_null(helper_start());
}
END_TEST

/* Under any seccomp filter (here one that allows everything) no clone()
 * is made. */
START_TEST(seccomp_no_helper)
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };

	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
	ck_assert_ptr_null(helper_start());
}
END_TEST

static Suite *
helper_suite(void)
{
	Suite *s = suite_create("helper");
	TCase *tc = tcase_create("helper");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, jobs_run_on_another_thread);
	tcase_add_test(tc, caller_and_helper_in_parallel);
	tcase_add_test(tc, stop_without_a_job);
	tcase_add_test(tc, one_cpu_no_helper);
	tcase_add_test(tc, seccomp_no_helper);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(helper_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
