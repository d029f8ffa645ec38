/*
 * readfile.c - leakreport's one file reader: a dump (dump_read.c), a
 * suppression file (suppress.c) or a baseline (baseline.c), whole, into a
 * buffer the caller parses and frees.
 *
 * The file is checked with fstat after open: a directory, and without
 * any_type anything but a regular file or a FIFO, is refused, so a
 * suppression file named /dev/tty never blocks. A regular file's size
 * sizes the buffer (one byte more, so that its EOF needs no regrow) and is
 * checked against the limit first; other files start at 64 KiB and double.
 * Either way the buffer never grows past the limit plus the one byte that
 * proves it exceeded. Memory is bounded by the limit, time is linear in the
 * file. No global state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

#define READFILE_FIRST (64 * 1024) /* first buffer for a file of unknown size */

/* "1 GiB", "64 MiB" or "4096 bytes": a limit, for the messages. */
static const char *
size_text(size_t n, char *buf, size_t len)
{
	if (n >= (1u << 30) && n % (1u << 30) == 0)
		snprintf(buf, len, "%zu GiB", n >> 30);
	else if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, len, "%zu MiB", n >> 20);
	else
		snprintf(buf, len, "%zu bytes", n);
	return buf;
}

/* A failed call: "<path>: cannot <call>: <why>", or "<path>: <why>". */
static int
fail_call(const struct readfile_opts *o, const char *path, const char *call, int err, struct err *e)
{
	if (o->name_call)
		return err_set(e, "%s: cannot %s: %s", path, call, strerror(err));
	return err_set(e, "%s: %s", path, strerror(err));
}

/* Reads fd to its end into a new buffer of first cap bytes. */
static int
read_all(const struct readfile_opts *o, const char *path, int fd, size_t cap, char **buf,
    size_t *len, struct err *e)
{
	char limit[32];
	size_t n = 0;
	char *b = malloc(cap);

	if (b == NULL)
		return err_set(e, "%s: out of memory", path);
	for (;;) {
		ssize_t got;

		if (n == cap) {
			/* One byte past the limit is enough to see it exceeded. */
			size_t ncap = cap > o->max / 2 ? o->max + 1 : cap * 2;
			char *nb;

			if (cap > o->max)
				break;
			nb = realloc(b, ncap);
			if (nb == NULL) {
				free(b);
				return err_set(e, "%s: out of memory", path);
			}
			b = nb;
			cap = ncap;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;

			free(b);
			return fail_call(o, path, "read", saved, e);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > o->max) {
		free(b);
		return err_set(e, "%s: too large (more than %s)", path,
		    size_text(o->max, limit, sizeof(limit)));
	}
	*buf = b;
	*len = n;
	return 0;
}

int
readfile(const char *path, const struct readfile_opts *o, char **buf, size_t *len, struct err *e)
{
	struct stat st;
	char limit[32];
	size_t cap = READFILE_FIRST;
	int fd;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_call(o, path, "open", errno, e);
	if (fstat(fd, &st) < 0) {
		r = fail_call(o, path, "stat", errno, e);
		goto out_close_fd;
	}
	if (S_ISDIR(st.st_mode) && o->any_type) {
		r = err_set(e, "%s: is a directory", path);
		goto out_close_fd;
	}
	if (!o->any_type && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		r = err_set(e, "%s: not a regular file", path);
		goto out_close_fd;
	}
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > o->max) {
			r = err_set(e, "%s: too large (%lld bytes, most %s)", path,
			    (long long)st.st_size, size_text(o->max, limit, sizeof(limit)));
			goto out_close_fd;
		}
		cap = (size_t)st.st_size + 1;
	}
	r = read_all(o, path, fd, cap, buf, len, e);
out_close_fd:
	close(fd);
	return r;
}
