/*
 * ctor_registry.c - fills a registry that a library's constructor
 * allocated before libleak's constructor ran (ctor_registry_lib.c): three
 * 49-byte names, held only by the registry. Expected (both tools): nothing
 * lost; reachable 4 blocks, 275 bytes (the registry and the names).
 */
#include <string.h>

#include "e2e.h"

void registry_add(void *p);

int
main(void)
{
	for (int i = 0; i < 3; i++)
		registry_add(strdup("a registered name, forty-eight characters long.."));
	say("registered\n");
	return 0;
}
