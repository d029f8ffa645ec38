/*
 * static_dtor.cc - blocks freed by a C++ static destructor must not be
 * reported. holder_fill() allocates 3 blocks of 96 bytes owned by a static
 * object whose destructor frees them; real_leak() leaks 1 block of 12.
 * Expected dump: real_leak 1 12 only (plus nothing with a frame here).
 */
#include <cstdlib>

#include "e2e.h"

struct holder {
	void *p[3] = { nullptr, nullptr, nullptr };
	~holder()
	{
		for (auto q : p)
			std::free(q);
	}
};

static holder global_holder;

extern "C" {
NOINLINE void
holder_fill()
{
	for (auto &q : global_holder.p)
		q = std::malloc(96);
}
NOINLINE void *real_leak() { void *p = std::malloc(12); NO_TAIL_CALL(); return p; }
}

int
main()
{
	static holder local_static;     /* destroyed through __cxa_atexit */

	holder_fill();
	local_static.p[0] = new char[200];
	delete[] static_cast<char *>(local_static.p[0]);
	local_static.p[0] = std::malloc(300);
	e2e_sink = real_leak();
	e2e_sink = nullptr;
	say("static destructors pending\n");
	return 0;
}
