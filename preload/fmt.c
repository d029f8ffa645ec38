/*
 * fmt.c - async-signal-safe number and string formatting, and the stderr line.
 *
 * Used by the dump writer, the exit summary and every error message of the
 * preload. Nothing here allocates or takes a lock; a fmtbuf never writes past
 * cap and remembers that it overflowed, so a caller checks once at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

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
		fmt_str(&f, s);
	va_end(ap);
	buf[f.len++] = '\n';    /* cap was sizeof - 1: room is kept for it */
	for (size_t off = 0; off < f.len;) {
		ssize_t w = write(2, buf + off, f.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	errno = saved;
}

const char *
fmt_errno(int e)
{
	const char *s = strerrordesc_np(e);     /* glibc >= 2.32: a constant, no locale */

	return s != NULL ? s : "unknown error";
}
