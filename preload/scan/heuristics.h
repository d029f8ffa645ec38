/*
 * heuristics.h - Valgrind's interior-pointer heuristics: a pointer into a
 * block, not to its start, that the C++ runtime or a well-known allocation
 * scheme makes on purpose, so the block counts as reachable, not possible.
 */
#ifndef LIBLEAK_HEURISTICS_H
#define LIBLEAK_HEURISTICS_H

#include <stdbool.h>
#include <stdint.h>

#include "scan/readable.h"

enum heur {
	HEUR_NONE,
	HEUR_STDSTRING, /* to the characters of a (COW ABI) std::string */
	HEUR_LENGTH64,  /* past a 64-bit length prefix (sqlite's allocations) */
	HEUR_NEWARRAY,  /* past new T[]'s element count (T has a destructor) */
	HEUR_MULTIPLE,  /* to a second base of a multiply-inherited object */
	HEUR_COUNT,
};

#define HEUR_ALL ((1u << HEUR_COUNT) - 2) /* every one but NONE */

/* What the heuristics may read: every readable mapping, file-backed ones
 * (where vtables are) and executable file-backed ones (code). */
struct heur_ctx {
	const struct readable *readable;
	const struct readable *files;
	const struct readable *code;
	unsigned mask; /* 1 << enum heur of those that are on */
};

/*
 * Which heuristic, if any, accepts ptr, which points into the block
 * [start, start + size) but not at start; HEUR_NONE when none does (the
 * block is then possibly lost). Reads only what ctx says is readable.
 * Pure otherwise; any thread.
 */
enum heur heur_interior(const struct heur_ctx *ctx, uintptr_t start, uint64_t size, uintptr_t ptr);

/* Whether ptr, one past the end of the block [start, start + size), is
 * what `new T[0]` returns for a T with a destructor: an 8-byte block that
 * holds the element count 0 (LeakSanitizer's special case; Valgrind calls
 * such a block lost). Part of the newarray heuristic. */
bool heur_new_zero(const struct heur_ctx *ctx, uintptr_t start, uint64_t size, uintptr_t ptr);

/* Parses LEAK_HEURISTICS ("all", "none", or a comma list of the names):
 * the mask, or -1 when s names something else. */
int heur_parse(const char *s);

#endif /* LIBLEAK_HEURISTICS_H */
