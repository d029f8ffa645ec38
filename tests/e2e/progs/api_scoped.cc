// api_scoped.cc - libleak.h from C++: LeakScopedDisable, LSan's
// ScopedDisabler in our names; what its scope allocates is not reported.
#include <cstring>

#include "e2e.h"
#include "libleak.h"

NOINLINE static char *
cache_fill()
{
	char *p = new char[96];

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void
real_leak()
{
	char *p = new char[24];
	std::memset(p, 0, 24);
	NO_TAIL_CALL();
}

int
main()
{
	{
		LeakScopedDisable off;
		std::memset(cache_fill(), 1, 96);
	}
	real_leak();
	say("scoped\n");
	return 0;
}
