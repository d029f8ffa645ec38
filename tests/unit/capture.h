/*
 * capture.h - what a preload module writes to fd 2, for a check suite:
 * capture_begin() points fd 2 at a fresh file in the suite's tmpdir (so a
 * later fmt_log_setup() takes that file for the program's stderr), and
 * capture_end() puts the old fd 2 back and returns what was written.
 * Include once per suite, after tmpdir.h.
 */
#ifndef CHECK_CAPTURE_H
#define CHECK_CAPTURE_H

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int capture_saved = -1;
static char capture_path[256];
static char capture_buf[65536];

/* Reads all of path into capture_buf (NUL-terminated); "" when it is
 * missing. Returns capture_buf. */
static inline char *
slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	capture_buf[0] = '\0';
	if (fd < 0)
		return capture_buf;
	for (;;) {
		ssize_t r = read(fd, capture_buf + len, sizeof(capture_buf) - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	capture_buf[len] = '\0';
	return capture_buf;
}

static inline void
capture_begin(void)
{
	static unsigned seq;
	int fd;

	snprintf(capture_path, sizeof(capture_path), "%s/stderr.%d.%u", tmpdir, (int)getpid(),
	    seq++);
	fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	capture_saved = dup(2);
	ck_assert_int_ge(capture_saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	close(fd);
}

static inline char *
capture_end(void)
{
	ck_assert_int_eq(dup2(capture_saved, 2), 2);
	close(capture_saved);
	capture_saved = -1;
	return slurp(capture_path);
}

/* The number of lines in s that start with "libleak: ". */
static inline unsigned
count_lines(const char *s)
{
	unsigned n = 0;

	for (const char *p = s; *p != '\0'; p = strchr(p, '\n') + 1) {
		n += strncmp(p, "libleak: ", 9) == 0;
		if (strchr(p, '\n') == NULL)
			break;
	}
	return n;
}

#endif /* CHECK_CAPTURE_H */
