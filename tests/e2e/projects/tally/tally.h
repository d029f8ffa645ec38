/*
 * tally.h - a tiny word counter: the library of the test projects that
 * tests/e2e/cases/leakcheck_runners.sh builds with make, Automake, CMake and
 * Meson and checks under scripts/leakcheck.
 */
#ifndef TALLY_H
#define TALLY_H

#include <stddef.h>

struct tally;

/* A new, empty tally; NULL when out of memory. */
struct tally *tally_new(void);

/* Counts one more WORD (copied); 0, or -1 when out of memory. */
int tally_add(struct tally *t, const char *word);

/* How many times WORD was added. */
unsigned tally_count(const struct tally *t, const char *word);

/* Distinct words added. */
size_t tally_size(const struct tally *t);

/* Frees the tally and every word it holds; NULL is allowed. */
void tally_free(struct tally *t);

#endif /* TALLY_H */
