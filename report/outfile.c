/*
 * outfile.c - output files written atomically: each destination gets a
 * temporary file beside it (same directory, so the rename stays on one file
 * system), the output is written there, and a rename puts it in place. A
 * reader of the destination sees the old file or the whole new one, never a
 * part; a run that fails leaves no temporary file behind.
 *
 * main.c opens every destination before it reads a dump, renders into the
 * temporary files, and commits them only when every output was written, so
 * one unwritable destination changes nothing anywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

int
outfile_open(struct outfile *o, const char *path, struct err *e)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return err_set(e, "%s: is a directory", path);
	if (asprintf(&o->tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		o->tmp = NULL;
		return err_set(e, "out of memory");
	}
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		err_set(e, "%s: cannot create '%s': %s", path, o->tmp, strerror(errno));
		goto out_free;
	}
	o->f = fdopen(fd, "w");
	if (o->f == NULL) {
		err_set(e, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto out_free;
	}
	return 0;
out_free:
	free(o->tmp);
	o->tmp = NULL;
	return -1;
}

int
outfile_commit(struct outfile *o, struct err *e)
{
	FILE *f = o->f;

	o->f = NULL;
	if (fflush(f) == EOF || ferror(f) || fsync(fileno(f)) < 0) {
		err_set(e, "%s: cannot write '%s': %s", o->path, o->tmp, strerror(errno));
		fclose(f);
		goto out_unlink;
	}
	if (fclose(f) == EOF) {
		err_set(e, "%s: cannot write '%s': %s", o->path, o->tmp, strerror(errno));
		goto out_unlink;
	}
	if (rename(o->tmp, o->path) < 0) {
		err_set(e, "%s: cannot rename '%s' to it: %s", o->path, o->tmp, strerror(errno));
		goto out_unlink;
	}
	free(o->tmp);
	o->tmp = NULL;
	return 0;
out_unlink:
	unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	return -1;
}

void
outfile_abort(struct outfile *o)
{
	if (o->f != NULL)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}
