/*
 * cxx_static_lib.cc - a C++ library with static objects that own heap
 * memory: a std::vector of long std::strings built by the library's static
 * initialiser, which ld.so runs before libleak's constructor, and a
 * std::map the program fills later, whose destructors free everything at
 * exit; and a constructor that registers 40 exit handlers, more than
 * glibc's first list of handlers holds, so glibc allocates the next list,
 * which it frees while the handlers run. All of it before libleak's
 * constructor runs. Linked into cxx_static.c.
 */
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

static std::vector<std::string> names = {
	"a static name, long enough to live on the heap: one",
	"a static name, long enough to live on the heap: two",
};
static std::map<int, std::string> added;

static void
nothing(void)
{
}

__attribute__((constructor)) static void
many_handlers(void)
{
	for (int i = 0; i < 40; i++)
		atexit(nothing);
}

extern "C" void
static_add(int key)
{
	added[key] = "an added name, long enough to live on the heap";
}

extern "C" unsigned long
static_count(void)
{
	return names.size() + added.size();
}
