/*
 * fmt.h - async-signal-safe formatting into a caller's buffer, and the one
 * stderr line libleak prints when something goes wrong.
 */
#ifndef LIBLEAK_FMT_H
#define LIBLEAK_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fmtbuf {
	char *buf;
	size_t cap;   /* bytes in buf */
	size_t len;   /* bytes used; never exceeds cap */
	int overflow; /* 1 once something did not fit */
};

void fmt_init(struct fmtbuf *f, char *buf, size_t cap);
void fmt_char(struct fmtbuf *f, char c);
void fmt_str(struct fmtbuf *f, const char *s);
void fmt_mem(struct fmtbuf *f, const char *s, size_t n);
void fmt_u64(struct fmtbuf *f, uint64_t v);

/* v in decimal into out, NUL-terminated, for a fmt_log() argument;
 * returns out. Async-signal-safe. */
#define FMT_U64_LEN 21
char *fmt_u64_str(char out[FMT_U64_LEN], uint64_t v);
void fmt_hex(struct fmtbuf *f, uint64_t v); /* lower-case, no 0x */
/* Escapes for the dump: bytes < 0x21, > 0x7e and '%' become %XX. */
void fmt_esc(struct fmtbuf *f, const char *s, size_t n);

/* Writes "libleak: " + each string up to the NULL + "\n" with one write(2)
 * to the LEAK_LOG file (opened for that line and closed), else to fd 2 when
 * it is still the file it was at fmt_log_setup() (else nowhere). Control
 * bytes in the strings become \xHH. Async-signal-safe, preserves errno,
 * truncates at 1 KiB. */
void fmt_log(const char *first, ...) __attribute__((sentinel));

/* Where fmt_log() writes: `path` (NULL or "": stderr), and which file fd 2
 * is now. Called once at start-up, before any other thread of ours runs;
 * the path's storage must outlive the process (config.c's). */
void fmt_log_setup(const char *path);

/* strerror without allocation: a constant description of errno value e. */
const char *fmt_errno(int e);

#endif /* LIBLEAK_FMT_H */
