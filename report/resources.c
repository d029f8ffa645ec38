/*
 * resources.c - what a record of a resource kind (fd, timer, thread) lists:
 * each open resource of its dumps, by number, with what it is and the
 * function that made it, and for a thread its start routine, symbolized.
 *
 * group.c calls resources_attach() for every rec of a resource kind as it
 * builds the records, and regroup.c resources_merge() when it merges
 * records. The entries point into the dumps and the symbolizer's cache,
 * which outlive the report. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "resources.h"

int
resources_attach(struct symbolizer *s, const struct dump *d, const struct rec *rc, struct leak *l,
    struct err *e)
{
	size_t n;
	const struct resource *first =
	    CLASS_IS_RESOURCE(rc->cls) ? model_find_resources(d, rc->cls, rc->stack_id, &n) : NULL;

	if (first == NULL)
		return 0;
	struct leak_res *a = realloc(l->res, (l->nres + n) * sizeof(*a));

	if (a == NULL)
		return err_set(e, "out of memory");
	l->res = a;
	for (size_t i = 0; i < n; i++) {
		const struct resource *r = &first[i];
		struct leak_res *x = &l->res[l->nres++];

		x->r = r;
		x->d = d;
		x->start = NULL;
		if (r->cls == CLASS_THREAD && r->aux != 0) {
			const struct sym_frame *fr;
			size_t nf;

			/* The start routine's own address, not a return address:
			 * sym_resolve looks up pc - 1, so give it one past. */
			if (sym_resolve(s, d, r->aux + 1, &fr, &nf, e) < 0)
				return -1;
			if (nf > 0)
				x->start = fr[nf - 1].function;
		}
	}
	return 0;
}

int
resources_merge(struct leak *out, struct leak *const *m, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += m[i]->nres;
	if (total == 0)
		return 0;
	struct leak_res *a = malloc(total * sizeof(*a));

	if (a == NULL)
		return -1;
	total = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i]->nres > 0)
			memcpy(a + total, m[i]->res, m[i]->nres * sizeof(*a));
		total += m[i]->nres;
	}
	for (size_t i = 0; i < n; i++) {
		free(m[i]->res);
		m[i]->res = NULL;
		m[i]->nres = 0;
	}
	out->res = a;
	out->nres = total;
	return 0;
}

const char *
resources_noun(enum leak_class cls, bool plural)
{
	switch (cls) {
	case CLASS_FD:
		return plural ? "file descriptors" : "file descriptor";
	case CLASS_TIMER:
		return plural ? "POSIX timers" : "POSIX timer";
	case CLASS_THREAD:
		return plural ? "threads" : "thread";
	default:
		return plural ? "resources" : "resource";
	}
}
