/*
 * err.h - errors as values in report/: a function that fails returns -1 and
 * fills the caller's struct err; only main.c prints it and picks the exit code.
 */
#ifndef LEAKREPORT_ERR_H
#define LEAKREPORT_ERR_H

struct err {
	char msg[512]; /* one line, no trailing newline: "<where>: <what>" */
};

/* Formats into e->msg (truncating), always returns -1 so callers can
 * `return err_set(e, ...)`. Does not allocate. */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* LEAKREPORT_ERR_H */
