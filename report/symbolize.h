/*
 * symbolize.h - return addresses from a dump -> function, file:line, with
 * inline frames, and data addresses -> object symbol and section, through
 * elfutils' libdwfl. See symbolize.c.
 */
#ifndef LEAKREPORT_SYMBOLIZE_H
#define LEAKREPORT_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

struct sym_frame {
	uint64_t pc;             /* the return address from the dump */
	const char *module;      /* module file's basename, or NULL if no module covers pc */
	const char *module_path; /* full path as in the dump, or NULL */
	uint64_t offset;         /* pc - module bias (link-time address), when module != NULL */
	const char *function;    /* demangled name, or NULL when unknown */
	const char *file;        /* source file, or NULL */
	uint32_t line;           /* 0 when unknown */
	uint32_t column;         /* 0 when unknown */
	bool inlined;            /* true: inlined into the frame that follows it */
};

struct sym_options {
	bool debuginfod; /* allow DEBUGINFOD_URLS lookups (--debuginfod) */
	/* Called once per distinct problem (build-id mismatch, missing file). */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	size_t max_open; /* most module files open at once; 0: the default
			  * (256, fewer when RLIMIT_NOFILE is low) */
};

struct symbolizer;

/* Returns a new symbolizer, or NULL with e filled. Allocates. */
struct symbolizer *sym_new(const struct sym_options *o, struct err *e);

/*
 * Resolves one pc of dump d into *n >= 1 frames: innermost inlined frame
 * first, the function that really holds the code last (inlined == false).
 * When nothing is known the single frame has module/offset or only pc.
 * The frames belong to the symbolizer's cache and stay valid until
 * sym_free(): each distinct module file+offset is symbolized once, across
 * dumps, and its frames are shared by every pc that lands there, so their
 * pc field is 0 (a caller that shows addresses copies the frames and sets
 * it); the one frame of a pc outside every module has that pc.
 * Returns 0, or -1 with e filled only on an internal failure (out of memory).
 */
int sym_resolve(struct symbolizer *s, const struct dump *d, uint64_t pc,
    const struct sym_frame **frames, size_t *n, struct err *e);

/* A data address of a module, named (sym_resolve_data). */
struct sym_data {
	const char *module;      /* module file's basename, or NULL if no module covers it */
	const char *module_path; /* full path as in the dump, or NULL */
	uint64_t offset;        /* address - module bias (link-time address), when module != NULL */
	const char *symbol;     /* the data object (STT_OBJECT/STT_TLS, .symtab else .dynsym)
				 * that holds it, demangled; NULL when none does */
	uint64_t symbol_offset; /* address - the symbol's start, when symbol != NULL */
	const char *section;    /* ".bss", ".data", ".data.rel.ro", ...; NULL when unknown */
};

/*
 * Names run-time data address addr of dump d (say the word a global root
 * points from): the module with id module_id (0, or an id d does not have:
 * the module whose [lo, hi) holds addr, a loaded one first), the object
 * symbol holding addr - bias and its section. When there is no symbol the
 * result still has module+offset and, if the file says, the section. The
 * result belongs to the symbolizer's cache (each distinct module+offset is
 * looked up once, across dumps) and stays valid until sym_free(). Returns
 * 0, or -1 with e filled only on an internal failure (out of memory).
 */
int sym_resolve_data(struct symbolizer *s, const struct dump *d, uint32_t module_id, uint64_t addr,
    const struct sym_data **data, struct err *e);

/* How many module files are open now (at most sym_options.max_open). For
 * tests. */
size_t sym_open_images(const struct symbolizer *s);

void sym_free(struct symbolizer *s);

#endif /* LEAKREPORT_SYMBOLIZE_H */
