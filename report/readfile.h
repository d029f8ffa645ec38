/*
 * readfile.h - an input file of leakreport (a dump, a suppression file, a
 * baseline) read whole into memory. See readfile.c.
 */
#ifndef LEAKREPORT_READFILE_H
#define LEAKREPORT_READFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* What a caller accepts, and how its messages name a failed call. */
struct readfile_opts {
	size_t max;     /* most bytes accepted: 1 GiB a dump, less the others */
	bool any_type;  /* anything but a directory (a dump may be a device or
			 * /dev/stdin); false: a regular file or a FIFO only */
	bool name_call; /* a failed system call is "cannot open: <why>" (dumps);
			 * false: "<why>" alone after the path */
};

/*
 * Reads the whole file at path into a new buffer: *buf (malloc'd, at least
 * one byte allocated, not NUL-terminated) and *len. A regular file larger
 * than o->max is refused before anything is read; any file that turns out
 * larger while it is read, too. 0, or -1 with e filled as "<path>: <what>"
 * and nothing allocated: open, stat or read failed, a directory ("is a
 * directory" with any_type, else "not a regular file"), another type of
 * file without any_type ("not a regular file"), too large, out of memory.
 * Opens with O_CLOEXEC and closes before returning; retries on EINTR.
 */
int readfile(const char *path, const struct readfile_opts *o, char **buf, size_t *len,
    struct err *e);

#endif /* LEAKREPORT_READFILE_H */
