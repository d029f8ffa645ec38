/*
 * reach_mmap.c - the only pointer to a 144-byte block lies in an
 * anonymous mapping the program made with mmap(); the global that held the
 * mapping's address is XORed, so only the mapping itself is a root.
 * Expected: reachable 1 block 144 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "e2e.h"

#define MASK ((uintptr_t)0x3c3c3c3c3c3c3c3cULL)

uintptr_t g_map;

NOINLINE static int
store(void)
{
	void **m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	m[100] = malloc(144);
	g_map = (uintptr_t)m ^ MASK;
	return 0;
}

int
main(void)
{
	if (store() != 0)
		return 1;
	say("mapping holds it\n");
	return 0;
}
