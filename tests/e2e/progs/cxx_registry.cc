/*
 * cxx_registry.cc - adds one entry to a static registry that a library's
 * static initialisers created and filled before libleak's constructor ran
 * (cxx_registry_lib.cc). Every entry is a map node and a factory, held by
 * the registry. Expected (both tools): nothing lost; reachable 7 blocks,
 * 336 bytes (the map, 48 bytes; 3 nodes of 72; 3 factories of 24).
 */
#include "e2e.h"

void registry_put(const char *name, int (*make)(void));
int registry_count();

static int make_three() { return 3; }

int
main()
{
	registry_put("three", make_three);
	say("%d registered\n", registry_count());
	return 0;
}
