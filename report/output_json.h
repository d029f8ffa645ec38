/*
 * output_json.h - the report as one JSON document (format version
 * OUTPUT_JSON_VERSION; fields in docs/leakreport.md). See output_json.c.
 */
#ifndef LEAKREPORT_OUTPUT_JSON_H
#define LEAKREPORT_OUTPUT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "group.h"
#include "per_process.h"

/* "version" of every JSON document leakreport writes (the report, diff and
 * trend): adding a field keeps it, renaming, removing or retyping one bumps
 * it. */
#define OUTPUT_JSON_VERSION 1

/*
 * Writes r (after group_finish and the gate) to f as JSON, ended by a
 * newline: what group_finish decided to list, the same as output_text().
 * pp is NULL without --per-process. Every string is escaped: quotes,
 * backslash and control bytes, and invalid UTF-8 becomes \uFFFD. Computes
 * nothing. 0, or -1 when a write to f failed (check errno).
 */
int output_json(FILE *f, const struct report *r, const struct per_process *pp);

/* Opens a JSON document: "{", its "version" and "tool" members and, for a
 * subcommand (command not NULL: "diff", "trend"), its "command" member, one
 * per line, each followed by ','. */
void output_json_begin(FILE *f, const char *command);

/* Writes s as a JSON string literal, quotes included; NULL writes null. */
void output_json_string(FILE *f, const char *s);

/* Writes the "frames" array of a stack of n frames (innermost first): one
 * object a line, indented 8, the closing ']' indented 6; "[]" when n is 0.
 * The report, diff and trend all write stacks with it. */
void output_json_frames(FILE *f, const struct sym_frame *frames, size_t n);

#endif /* LEAKREPORT_OUTPUT_JSON_H */
