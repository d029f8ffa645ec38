/*
 * pathglob.h - the executable patterns of LEAK_ONLY (the preload) and of
 * leakreport --exe: one set of rules, one implementation.
 */
#ifndef LIBLEAK_PATHGLOB_H
#define LIBLEAK_PATHGLOB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether `path` matches one of the patterns in `list`, which are separated
 * by ':' (an empty pattern matches nothing). In a pattern `*` matches any
 * run of characters, '/' included, `?` any one character, and every other
 * character itself. A pattern that starts with '/' must match the whole
 * path; one without any '/' is matched against the path's last component;
 * any other (such as `build/` followed by `*`, or `tests/t_?`) matches the whole path or any part of
 * it that starts right after a '/'. Pure: no allocation, no locks,
 * async-signal-safe; O(length of pattern x length of path) per pattern.
 */
bool pathglob_match_list(const char *list, const char *path);

/* The same for one pattern of `n` bytes (no ':' splitting). */
bool pathglob_match(const char *pat, size_t n, const char *path);

#endif /* LIBLEAK_PATHGLOB_H */
