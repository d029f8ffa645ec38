/*
 * output_junit.h - the report as JUnit XML for CI test reports. See
 * output_junit.c.
 */
#ifndef LEAKREPORT_OUTPUT_JUNIT_H
#define LEAKREPORT_OUTPUT_JUNIT_H

#include <stdio.h>

#include "group.h"

/*
 * Writes r (after group_finish and the gate) to f as one JUnit XML
 * document: a <testsuite> per dump, a <testcase> per listed record in the
 * suite of each dump it came from, a <failure> when the record counts
 * toward the gate and the gate failed. Computes nothing. 0, or -1 when a
 * write to f failed.
 */
int output_junit(FILE *f, const struct report *r);

#endif /* LEAKREPORT_OUTPUT_JUNIT_H */
