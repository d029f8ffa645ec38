/*
 * reach_cxx_real.cc - an ordinary C++ program for scripts/compare-valgrind.sh:
 * counts the words of a built-in text in a std::map<std::string, int>, prints
 * them with iostream, and leaks nothing of its own. What both tools still
 * find comes from libstdc++ and glibc (the exception emergency pool, stdout's
 * buffer); docs/valgrind-comparison.md explains each.
 */
#include <iostream>
#include <map>
#include <sstream>
#include <string>

static const char text[] =
	"the quick brown fox jumps over the lazy dog while the dog sleeps and "
	"the fox runs over the hill to find a longer word than supercalifragilistic";

int
main()
{
	std::map<std::string, int> counts;
	std::istringstream in(text);
	std::string word;

	while (in >> word)
		counts[word]++;
	for (const auto &kv : counts)
		if (kv.second > 1)
			std::cout << kv.first << ' ' << kv.second << '\n';
	std::cout << counts.size() << " distinct words" << std::endl;
	return 0;
}
