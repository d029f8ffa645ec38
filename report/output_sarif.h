/*
 * output_sarif.h - the report as SARIF 2.1.0, for GitHub code scanning and
 * other SARIF viewers. See output_sarif.c.
 */
#ifndef LEAKREPORT_OUTPUT_SARIF_H
#define LEAKREPORT_OUTPUT_SARIF_H

#include <stddef.h>
#include <stdio.h>

#include "group.h"

/* GitHub code scanning's limits on one upload: results per run, and the
 * gzipped file; output_sarif() keeps within both. */
#define SARIF_MAX_RESULTS 25000
#define SARIF_MAX_GZIP    (10u << 20)
/* What the results may take before gzip: JSON of many similar results
 * gzips 10 to 20 times smaller, so 8 times the limit keeps within it. */
#define SARIF_MAX_RAW (8u * SARIF_MAX_GZIP)

/*
 * Writes r (after group_finish and the gate) to f as one SARIF 2.1.0 log:
 * a rule per kind listed, a result per listed record (at most
 * SARIF_MAX_RESULTS, and no more than SARIF_MAX_RAW bytes of them; the
 * rest are counted in *dropped and named in the run's properties and
 * notifications, for main.c to say on stderr too). root is the source root
 * (srcroot_find): a result's location is its first frame with a source
 * file under root, relative to it (uriBaseId SRCROOT), else its top frame.
 * Computes nothing. 0, or -1 when a write to f failed or out of memory.
 */
int output_sarif(FILE *f, const struct report *r, const char *root, size_t *dropped);

#endif /* LEAKREPORT_OUTPUT_SARIF_H */
