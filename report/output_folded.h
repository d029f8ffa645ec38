/*
 * output_folded.h - the listed records as collapsed stacks. See
 * output_folded.c.
 */
#ifndef LEAKREPORT_OUTPUT_FOLDED_H
#define LEAKREPORT_OUTPUT_FOLDED_H

#include <stdbool.h>
#include <stdio.h>

#include "group.h"

/*
 * Writes one line per listed record of r (after group_finish), "main;
 * parse;make_node 4096": its frames root first, joined by ';', then a space
 * and its bytes (blocks when blocks is true). Computes nothing. 0, or -1
 * when a write to f failed.
 */
int output_folded(FILE *f, const struct report *r, bool blocks);

/* Writes the name a flame graph shows for frame fr: its function, else
 * "module+0xOFFSET", else its pc; ';' as ':' and control bytes as '?', so
 * the name stays one field of one line. */
void output_folded_name(FILE *f, const struct sym_frame *fr);

#endif /* LEAKREPORT_OUTPUT_FOLDED_H */
