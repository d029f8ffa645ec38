/*
 * fmt.c - async-signal-safe number and string formatting, and the stderr line.
 *
 * Used by the dump writer, the exit summary and every error message of the
 * preload. The line goes to LEAK_LOG when that is set, else to fd 2 while fd
 * 2 is still the file it was at start-up; control bytes in it are escaped. Nothing here allocates or takes a lock; a fmtbuf never writes past
 * cap and remembers that it overflowed, so a caller checks once at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fmt.h"

void
fmt_init(struct fmtbuf *f, char *buf, size_t cap)
{
	f->buf = buf;
	f->cap = cap;
	f->len = 0;
	f->overflow = 0;
}

void
fmt_char(struct fmtbuf *f, char c)
{
	if (f->len < f->cap)
		f->buf[f->len++] = c;
	else
		f->overflow = 1;
}

void
fmt_mem(struct fmtbuf *f, const char *s, size_t n)
{
	if (n > f->cap - f->len) {
		n = f->cap - f->len;
		f->overflow = 1;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
}

void
fmt_str(struct fmtbuf *f, const char *s)
{
	fmt_mem(f, s, strlen(s));
}

void
fmt_u64(struct fmtbuf *f, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		fmt_char(f, tmp[--n]);
}

char *
fmt_u64_str(char out[FMT_U64_LEN], uint64_t v)
{
	struct fmtbuf f;

	fmt_init(&f, out, FMT_U64_LEN - 1);
	fmt_u64(&f, v);
	out[f.len] = '\0';
	return out;
}

void
fmt_hex(struct fmtbuf *f, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v != 0);
	while (n > 0)
		fmt_char(f, tmp[--n]);
}

void
fmt_esc(struct fmtbuf *f, const char *s, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '%') {
			fmt_char(f, '%');
			fmt_char(f, digits[c >> 4]);
			fmt_char(f, digits[c & 15]);
		} else {
			fmt_char(f, (char)c);
		}
	}
}

/* Where the lines go: LEAK_LOG's path, else the stderr the program
 * started with. Raw system calls throughout: a line may be written from
 * inside the first malloc of a sanitizer's runtime, before its interceptors
 * of open, write and fstat are set up. Written once by fmt_log_setup() before any thread of ours
 * runs; read-only afterwards. */
static const char *log_path;
static bool set_up;    /* before fmt_log_setup(): plain fd 2 */
static bool err_known; /* fd 2 was open at start-up */
static dev_t err_dev;
static ino_t err_ino;

void
fmt_log_setup(const char *path)
{
	struct stat st;

	log_path = path != NULL && path[0] != '\0' ? path : NULL;
	set_up = true;
	err_known = syscall(SYS_fstat, 2, &st) == 0;
	err_dev = st.st_dev;
	err_ino = st.st_ino;
}

/* Appends s, with every control byte written \xHH: a value from the
 * environment or a path must not move the cursor or start a line. */
static void
put_clean(struct fmtbuf *f, const char *s)
{
	static const char digits[] = "0123456789abcdef";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			fmt_str(f, "\\x");
			fmt_char(f, digits[c >> 4]);
			fmt_char(f, digits[c & 15]);
		} else {
			fmt_char(f, (char)c);
		}
	}
}

static void
write_all(int fd, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		long w = syscall(SYS_write, fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

/* Whether fd 2 is still the file it was at start-up: a program that closed
 * its stderr and opened a data file as fd 2 must not get our line in it. */
static bool
stderr_is_ours(void)
{
	struct stat st;

	if (!set_up)
		return true;
	return err_known && syscall(SYS_fstat, 2, &st) == 0 && st.st_dev == err_dev &&
	    st.st_ino == err_ino;
}

void
fmt_log(const char *first, ...)
{
	int saved = errno;
	char buf[1024];
	struct fmtbuf f;
	va_list ap;

	fmt_init(&f, buf, sizeof(buf) - 1);
	fmt_str(&f, "libleak: ");
	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
		put_clean(&f, s);
	va_end(ap);
	buf[f.len++] = '\n'; /* cap was sizeof - 1: room is kept for it */
	if (log_path != NULL) {
		/* Opened per line, never kept: the program may close or reuse
		 * any descriptor it did not open. */
		int fd = (int)syscall(SYS_openat, AT_FDCWD, log_path,
		    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

		if (fd >= 0) {
			write_all(fd, buf, f.len);
			syscall(SYS_close, fd);
		}
	} else if (stderr_is_ours()) {
		write_all(2, buf, f.len);
	}
	errno = saved;
}

const char *
fmt_errno(int e)
{
	const char *s = strerrordesc_np(e); /* glibc >= 2.32: a constant, no locale */

	return s != NULL ? s : "unknown error";
}
