/*
 * symbolize.h - return addresses from a dump -> function, file:line, with
 * inline frames, through elfutils' libdwfl. See symbolize.c.
 */
#ifndef LEAKREPORT_SYMBOLIZE_H
#define LEAKREPORT_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

struct sym_frame {
	uint64_t pc;            /* the return address from the dump */
	const char *module;     /* module file's basename, or NULL if no module covers pc */
	const char *module_path;/* full path as in the dump, or NULL */
	uint64_t offset;        /* pc - module bias (link-time address), when module != NULL */
	const char *function;   /* demangled name, or NULL when unknown */
	const char *file;       /* source file, or NULL */
	uint32_t line;          /* 0 when unknown */
	uint32_t column;        /* 0 when unknown */
	bool inlined;           /* true: inlined into the frame that follows it */
};

struct sym_options {
	bool debuginfod;        /* allow DEBUGINFOD_URLS lookups (--debuginfod) */
	/* Called once per distinct problem (build-id mismatch, missing file). */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

struct symbolizer;

/* Returns a new symbolizer, or NULL with e filled. Allocates. */
struct symbolizer *sym_new(const struct sym_options *o, struct err *e);

/*
 * Resolves one pc of dump d into *n >= 1 frames: innermost inlined frame
 * first, the function that really holds the code last (inlined == false).
 * When nothing is known the single frame has module/offset or only pc.
 * The frames belong to the symbolizer's cache (each distinct module+offset
 * is symbolized once, across dumps) and stay valid until sym_free().
 * Returns 0, or -1 with e filled only on an internal failure (out of memory).
 */
int sym_resolve(struct symbolizer *s, const struct dump *d, uint64_t pc,
    const struct sym_frame **frames, size_t *n, struct err *e);

void sym_free(struct symbolizer *s);

#endif /* LEAKREPORT_SYMBOLIZE_H */
