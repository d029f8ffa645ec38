/*
 * dumpsrc.h - what the dump writer (dump/dump.h) reads, drawn from the
 * tracker's objects, its counters and, at exit, the scan.
 */
#ifndef LIBLEAK_DUMPSRC_H
#define LIBLEAK_DUMPSRC_H

#include <stdbool.h>
#include <stdint.h>

#include "dump/dump.h"
#include "scan/scan.h"

/* Fills src for a dump of the live blocks: classified by sc when it is
 * not NULL (the exit scan, a check), else every block definite (a
 * snapshot, or an exit without a scan). depth: LEAK_DEPTH. sc must outlive
 * the dump. The program's own suppressions (life/lsan.h) go with it. */
void dumpsrc_fill(struct dump_src *src, const struct scan *sc, int depth, enum dump_kind kind,
    uint64_t seq, bool atomic);

#endif /* LIBLEAK_DUMPSRC_H */
