/*
 * cxx_static.c - uses a C++ library whose static objects own heap blocks
 * and free them in their destructors at exit (cxx_static_lib.cc); the
 * destructors were registered before libleak's exit handler. Expected (both
 * tools): nothing lost, nothing still reachable.
 */
#include "e2e.h"

void static_add(int key);
unsigned long static_count(void);

int
main(void)
{
	for (int i = 0; i < 3; i++)
		static_add(i);
	say("%lu names\n", static_count());
	return 0;
}
