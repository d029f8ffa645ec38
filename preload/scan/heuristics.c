/*
 * heuristics.c - the interior pointers Valgrind's memcheck accepts by
 * default (--leak-check-heuristics=all), so that libleak's classes match
 * its own: a block reached only through such a pointer is reachable.
 *
 *  stdstring: libstdc++'s old (copy-on-write) std::string points to its
 *    characters, after a header of length, capacity and refcount: a pointer
 *    3 words in, to a block of 3 words + capacity + 1 bytes whose length
 *    word is at most its capacity.
 *  length64: a block that starts with its own size less 8, pointed to just
 *    past that word (sqlite's allocator does this).
 *  newarray: new T[n] for a T with a destructor stores n first and points
 *    past it: a pointer 1 word in, a non-zero first word that divides the
 *    rest of the block. new T[0] points one past an 8-byte block holding 0
 *    (LeakSanitizer counts that, Valgrind does not; we do, as the issue of
 *    both peers disagreeing is settled for the one that keeps no false leak).
 *  multipleinheritance: a pointer to a second base of an object, at an
 *    aligned word that holds a vtable pointer, in a block whose first word
 *    holds one too. A vtable pointer points into a file-backed readable
 *    mapping, to words that are null or point into executable file-backed
 *    mappings, at least two of them among the first 20.
 * Only ever reads words that the readable ranges cover.
 */
#include <string.h>

#include "dumpfmt.h"
#include "scan/heuristics.h"

#define VTABLE_SCAN 20

_Static_assert(HEUR_COUNT == DUMP_NHEUR + 1, "enum heur follows DUMP_HEURISTICS");

/* enum heur h is dumpfmt.h's heuristic h - 1. */
static const char *
name_of(int h)
{
	return h > HEUR_NONE ? dump_heur_name(h - 1) : "";
}

static bool
word_at(const struct readable *rd, uintptr_t a, uintptr_t *out)
{
	if ((a & 7) != 0 || !readable_has(rd, a, a + 8))
		return false;
	*out = *(const uintptr_t *)a;
	return true;
}

static bool
is_vtable(const struct heur_ctx *c, uintptr_t p)
{
	unsigned fns = 0;

	if (p < 4096 || (p & 7) != 0 || !readable_has(c->files, p, p + 8))
		return false;
	for (unsigned k = 0; k < VTABLE_SCAN; k++) {
		uintptr_t fn;

		if (!readable_has(c->files, p + 8 * k, p + 8 * k + 8) ||
		    !word_at(c->readable, p + 8 * k, &fn))
			return false;
		if (fn == 0)
			continue;
		if (!readable_has(c->code, fn, fn + 1))
			return false;
		if (++fns == 2)
			return true;
	}
	return false;
}

enum heur
heur_interior(const struct heur_ctx *c, uintptr_t start, uint64_t size, uintptr_t ptr)
{
	uintptr_t w0, w1, inner;

	if ((c->mask & (1u << HEUR_STDSTRING)) && ptr == start + 24 && size > 24 &&
	    word_at(c->readable, start + 8, &w1) && 24 + w1 + 1 == size &&
	    word_at(c->readable, start, &w0) && w0 <= w1)
		return HEUR_STDSTRING;
	if ((c->mask & (1u << HEUR_LENGTH64)) && ptr == start + 8 &&
	    word_at(c->readable, start, &w0) && w0 > 0 && size - 8 == w0)
		return HEUR_LENGTH64;
	if ((c->mask & (1u << HEUR_NEWARRAY)) && ptr == start + 8 &&
	    word_at(c->readable, start, &w0) && w0 > 0 && (size - 8) % w0 == 0)
		return HEUR_NEWARRAY;
	if ((c->mask & (1u << HEUR_MULTIPLE)) && (ptr & 7) == 0 &&
	    word_at(c->readable, ptr, &inner) && is_vtable(c, inner) &&
	    word_at(c->readable, start, &w0) && is_vtable(c, w0))
		return HEUR_MULTIPLE;
	return HEUR_NONE;
}

bool
heur_new_zero(const struct heur_ctx *c, uintptr_t start, uint64_t size, uintptr_t ptr)
{
	uintptr_t w0;

	return (c->mask & (1u << HEUR_NEWARRAY)) && size == 8 && ptr == start + 8 &&
	    word_at(c->readable, start, &w0) && w0 == 0;
}

int
heur_parse(const char *s)
{
	unsigned mask = 0;

	if (strcmp(s, "all") == 0)
		return (int)HEUR_ALL;
	if (strcmp(s, "none") == 0)
		return 0;
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		int h;

		for (h = 1; h < HEUR_COUNT; h++)
			if (strlen(name_of(h)) == n && memcmp(s, name_of(h), n) == 0)
				break;
		if (h == HEUR_COUNT)
			return -1;
		mask |= 1u << h;
		s += n;
		if (*s == ',' && *++s == '\0')
			return -1; /* a trailing comma */
	}
	return mask == 0 ? -1 : (int)mask;
}
