/*
 * snapshot.h - heap snapshots while the program runs, and live-heap warnings.
 */
#ifndef LIBLEAK_SNAPSHOT_H
#define LIBLEAK_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts the writer thread when LEAK_SNAPSHOT_SIGNAL, LEAK_SNAPSHOT_INTERVAL,
 * LEAK_WARN_BYTES or LEAK_WARN_PERCENT asks for it, and installs the
 * snapshot signal's handler. Call from the constructor, guard held. */
void snapshot_start(void);

/* Writes a snapshot dump now, on the calling thread (the writer thread's
 * work; leak_snapshot()). The caller holds the guard. */
void snapshot_take(void);

/* The next dump path of the snapshot pattern (LEAK_OUTPUT with %n) and its
 * sequence number, shared by snapshots and checks; one that exists is
 * skipped. False, with a line, when the path is too long. */
bool snapshot_path(char *path, size_t cap, uint64_t *seq);

#endif /* LIBLEAK_SNAPSHOT_H */
