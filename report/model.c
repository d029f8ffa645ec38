/*
 * model.c - the names of the model's kinds, and finding things in it: a
 * stack by id, a path's file name.
 *
 * The one table of the words for a record's kind, a retainer's root and a
 * dump's kind. They are the dump format's words (dumpfmt.h), which are also
 * what leakreport shows and parses (--show, --fail-on, the baseline file,
 * JSON), so one table serves the reader and every later stage. Pure: no
 * allocation, no I/O, no state.
 */
#include <string.h>

#include "dumpfmt.h"
#include "model.h"

static const char *const class_names[CLASS_COUNT] = {
	[CLASS_DEFINITE] = DUMP_CLASS_DEFINITE,
	[CLASS_INDIRECT] = DUMP_CLASS_INDIRECT,
	[CLASS_POSSIBLE] = DUMP_CLASS_POSSIBLE,
	[CLASS_REACHABLE] = DUMP_CLASS_REACHABLE,
	[CLASS_FD] = DUMP_RES_FD,
	[CLASS_TIMER] = DUMP_RES_TIMER,
	[CLASS_THREAD] = DUMP_RES_THREAD,
};

static const char *const root_names[RETAIN_COUNT] = {
	[RETAIN_GLOBAL] = DUMP_ROOT_GLOBAL,
	[RETAIN_THREAD] = DUMP_ROOT_THREAD,
	[RETAIN_MAPPING] = DUMP_ROOT_MAPPING,
	[RETAIN_LOADER] = DUMP_ROOT_LOADER,
	[RETAIN_INTERNAL] = DUMP_ROOT_INTERNAL,
	[RETAIN_IGNORED] = DUMP_ROOT_IGNORED,
	[RETAIN_REGION] = DUMP_ROOT_REGION,
};

/* The index of w[0..n) in names[count], or -1. */
static int
lookup(const char *const *names, int count, const char *w, size_t n)
{
	for (int i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], w, n) == 0)
			return i;
	return -1;
}

const char *
model_class_name(enum leak_class cls)
{
	return (unsigned)cls < CLASS_COUNT ? class_names[cls] : "?";
}

int
model_class_parse(const char *w, size_t n)
{
	return lookup(class_names, CLASS_COUNT, w, n);
}

const char *
model_root_name(enum retain_root root)
{
	return (unsigned)root < RETAIN_COUNT ? root_names[root] : "?";
}

int
model_root_parse(const char *w, size_t n)
{
	return lookup(root_names, RETAIN_COUNT, w, n);
}

const char *
model_dump_kind(const struct dump *d)
{
	return d->snapshot ? DUMP_KIND_SNAPSHOT : d->check ? DUMP_KIND_CHECK : DUMP_KIND_EXIT;
}

const char *
model_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Whether resource r sorts before (cls, id). */
static bool
res_before(const struct resource *r, enum leak_class cls, uint32_t id)
{
	return r->cls != cls ? r->cls < cls : r->stack_id < id;
}

const struct resource *
model_find_resources(const struct dump *d, enum leak_class cls, uint32_t id, size_t *n)
{
	size_t lo = 0, hi = d->nresources;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (res_before(&d->resources[mid], cls, id))
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;

	while (k < d->nresources && d->resources[k].cls == cls && d->resources[k].stack_id == id)
		k++;
	*n = k - lo;
	return k > lo ? &d->resources[lo] : NULL;
}

const struct stack *
model_find_stack(const struct dump *d, uint32_t id)
{
	size_t lo = 0, hi = d->nstacks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->stacks[mid].id == id)
			return &d->stacks[mid];
		if (d->stacks[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
