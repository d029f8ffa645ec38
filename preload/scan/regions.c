/*
 * regions.c - the registry of the program's own root regions: memory the
 * scan cannot know holds pointers (a pool carved out of a block, a shared
 * mapping) that the program names with leak_register_root(). The scan
 * copies them before it stops the world and reads them as roots of kind
 * `region`.
 *
 * Concurrency: any thread; a spin lock (an atomic flag: acquire on taking,
 * release on leaving) around an array of REGIONS_MAX entries mapped on
 * first use. Held for a few stores only, never across a call that could
 * block, so a waiter spins briefly. The scan takes it before stopping
 * anyone (regions.h).
 */
#include <stdatomic.h>

#include "base/arena.h"
#include "scan/regions.h"

struct region {
	uintptr_t lo, hi;
};

static atomic_flag lock = ATOMIC_FLAG_INIT;
static struct region *table; /* REGIONS_MAX entries, under lock */
static size_t count;         /* under lock */

static void
take(void)
{
	/* acquire: pairs with give()'s release; the table is as left. */
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		;
}

static void
give(void)
{
	atomic_flag_clear_explicit(&lock, memory_order_release);
}

bool
regions_add(const void *p, size_t n)
{
	bool ok = false;

	take();
	if (table == NULL)
		table = arena_map(REGIONS_MAX * sizeof(*table));
	if (table != NULL && count < REGIONS_MAX) {
		table[count].lo = (uintptr_t)p;
		table[count].hi = (uintptr_t)p + n;
		count++;
		ok = true;
	}
	give();
	return ok;
}

bool
regions_remove(const void *p, size_t n)
{
	bool ok = false;

	take();
	for (size_t i = 0; i < count; i++) {
		if (table[i].lo == (uintptr_t)p && table[i].hi == (uintptr_t)p + n) {
			table[i] = table[--count];
			ok = true;
			break;
		}
	}
	give();
	return ok;
}

size_t
regions_copy(uintptr_t *lo, uintptr_t *hi, size_t max)
{
	size_t n = 0;

	take();
	for (; n < count && n < max; n++) {
		lo[n] = table[n].lo;
		hi[n] = table[n].hi;
	}
	give();
	return n;
}
