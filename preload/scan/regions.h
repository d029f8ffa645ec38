/*
 * regions.h - memory the program registered as a root
 * (leak_register_root, __lsan_register_root_region).
 */
#ifndef LIBLEAK_REGIONS_H
#define LIBLEAK_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGIONS_MAX 4096

/* Registers [p, p + n) (n > 0). False when REGIONS_MAX are registered
 * already or no memory can be mapped. */
bool regions_add(const void *p, size_t n);

/* Unregisters a region registered with exactly p and n; false when there
 * is none. */
bool regions_remove(const void *p, size_t n);

/* Copies up to max registered regions, as [lo, hi) pairs, into lo[] and
 * hi[]; returns how many. Takes the registry's lock: call before the
 * world is stopped (a stopped thread may hold it). */
size_t regions_copy(uintptr_t *lo, uintptr_t *hi, size_t max);

#endif /* LIBLEAK_REGIONS_H */
