/*
 * exe_match.c - --exe PATTERN: keeps the dumps whose executable path (the
 * dump's "exe" line) matches one of the patterns.
 *
 * options.c adds every --exe argument with exe_filter_add(); main.c asks
 * exe_filter_match() for each dump it read and drops the others before
 * anything counts them. The matching itself is preload/base/pathglob.c, the one
 * the preload's LEAK_ONLY uses, so the two can never disagree; the rules
 * are written down in docs/leakreport.md.
 *
 * Not thread-safe (the filter is built once, before it is used).
 */
#include <stdlib.h>
#include <string.h>

#include "exe_match.h"
#include "base/pathglob.h"

bool
exe_pattern_match(const char *pattern, const char *path)
{
	return pathglob_match(pattern, strlen(pattern), path);
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
