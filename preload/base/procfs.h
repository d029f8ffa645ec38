/*
 * procfs.h - whole small files from /proc and /sys, without stdio.
 */
#ifndef LIBLEAK_PROCFS_H
#define LIBLEAK_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* Reads up to cap bytes of path into buf; the length read, or -1 when it
 * cannot be opened. Retries on EINTR and short reads; no allocation,
 * async-signal-safe (open, read, close). */
ssize_t procfs_read(const char *path, char *buf, size_t cap);

#endif /* LIBLEAK_PROCFS_H */
