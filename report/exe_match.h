/*
 * exe_match.h - --exe PATTERN: which dumps a report reads, by the path of
 * the executable that wrote them. See exe_match.c.
 */
#ifndef LEAKREPORT_EXE_MATCH_H
#define LEAKREPORT_EXE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* The patterns of every --exe, in command-line order. */
struct exe_filter {
	char **patterns; /* owned, never empty */
	size_t n;        /* 0: no --exe, every dump is kept */
};

/*
 * Adds the patterns of one --exe argument: one pattern, or several
 * separated by ':'. 0, or -1 with e filled ("--exe: empty pattern in
 * 'a::b'") when the argument or one of its patterns is empty. Allocates.
 */
int exe_filter_add(struct exe_filter *f, const char *arg, struct err *e);

/* Whether path matches one of f's patterns; true when f has none. Does not
 * allocate. */
bool exe_filter_match(const struct exe_filter *f, const char *path);

/*
 * Whether path matches one pattern, by the rules of docs/leakreport.md
 * ("--exe patterns"): '*' any run of bytes, '/' included; '?' one byte;
 * any other byte itself. A pattern that starts with '/' matches the whole
 * path; one without '/' the basename; any other the whole path or a suffix
 * of it that starts right after a '/'. O(len(pattern) * len(path)) per
 * candidate suffix; does not allocate.
 */
bool exe_pattern_match(const char *pattern, const char *path);

/* Frees f's patterns; safe on a zeroed filter. */
void exe_filter_free(struct exe_filter *f);

#endif /* LEAKREPORT_EXE_MATCH_H */
