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
#include "per_process.h"
#include "suppress.h"

/*
 * Writes r (after group_select and the gate) to f: the listed records, the
 * processes (pp, NULL without --per-process), the SUMMARY line, the
 * per-kind totals, the suppressions used (supp may be NULL), the baseline
 * records that no longer leak (base may be NULL) and the gate verdict.
 * color adds ANSI bold/red/green. Computes nothing. 0, or -1 when a write
 * to f failed (check errno).
 */
int output_text(FILE *f, const struct report *r, const struct suppressions *supp,
    const struct baseline *base, const struct per_process *pp, bool color);

/* Writes s with control bytes as '?', so a line stays one line. */
void output_text_str(FILE *f, const char *s);

/* Writes frame number i of a stack as one line, "    #i ADDR in FUNCTION
 * FILE:LINE (MODULE)" (docs/leakreport.md); diff and trend use it too. */
void output_text_frame(FILE *f, size_t i, const struct sym_frame *fr);

#endif /* LEAKREPORT_OUTPUT_TEXT_H */
