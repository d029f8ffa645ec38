/*
 * exe_match.c - --exe PATTERN: keeps the dumps whose executable path (the
 * dump's "exe" line) matches one of the patterns.
 *
 * options.c adds every --exe argument with exe_filter_add(); main.c asks
 * exe_filter_match() for each dump it read and drops the others before
 * anything counts them. The rules are written down in docs/leakreport.md;
 * the preload's LEAK_ONLY applies the same rules with its own code, so the
 * two must change together.
 *
 * Matching is a whole-string glob with '*' (any run of bytes, '/' too) and
 * '?' (any one byte): the greedy scan with one backtracking point, the last
 * '*' seen. Without character classes, retrying only from the last star
 * never loses a match, so a candidate costs O(len(pattern) * len(text)).
 * Bytes compare as they are (case-sensitive, no escapes).
 *
 * Not thread-safe (the filter is built once, before it is used).
 */
#include <stdlib.h>
#include <string.h>

#include "exe_match.h"

/* Whether the whole of text matches the whole of glob p. */
static bool
glob_match(const char *p, const char *text)
{
	const char *star = NULL;        /* the last '*' of p seen */
	const char *resume = NULL;      /* where in text that star's run ends now */

	while (*text != '\0') {
		if (*p == '*') {
			star = p++;
			resume = text;
		} else if (*p != '\0' && (*p == '?' || *p == *text)) {
			p++;
			text++;
		} else if (star != NULL) {
			p = star + 1;   /* the star takes one byte more */
			text = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool
exe_pattern_match(const char *pattern, const char *path)
{
	const char *slash;

	if (pattern[0] == '/')
		return glob_match(pattern, path);
	if (strchr(pattern, '/') == NULL) {
		slash = strrchr(path, '/');
		return glob_match(pattern, slash != NULL ? slash + 1 : path);
	}
	if (glob_match(pattern, path))
		return true;
	for (slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/'))
		if (glob_match(pattern, slash + 1))
			return true;
	return false;
}

bool
exe_filter_match(const struct exe_filter *f, const char *path)
{
	if (f->n == 0)
		return true;
	for (size_t i = 0; i < f->n; i++)
		if (exe_pattern_match(f->patterns[i], path))
			return true;
	return false;
}

int
exe_filter_add(struct exe_filter *f, const char *arg, struct err *e)
{
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ":");
		char **a;

		if (len == 0)
			return err_set(e, "--exe: empty pattern in '%.64s'", arg);
		a = realloc(f->patterns, (f->n + 1) * sizeof(*a));
		if (a == NULL)
			return err_set(e, "out of memory");
		f->patterns = a;
		f->patterns[f->n] = strndup(p, len);
		if (f->patterns[f->n] == NULL)
			return err_set(e, "out of memory");
		f->n++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

void
exe_filter_free(struct exe_filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->patterns[i]);
	free(f->patterns);
	f->patterns = NULL;
	f->n = 0;
}
