/*
 * pathglob.c - executable patterns: see pathglob.h for the rules.
 *
 * Matching is the classic greedy scan with one back-track point: on a
 * mismatch after a '*', the '*' takes one more character and the rest is
 * tried again. Every '*' matches '/', so one back-track point is enough
 * (a later '*' supersedes an earlier one). Called by the preload while the
 * real allocator may be unknown, so it allocates nothing.
 */
#include <string.h>

#include "base/pathglob.h"

/* Whether all of s matches all of pat[0, n). */
static bool
glob_whole(const char *pat, size_t n, const char *s)
{
	size_t p = 0, star = (size_t)-1;
	const char *mark = NULL;

	while (*s != '\0') {
		if (p < n && pat[p] == '*') {
			star = p++;
			mark = s;
		} else if (p < n && (pat[p] == '?' || pat[p] == *s)) {
			p++;
			s++;
		} else if (star != (size_t)-1) {
			p = star + 1;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (p < n && pat[p] == '*')
		p++;
	return p == n;
}

bool
pathglob_match(const char *pat, size_t n, const char *path)
{
	if (n == 0)
		return false;
	if (pat[0] == '/')
		return glob_whole(pat, n, path);
	if (memchr(pat, '/', n) == NULL) {
		const char *base = strrchr(path, '/');

		return glob_whole(pat, n, base != NULL ? base + 1 : path);
	}
	if (glob_whole(pat, n, path))
		return true;
	for (const char *s = strchr(path, '/'); s != NULL; s = strchr(s + 1, '/'))
		if (glob_whole(pat, n, s + 1))
			return true;
	return false;
}

bool
pathglob_match_list(const char *list, const char *path)
{
	for (const char *p = list;;) {
		const char *end = strchr(p, ':');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (pathglob_match(p, n, path))
			return true;
		if (end == NULL)
			return false;
		p = end + 1;
	}
}
