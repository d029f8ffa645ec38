/*
 * output_text.h - the report as LeakSanitizer/Valgrind-style text. See
 * output_text.c.
 */
#ifndef LEAKREPORT_OUTPUT_TEXT_H
#define LEAKREPORT_OUTPUT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "group.h"
#include "per_process.h"

/*
 * Writes r (after group_finish and the gate) to f: the listed records, the
 * processes (pp, NULL without --per-process), the SUMMARY line, the
 * per-kind totals, the listed suppression rules with their hits, the
 * baseline's records that no longer leak and the gate verdict: what
 * group_finish decided, the same as output_json(). color adds ANSI
 * bold/red/green. Computes nothing. 0, or -1 when a write to f failed
 * (check errno).
 */
int output_text(FILE *f, const struct report *r, const struct per_process *pp, bool color);

/* Writes s with control bytes as '?', so a line stays one line. */
void output_text_str(FILE *f, const char *s);

/* Writes a stack of n frames (innermost first), one line each, "    #i ADDR
 * in FUNCTION FILE:LINE (MODULE)" (docs/leakreport.md), or one line saying
 * no stack was captured when n is 0. The report, diff and trend all write
 * stacks with it. */
void output_text_stack(FILE *f, const struct sym_frame *frames, size_t n);

/* Writes the retention path of a record, one line without indent or
 * newline: the root, each listed hop ("block of N bytes from FUNCTION"),
 * "... (K more blocks)" for those not listed, then "this block". */
void output_text_retainer(FILE *f, const struct retainer *x);

#endif /* LEAKREPORT_OUTPUT_TEXT_H */
