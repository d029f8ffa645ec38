/*
 * output_html.h - the report, or trend's series, as one self-contained HTML
 * page. See output_html.c.
 */
#ifndef LEAKREPORT_OUTPUT_HTML_H
#define LEAKREPORT_OUTPUT_HTML_H

#include <stdio.h>

#include "group.h"
#include "per_process.h"
#include "trend.h"

/* Records in the page's flame graph data and table; the listed records
 * past them fold into one "other" box and one table line. */
#define HTML_MAX_RECORDS 5000
/* Frames of a stack the flame graph shows; deeper frames (nearest the
 * root) fold into the last shown. The table shows every frame. */
#define HTML_MAX_DEPTH 64

/*
 * Writes one HTML page to f. With r (after group_finish and the gate): the
 * summary and the gate's verdict, a flame graph of the listed records, the
 * table of the listed records with their stacks and retention paths, the
 * processes' table when pp is not NULL (--per-process), and,
 * when t is not NULL (the dumps are snapshots of one process), the heap
 * timeline with trend's growing stacks. With r NULL (leakreport trend): the
 * series' summary, the timeline and the growing stacks. Computes nothing.
 * 0, or -1 when a write to f failed.
 */
int output_html(FILE *f, const struct report *r, const struct per_process *pp,
    const struct trend *t);

#endif /* LEAKREPORT_OUTPUT_HTML_H */
