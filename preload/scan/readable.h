/*
 * readable.h - the address ranges the exit scan may read: every mapping
 * /proc/self/maps lists as readable while the world is stopped. A program
 * may make part of its heap PROT_NONE (guard pages, a SIGSEGV-driven
 * scheme), and the scan must skip that, never fault on it.
 */
#ifndef LIBLEAK_READABLE_H
#define LIBLEAK_READABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct readable {
	uintptr_t *lo; /* [lo[i], hi[i]): ascending, disjoint, not adjacent */
	uintptr_t *hi;
	size_t n;
	size_t cap; /* entries of lo[] and hi[] */
	void *map;  /* arena memory of both arrays */
	size_t map_bytes;
};

/* Maps room for cap ranges (arena memory). False when mmap fails. */
bool readable_init(struct readable *rd, size_t cap);
void readable_free(struct readable *rd);

/* Appends [lo, hi), which starts at or above the last range's end (maps
 * lines come in address order); a range that touches the last one is
 * merged into it. Drops it when full (what it covered is then skipped,
 * never read). */
void readable_add(struct readable *rd, uintptr_t lo, uintptr_t hi);

/*
 * The first readable piece of [*lo, hi): moves *lo to its start, sets *end
 * to its end and returns true; false when no byte of the rest is readable.
 * *hint is the caller's cursor (start it at 0): the range it names is
 * tried first, so a scan through one mapping costs two compares a call.
 * Read-only on rd: any number of threads may call it at once.
 */
static inline bool
readable_piece(const struct readable *rd, uintptr_t *lo, uintptr_t hi, uintptr_t *end, size_t *hint)
{
	size_t i = *hint;

	if (i >= rd->n || *lo < rd->lo[i] || *lo >= rd->hi[i]) {
		size_t a = 0, z = rd->n; /* the first range ending above *lo */

		while (a < z) {
			size_t m = (a + z) / 2;

			if (rd->hi[m] <= *lo)
				a = m + 1;
			else
				z = m;
		}
		if (a == rd->n || rd->lo[a] >= hi)
			return false;
		i = a;
		*hint = i;
	}
	if (*lo < rd->lo[i])
		*lo = rd->lo[i];
	*end = rd->hi[i] < hi ? rd->hi[i] : hi;
	return true;
}

/* Whether all of [lo, hi) is readable. */
static inline bool
readable_has(const struct readable *rd, uintptr_t lo, uintptr_t hi)
{
	uintptr_t a = lo, end;
	size_t hint = 0;

	return lo < hi && readable_piece(rd, &a, hi, &end, &hint) && a == lo && end == hi;
}

#endif /* LIBLEAK_READABLE_H */
