/*
 * outfile.h - an output file that appears whole or not at all: -o FILE and
 * --output FORMAT=FILE. See outfile.c.
 */
#ifndef LEAKREPORT_OUTFILE_H
#define LEAKREPORT_OUTFILE_H

#include <stdio.h>

#include "err.h"

struct outfile {
	const char *path; /* the destination; not owned */
	char *tmp;        /* the temporary file beside it, while open; owned */
	FILE *f;          /* open on tmp until commit or abort; NULL after */
};

/*
 * Creates the temporary file "<path>.tmp.<pid>" beside path (O_EXCL, mode
 * 0666 less the umask) and opens it for writing, so a destination that
 * cannot be written is known before anything is. A path that names a
 * directory is refused. 0, or -1 with e filled ("<path>: <what>"), nothing
 * left behind. Allocates.
 */
int outfile_open(struct outfile *o, const char *path, struct err *e);

/* Flushes, syncs and closes the temporary file and renames it to path. 0,
 * or -1 with e filled; on error the temporary file is removed. */
int outfile_commit(struct outfile *o, struct err *e);

/* Closes and removes the temporary file, if any: path is untouched. Safe
 * on a zeroed struct and after commit. */
void outfile_abort(struct outfile *o);

#endif /* LEAKREPORT_OUTFILE_H */
