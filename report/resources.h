/*
 * resources.h - the resources of a record of kind fd, timer or thread: the
 * res lines of its dumps (model.h's struct resource), with a thread's start
 * routine symbolized. See resources.c.
 */
#ifndef LEAKREPORT_RESOURCES_H
#define LEAKREPORT_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "model.h"
#include "symbolize.h"

struct leak;

/* One open resource of a record. */
struct leak_res {
	const struct resource *r; /* in its dump */
	const struct dump *d;     /* the dump it came from */
	const char *start;        /* a thread: its start routine's function (the
				   * symbolizer's), or NULL when unknown */
};

/*
 * Appends the resources of rec rc (a resource kind) of dump d to l->res,
 * symbolizing thread start routines with s. 0, or -1 with e filled (out of
 * memory). Does nothing for a rec of a block class.
 */
int resources_attach(struct symbolizer *s, const struct dump *d, const struct rec *rc,
    struct leak *l, struct err *e);

/* Moves the resources of the members m[0..n) into out->res (out may be
 * one of them), in member order. 0, or -1 when out of memory (nothing
 * moved then). */
int resources_merge(struct leak *out, struct leak *const *m, size_t n);

/* "file descriptor", "POSIX timer", "thread" (plural with an s). */
const char *resources_noun(enum leak_class cls, bool plural);

#endif /* LEAKREPORT_RESOURCES_H */
