/*
 * modfile.h - the module files the dumps name: each path checked before it
 * is opened, each file (device and inode) opened once for libdwfl however
 * many ways it is spelled, and a bounded number open at a time. See
 * modfile.c.
 */
#ifndef LEAKREPORT_MODFILE_H
#define LEAKREPORT_MODFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <elfutils/libdwfl.h>

#include "model.h"

struct image; /* one file on disk, opened or not */

/* One (path, build-id) of the dumps. */
struct modfile {
	char *path;           /* as in the dump */
	char *buildid;        /* as in the dump, or NULL */
	const char *base;     /* basename, points into path */
	struct image *img;    /* NULL: unusable, frames get module+offset only */
	struct modfile *next; /* private: bucket chain */
};

struct modfiles;

/*
 * An empty set. max_open: most images open at once (0: the default, 256),
 * lowered to what RLIMIT_NOFILE leaves room for. warn (may be NULL) gets
 * one line per problem (missing file, not ELF, build-id mismatch); drop
 * frees the data a caller hung on an image (modfiles_user) when the image
 * is closed. NULL when out of memory.
 */
struct modfiles *modfiles_new(size_t max_open, void (*warn)(void *ctx, const char *msg),
    void *warn_ctx, void (*drop)(void *user));

/* The modfile of dump module m, created and checked on first sight (its
 * image found and its build-id compared); NULL when out of memory. */
struct modfile *modfiles_get(struct modfiles *s, const struct module *m);

/*
 * The Dwfl module of img, opened when closed (closing the least recently
 * used image if at max_open) and marked used; NULL when the file cannot be
 * used now (warned). Stays open until another image is opened.
 */
Dwfl_Module *modfiles_open(struct modfiles *s, struct image *img);

/* The slot for a caller's data about img, NULL at first and again after
 * each close (drop frees it then). */
void **modfiles_user(struct image *img);

/* How many images are open now. */
size_t modfiles_nopen(const struct modfiles *s);

void modfiles_free(struct modfiles *s);

#endif /* LEAKREPORT_MODFILE_H */
