/*
 * readable.c - the scan's readable ranges (readable.h). Filled by roots.c
 * from /proc/self/maps while the world is stopped, so no mapping changes
 * under the scan; read by the scan's two workers at once.
 */
#include <string.h>

#include "base/arena.h"
#include "scan/readable.h"

bool
readable_init(struct readable *rd, size_t cap)
{
	size_t bytes = 2 * cap * sizeof(uintptr_t);
	void *p = arena_map(bytes);

	memset(rd, 0, sizeof(*rd));
	if (p == NULL)
		return false;
	rd->map = p;
	rd->map_bytes = bytes;
	rd->lo = p;
	rd->hi = rd->lo + cap;
	rd->cap = cap;
	return true;
}

void
readable_free(struct readable *rd)
{
	if (rd->map != NULL)
		arena_unmap(rd->map, rd->map_bytes);
	memset(rd, 0, sizeof(*rd));
}

void
readable_add(struct readable *rd, uintptr_t lo, uintptr_t hi)
{
	if (lo >= hi)
		return;
	if (rd->n > 0 && lo <= rd->hi[rd->n - 1]) {
		if (hi > rd->hi[rd->n - 1])
			rd->hi[rd->n - 1] = hi;
		return;
	}
	if (rd->n == rd->cap)
		return;
	rd->lo[rd->n] = lo;
	rd->hi[rd->n] = hi;
	rd->n++;
}
