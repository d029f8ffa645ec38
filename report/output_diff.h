/*
 * output_diff.h - `leakreport diff` as text or JSON (fields in
 * docs/leakreport.md). See output_diff.c.
 */
#ifndef LEAKREPORT_OUTPUT_DIFF_H
#define LEAKREPORT_OUTPUT_DIFF_H

#include <stdio.h>

#include "diff.h"

/* Writes df as text to f. Computes nothing. 0, or -1 when a write failed. */
int output_diff_text(FILE *f, const struct diff *df);

/* Writes df as one JSON document, ended by a newline. Computes nothing.
 * 0, or -1 when a write failed. */
int output_diff_json(FILE *f, const struct diff *df);

#endif /* LEAKREPORT_OUTPUT_DIFF_H */
