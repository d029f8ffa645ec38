/*
 * modmap.h - which module of a dump holds an address: the modules' spans
 * flattened once into sorted, disjoint segments, then a binary search per
 * lookup. See modmap.c.
 */
#ifndef LEAKREPORT_MODMAP_H
#define LEAKREPORT_MODMAP_H

#include <stdint.h>

#include "model.h"

/*
 * Builds d->segs from d->modules (lo < hi each, as dump_read checks). 0, or
 * -1 when out of memory (d->segs NULL then, and lookups fall back to the
 * linear search). Allocates; dump_free() frees. O(n log n).
 */
int modmap_build(struct dump *d);

/*
 * The module of d whose [lo, hi) holds addr: the first loaded one in dump
 * order, else the first unloaded one; NULL when none does. With d->segs
 * (dump_read built them) a binary search, else (a dump built by hand) the
 * linear search of modmap_find_linear(). Does not allocate.
 */
const struct module *modmap_find(const struct dump *d, uint64_t addr);

/* The same rule by a linear search over every module: the reference. */
const struct module *modmap_find_linear(const struct dump *d, uint64_t addr);

#endif /* LEAKREPORT_MODMAP_H */
