/*
 * reach_new0.cc - new T[0] for a T with a destructor: an 8-byte block that
 * holds the element count 0, and a pointer just past its end, kept in a
 * global. LeakSanitizer counts the block as reachable (its special case for
 * operator new[] of nothing), and so does libleak's newarray heuristic;
 * Valgrind calls it definitely lost. Expected (libleak): reachable 1 block,
 * 8 bytes, by the newarray heuristic; with LEAK_HEURISTICS=none, definite.
 */
#include "e2e.h"

struct elem {
	int v = 0;
	~elem() { v = 1; }
};

static elem *g_none;

int
main()
{
	g_none = new elem[0];
	say("new of none\n");
	return 0;
}
