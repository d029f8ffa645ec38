/*
 * retain_cache.c - blocks held from module data. The global g_cache points
 * to a 64-byte cache block (cache_put) whose first word points to a 40-byte
 * entry (cache_entry); a function-static pointer holds a 72-byte block
 * (keep_slot); the third word of an initialized global array holds a
 * 24-byte block (keep_table). Expected: all four reachable; the entry held
 * by global g_cache (.bss) -> block of 64 bytes from cache_put; the slot
 * block by the static (symbol slot.N, .bss); the table block by
 * g_table+0x10 (.data). A 12-byte block (lose_one) is lost: definite,
 * with no retainer.
 */
#include <stdlib.h>

#include "e2e.h"

struct cache {
	void *entry;
	char pad[56];
};

struct cache *g_cache;
void *g_table[4] = { (void *)1, (void *)2, NULL, (void *)4 };

NOINLINE static void *
cache_entry(void)
{
	void *p = malloc(40);

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void
cache_put(void)
{
	g_cache = malloc(sizeof(*g_cache));
	g_cache->entry = cache_entry();
	NO_TAIL_CALL();
}

NOINLINE static void
keep_slot(void)
{
	static void *slot;

	if (slot == NULL)
		slot = malloc(72);
	NO_TAIL_CALL();
}

NOINLINE static void
keep_table(void)
{
	g_table[2] = malloc(24);
	NO_TAIL_CALL();
}

NOINLINE static void
lose_one(void)
{
	char *volatile p = malloc(12);

	p[0] = 1;
	p = NULL;
	NO_TAIL_CALL();
}

int
main(void)
{
	cache_put();
	keep_slot();
	keep_table();
	lose_one();
	say("cache kept\n");
	return 0;
}
