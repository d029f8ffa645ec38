/*
 * output_text.h - the report as LeakSanitizer/Valgrind-style text. See
 * output_text.c.
 */
#ifndef LEAKREPORT_OUTPUT_TEXT_H
#define LEAKREPORT_OUTPUT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "baseline.h"
#include "group.h"
#include "suppress.h"

/*
 * Writes r (after group_select and the gate) to f: the listed records, the
 * SUMMARY line, the per-kind totals, the suppressions used (supp may be
 * NULL), the baseline records that no longer leak (base may be NULL) and
 * the gate verdict. color adds ANSI bold/red/green. Computes nothing.
 * 0, or -1 when a write to f failed (check errno).
 */
int output_text(FILE *f, const struct report *r, const struct suppressions *supp,
    const struct baseline *base, bool color);

#endif /* LEAKREPORT_OUTPUT_TEXT_H */
