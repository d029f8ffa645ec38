/*
 * output_json.h - the report as one JSON document (format version 1,
 * REPORT_FORMAT_VERSION in options.h; fields in docs/leakreport.md). See
 * output_json.c.
 */
#ifndef LEAKREPORT_OUTPUT_JSON_H
#define LEAKREPORT_OUTPUT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "baseline.h"
#include "group.h"
#include "per_process.h"
#include "suppress.h"

/*
 * Writes r (after group_select and the gate) to f as JSON, ended by a
 * newline. supp and base may be NULL; pp is NULL without --per-process.
 * Every string is escaped: quotes, backslash and control bytes, and
 * invalid UTF-8 becomes \uFFFD. Computes nothing. 0, or -1 when a write to f failed (check errno).
 */
int output_json(FILE *f, const struct report *r, const struct suppressions *supp,
    const struct baseline *base, const struct per_process *pp);

/* Writes s as a JSON string literal, quotes included; NULL writes null. */
void output_json_string(FILE *f, const char *s);

/* Writes one frame object of a "frames" array on its own line, indented 8,
 * followed by ',' unless last; diff and trend use it too. */
void output_json_frame(FILE *f, const struct sym_frame *fr, bool last);

#endif /* LEAKREPORT_OUTPUT_JSON_H */
