/*
 * reach_heuristics.cc - blocks held only by the interior pointers that
 * Valgrind's default leak heuristics accept, one shape each, every pointer
 * in a global:
 *   newarray: new T[5] of a T with a destructor (the pointer is past the
 *     8-byte element count): 1 block, 28 bytes;
 *   stdstring: a copy-on-write std::string (built with the old ABI,
 *     -D_GLIBCXX_USE_CXX11_ABI=0), whose pointer goes to its characters past
 *     a 24-byte header: the std::string itself (8 bytes, held by a start
 *     pointer) and its representation of 24 + 100 + 1 bytes;
 *   length64: a block that starts with its own length less 8, held 8 bytes
 *     in: 1 block, 72 bytes;
 *   multipleinheritance: a C deriving from A and B, held as a B*, which
 *     points to the B inside it: 1 block, 32 bytes.
 * Expected with the heuristics (both tools' default): reachable 5 blocks,
 * 265 bytes; without (none): the std::string object reachable (1 block, 8
 * bytes) and the other 4 possible (4 blocks, 257 bytes). Prints
 * "heuristic shapes 0 100 2".
 */
#include <cstdint>
#include <cstdlib>
#include <string>

#include "e2e.h"

struct elem {
	int v = 0;
	~elem() { v = 0; }
};

struct A {
	virtual ~A() {}
	long a = 1;
};

struct B {
	virtual ~B() {}
	long b = 2;
};

struct C : A, B {
	~C() override {}
};

static elem *g_array;
static std::string *g_string;
static char *g_length64;
static B *g_second_base;

int
main()
{
	g_array = new elem[5];
	g_string = new std::string(100, 'x');
	uint64_t *p = static_cast<uint64_t *>(malloc(72));
	p[0] = 64;
	g_length64 = reinterpret_cast<char *>(p + 1);
	g_second_base = new C;
	say("heuristic shapes %d %zu %ld\n", g_array[0].v, g_string->size(), g_second_base->b);
	return 0;
}
