/*
 * cxx_registry_lib.cc - a C++ library with a static registry, as plugin
 * and option systems have (LLVM's cl::opt, factories): a std::map filled
 * by the library's own static initialisers, which ld.so runs before
 * libleak's constructor, and by the program later. Linked into
 * cxx_registry.cc.
 */
#include <map>
#include <string>

struct factory {
	const char *name;
	int (*make)(void);
	long serial;
};

/* On the heap and never destroyed, as such registries often are: a
 * function-static map would be torn down at exit. */
static std::map<std::string, factory *> &
registry()
{
	static auto *r = new std::map<std::string, factory *>;
	return *r;
}

void
registry_put(const char *name, int (*make)(void))
{
	static long serial;
	registry()[name] = new factory{ name, make, ++serial };
}

int
registry_count()
{
	return (int)registry().size();
}

static int make_one() { return 1; }
static int make_two() { return 2; }

namespace {
struct registrar {
	registrar(const char *name, int (*make)(void)) { registry_put(name, make); }
};
registrar reg_one("one", make_one);
registrar reg_two("two", make_two);
}
