/*
 * srcroot.h - the user's source tree (--source-root), which SARIF results
 * point into. See srcroot.c.
 */
#ifndef LEAKREPORT_SRCROOT_H
#define LEAKREPORT_SRCROOT_H

#include "err.h"

/*
 * The source root as an absolute path without a trailing '/' ("/" itself
 * for the root directory), in a new malloc'd string: given (--source-root),
 * resolved with realpath(), which must be a directory; when given is NULL,
 * the nearest directory at or above the current one that holds ".git" (the
 * git top level), else the current directory. NULL with e filled
 * ("--source-root: 'x': No such file or directory").
 */
char *srcroot_find(const char *given, struct err *e);

/* The part of file after "root/" when file is inside root, else NULL.
 * Points into file; does not allocate. */
const char *srcroot_relative(const char *root, const char *file);

#endif /* LEAKREPORT_SRCROOT_H */
