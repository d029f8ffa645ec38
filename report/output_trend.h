/*
 * output_trend.h - `leakreport trend` as text or JSON (fields in
 * docs/leakreport.md). See output_trend.c.
 */
#ifndef LEAKREPORT_OUTPUT_TREND_H
#define LEAKREPORT_OUTPUT_TREND_H

#include <stdio.h>

#include "trend.h"

/* Writes t as text to f. Computes nothing. 0, or -1 when a write failed. */
int output_trend_text(FILE *f, const struct trend *t);

/* Writes t as one JSON document, ended by a newline. Computes nothing.
 * 0, or -1 when a write failed. */
int output_trend_json(FILE *f, const struct trend *t);

#endif /* LEAKREPORT_OUTPUT_TREND_H */
