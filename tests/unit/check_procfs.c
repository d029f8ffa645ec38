/*
 * check_procfs.c - procfs.c: a whole small file into a caller's buffer:
 * the length read, at most cap bytes, -1 only when it cannot be opened,
 * short reads retried (a FIFO fed in small pieces).
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/procfs.h"

#define TMPDIR_TEMPLATE "/tmp/check_procfs.XXXXXX"
#include "tmpdir.h"

static char path[512];

static void
write_file(const char *p, const char *data, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

START_TEST(whole_file_and_cap)
{
	static char data[10000], buf[20000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/data", tmpdir);
	write_file(path, data, sizeof(data));
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(procfs_read(path, buf, sizeof(buf)), (ssize_t)sizeof(data));
	ck_assert_mem_eq(buf, data, sizeof(data));
	ck_assert_int_eq(buf[sizeof(data)], 0); /* nothing past it */
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(procfs_read(path, buf, 100), 100);
	ck_assert_mem_eq(buf, data, 100);
	ck_assert_int_eq(buf[100], 0); /* never past cap */
	ck_assert_int_eq(procfs_read(path, buf, sizeof(data)), (ssize_t)sizeof(data));
	ck_assert_int_eq(procfs_read(path, buf, 0), 0);
	write_file(path, "", 0);
	ck_assert_int_eq(procfs_read(path, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(missing_is_minus_one)
{
	char buf[16];

	snprintf(path, sizeof(path), "%s/none", tmpdir);
	ck_assert_int_eq(procfs_read(path, buf, sizeof(buf)), -1);
	ck_assert_int_eq(procfs_read("", buf, sizeof(buf)), -1);
	/* opened, but not a readable file: nothing read */
	ck_assert_int_eq(procfs_read(tmpdir, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(proc_files)
{
	static char buf[65536];
	ssize_t n = procfs_read("/proc/self/status", buf, sizeof(buf) - 1);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "\nPid:"));
	n = procfs_read("/proc/self/statm", buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	/* a file bigger than one read of /proc gives (maps of a process) */
	n = procfs_read("/proc/self/maps", buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
}
END_TEST

static void *
feed(void *arg)
{
	int fd = open(arg, O_WRONLY);
	struct timespec ts = { 0, 2000000 };

	if (fd < 0)
		return NULL;
	for (int k = 0; k < 20; k++) {
		char piece[8];

		memset(piece, 'A' + k, sizeof(piece));
		if (write(fd, piece, sizeof(piece)) != (ssize_t)sizeof(piece))
			break;
		nanosleep(&ts, NULL);
	}
	close(fd);
	return NULL;
}

/* Reads from a FIFO come back short: retried until the writer closes. */
START_TEST(short_reads_are_retried)
{
	static char buf[1024];
	pthread_t t;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, feed, path), 0);
	ck_assert_int_eq(procfs_read(path, buf, sizeof(buf)), 160);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	for (int k = 0; k < 20; k++)
		ck_assert_int_eq(buf[8 * k + 7], 'A' + k);
	unlink(path);
}
END_TEST

static Suite *
procfs_suite(void)
{
	Suite *s = suite_create("procfs");
	TCase *tc = tcase_create("procfs");

	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, whole_file_and_cap);
	tcase_add_test(tc, missing_is_minus_one);
	tcase_add_test(tc, proc_files);
	tcase_add_test(tc, short_reads_are_retried);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(procfs_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
