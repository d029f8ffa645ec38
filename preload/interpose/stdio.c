/*
 * stdio.c - the interposed stdio and directory calls that open or close a
 * descriptor: fopen, fopen64, freopen, freopen64, tmpfile, tmpfile64,
 * popen, opendir and fclose, pclose, closedir.
 *
 * glibc opens the descriptor of a stream with its internal __open, which
 * no hook sees, so these hooks record the stream's descriptor themselves,
 * under the name the program called (fopen, not openat). While the real
 * function runs, reshook_in_stdio is set: in a C library that does call
 * the public open, that inner descriptor is left to us (fd.c skips it).
 * A close forgets the descriptor before the real call, as close() does.
 * Each returns what the real call returns, with its errno.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>

#include "interpose/reshook.h"

/* The descriptor of stream f, or -1 (a memory stream has none). */
#define STREAM_FD(f) ((f) != NULL ? fileno(f) : -1)

/* Runs call with reshook_in_stdio set; the call's errno is what the
 * caller sees (the flag's stores leave errno alone). */
#define IN_STDIO(call)                       \
	({                                   \
		int was_ = reshook_in_stdio; \
		reshook_in_stdio = 1;        \
		__typeof__(call) r_ = call;  \
		reshook_in_stdio = was_;     \
		r_;                          \
	})

/* Records the descriptor of stream f (made by fn), keeping errno. */
#define STREAM_MADE(f, fn)                              \
	do {                                            \
		if ((f) != NULL && !reshook_in_stdio) { \
			int e_ = errno;                 \
			int fd_ = fileno(f);            \
			errno = e_;                     \
			RESHOOK_FD(fd_, fn);            \
		}                                       \
	} while (0)

LK_EXPORT FILE *
fopen(const char *path, const char *mode)
{
	REAL_NEXT(fopen);
	FILE *f = IN_STDIO(real_fopen(path, mode));

	STREAM_MADE(f, fopen);
	return f;
}

LK_EXPORT FILE *
fopen64(const char *path, const char *mode)
{
	REAL_NEXT(fopen64);
	FILE *f = IN_STDIO(real_fopen64(path, mode));

	STREAM_MADE(f, fopen);
	return f;
}

LK_EXPORT FILE *
freopen(const char *path, const char *mode, FILE *stream)
{
	REAL_NEXT(freopen);
	int e = errno;
	int old = STREAM_FD(stream);

	errno = e;
	/* The old descriptor is closed whatever becomes of the new one. */
	if (old >= 0 && path != NULL)
		res_fd_close(old);
	FILE *f = IN_STDIO(real_freopen(path, mode, stream));

	STREAM_MADE(f, freopen);
	return f;
}

LK_EXPORT FILE *
freopen64(const char *path, const char *mode, FILE *stream)
{
	REAL_NEXT(freopen64);
	int e = errno;
	int old = STREAM_FD(stream);

	errno = e;
	if (old >= 0 && path != NULL)
		res_fd_close(old);
	FILE *f = IN_STDIO(real_freopen64(path, mode, stream));

	STREAM_MADE(f, freopen);
	return f;
}

LK_EXPORT FILE *
tmpfile(void)
{
	REAL_NEXT(tmpfile);
	FILE *f = IN_STDIO(real_tmpfile());

	STREAM_MADE(f, tmpfile);
	return f;
}

LK_EXPORT FILE *
tmpfile64(void)
{
	REAL_NEXT(tmpfile64);
	FILE *f = IN_STDIO(real_tmpfile64());

	STREAM_MADE(f, tmpfile);
	return f;
}

LK_EXPORT FILE *
popen(const char *cmd, const char *type)
{
	REAL_NEXT(popen);
	FILE *f = IN_STDIO(real_popen(cmd, type));

	STREAM_MADE(f, popen);
	return f;
}

LK_EXPORT DIR *
opendir(const char *path)
{
	REAL_NEXT(opendir);
	DIR *d = IN_STDIO(real_opendir(path));

	if (d != NULL && !reshook_in_stdio) {
		int e = errno;
		int fd = dirfd(d);

		errno = e;
		RESHOOK_FD(fd, opendir);
	}
	return d;
}

LK_EXPORT int
fclose(FILE *f)
{
	REAL_NEXT(fclose);
	int e = errno;
	int fd = STREAM_FD(f);

	errno = e;
	if (fd >= 0)
		res_fd_close(fd); /* closed even when fclose fails */
	return IN_STDIO(real_fclose(f));
}

LK_EXPORT int
pclose(FILE *f)
{
	REAL_NEXT(pclose);
	int e = errno;
	int fd = STREAM_FD(f);

	errno = e;
	if (fd >= 0)
		res_fd_close(fd);
	return IN_STDIO(real_pclose(f));
}

LK_EXPORT int
closedir(DIR *d)
{
	REAL_NEXT(closedir);
	int e = errno;
	DIR *volatile dv = d; /* the program may pass NULL: glibc's EINVAL */
	int fd = dv != NULL ? dirfd(dv) : -1;

	errno = e;
	if (fd >= 0)
		res_fd_close(fd);
	return IN_STDIO(real_closedir(d));
}
