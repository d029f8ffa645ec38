/*
 * ctor_registry_lib.c - a library whose constructor allocates a registry
 * (16 pointers, 128 bytes) that the program fills later; ld.so runs this
 * constructor before libleak's. Linked into ctor_registry.c.
 */
#include <stdlib.h>

static void **registry;
static int nreg;

__attribute__((constructor)) static void
registry_init(void)
{
	registry = calloc(16, sizeof(void *));
}

void
registry_add(void *p)
{
	if (registry != NULL && nreg < 16)
		registry[nreg++] = p;
}
