/*
 * check_readfile.c - readfile.c: a file read whole, byte for byte; the limit
 * on a regular file (before reading) and on a FIFO (while reading, across
 * the buffer's regrowth); which types of file each caller accepts; the
 * messages for each failure, in both styles.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "readfile.h"

#define TMPDIR_TEMPLATE "/tmp/check_readfile.XXXXXX"
#include "tmpdir.h"

static const struct readfile_opts dumpish = { .max = 1 << 20, .any_type = true, .name_call = true };
static const struct readfile_opts strict = { .max = 1 << 20 };

static char path[4200];

/* Writes n bytes of a pattern to tmpdir/name; returns its path. */
static const char *
write_file(const char *name, size_t n)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i * 7 % 251), f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(reads_every_byte)
{
	static const size_t sizes[] = { 0, 1, 4095, 65536, 65537, 300000 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct err e = { "" };
		char *buf = NULL;
		size_t len = 12345;

		write_file("f", sizes[k]);
		ck_assert_msg(readfile(path, &strict, &buf, &len, &e) == 0, "%s", e.msg);
		ck_assert_ptr_nonnull(buf);
		ck_assert_uint_eq(len, sizes[k]);
		for (size_t i = 0; i < len; i++)
			ck_assert_int_eq((unsigned char)buf[i], (int)(i * 7 % 251));
		free(buf);
	}
}
END_TEST

START_TEST(limit_of_a_regular_file)
{
	struct readfile_opts o = { .max = 16 };
	struct err e = { "" };
	char want[4400];
	char *buf;
	size_t len;

	write_file("sixteen", 16);
	ck_assert_msg(readfile(path, &o, &buf, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, 16);
	free(buf);
	write_file("seventeen", 17);
	ck_assert_int_eq(readfile(path, &o, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: too large (17 bytes, most 16 bytes)", path);
	ck_assert_str_eq(e.msg, want);
	/* refused before reading: a sparse file far past the limit */
	o.max = (size_t)64 << 20;
	snprintf(path, sizeof(path), "%s/sparse", tmpdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, ((off_t)64 << 20) + 1), 0);
	close(fd);
	ck_assert_int_eq(readfile(path, &o, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: too large (67108865 bytes, most 64 MiB)", path);
	ck_assert_str_eq(e.msg, want);
	o.max = (size_t)1 << 30;
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(ftruncate(fd, ((off_t)1 << 30) + 1), 0);
	close(fd);
	ck_assert_int_eq(readfile(path, &o, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: too large (1073741825 bytes, most 1 GiB)", path);
	ck_assert_str_eq(e.msg, want);
	unlink(path);
}
END_TEST

/* Reads a FIFO into which a child writes n bytes. */
static int
read_fifo(size_t n, const struct readfile_opts *o, char **buf, size_t *len, struct err *e)
{
	pid_t pid;
	int status;
	int r;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY);
		char chunk[4096];

		signal(SIGPIPE, SIG_DFL);
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = 'x';
		while (fd >= 0 && n > 0) {
			ssize_t w = write(fd, chunk, n < sizeof(chunk) ? n : sizeof(chunk));

			if (w <= 0)
				_exit(1);
			n -= (size_t)w;
		}
		_exit(0);
	}
	r = readfile(path, o, buf, len, e);
	kill(pid, SIGKILL); /* a writer left blocked past the limit */
	waitpid(pid, &status, 0);
	return r;
}

START_TEST(limit_of_a_fifo)
{
	struct readfile_opts o = { .max = 200000 };
	struct err e = { "" };
	char want[4400];
	char *buf;
	size_t len;

	/* starts at 64 KiB, grows past it, exactly to the limit */
	ck_assert_msg(read_fifo(200000, &o, &buf, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, 200000);
	ck_assert(buf[0] == 'x' && buf[199999] == 'x');
	free(buf);
	ck_assert_int_eq(read_fifo(200001, &o, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: too large (more than 200000 bytes)", path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(read_fifo(1000000, &o, &buf, &len, &e), -1);
	ck_assert_str_eq(e.msg, want);
	ck_assert_msg(read_fifo(0, &o, &buf, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, 0);
	free(buf);
	/* dumps take FIFOs too */
	ck_assert_msg(read_fifo(10, &dumpish, &buf, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, 10);
	free(buf);
}
END_TEST

START_TEST(types_and_messages)
{
	struct err e = { "" };
	char want[4400];
	char *buf = NULL;
	size_t len;

	/* a directory */
	ck_assert_int_eq(readfile(tmpdir, &dumpish, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: is a directory", tmpdir);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(readfile(tmpdir, &strict, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	ck_assert_str_eq(e.msg, want);
	/* a character device: a dump may be one, the others may not */
	ck_assert_msg(readfile("/dev/null", &dumpish, &buf, &len, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(len, 0);
	free(buf);
	ck_assert_int_eq(readfile("/dev/null", &strict, &buf, &len, &e), -1);
	ck_assert_str_eq(e.msg, "/dev/null: not a regular file");
	/* missing, in both styles */
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ck_assert_int_eq(readfile(path, &dumpish, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path, strerror(ENOENT));
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(readfile(path, &strict, &buf, &len, &e), -1);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(e.msg, want);
	/* a read that fails: a directory opened as a dump is refused by fstat
	 * first; a path through a file is ENOTDIR at open */
	write_file("plain", 3);
	snprintf(want, sizeof(want), "%s/below", path);
	ck_assert_int_eq(readfile(want, &strict, &buf, &len, &e), -1);
	ck_assert(strstr(e.msg, strerror(ENOTDIR)) != NULL);
}
END_TEST

/* Nothing leaks a descriptor: 2000 reads, failing and not, keep the next
 * descriptor where it was. */
START_TEST(descriptors_closed)
{
	struct readfile_opts o = { .max = 2 };
	int before = dup(0), after;
	struct err e;
	char *buf;
	size_t len;

	close(before);
	write_file("three", 3);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(readfile(path, &o, &buf, &len, &e), -1);
		ck_assert_int_eq(readfile(path, &strict, &buf, &len, &e), 0);
		free(buf);
	}
	after = dup(0);
	close(after);
	ck_assert_int_eq(after, before);
}
END_TEST

static Suite *
readfile_suite(void)
{
	Suite *s = suite_create("readfile");
	TCase *tc = tcase_create("readfile");

	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, reads_every_byte);
	tcase_add_test(tc, limit_of_a_regular_file);
	tcase_add_test(tc, limit_of_a_fifo);
	tcase_add_test(tc, types_and_messages);
	tcase_add_test(tc, descriptors_closed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(readfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
