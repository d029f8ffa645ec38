/*
 * snapshot.h - heap snapshots while the program runs, and live-heap warnings.
 */
#ifndef LIBLEAK_SNAPSHOT_H
#define LIBLEAK_SNAPSHOT_H

/* Starts the writer thread when LEAK_SNAPSHOT_SIGNAL, LEAK_SNAPSHOT_INTERVAL,
 * LEAK_WARN_BYTES or LEAK_WARN_PERCENT asks for it, and installs the
 * snapshot signal's handler. Call from the constructor, guard held. */
void snapshot_start(void);

#endif /* LIBLEAK_SNAPSHOT_H */
