/*
 * modules.h - every module loaded while tracking, for the dump's module map.
 */
#ifndef LIBLEAK_MODULES_H
#define LIBLEAK_MODULES_H

#include <stdbool.h>
#include <stdint.h>

struct module_info {
	uintptr_t bias; /* dlpi_addr */
	uintptr_t lo;   /* run-time span of the PT_LOAD segments */
	uintptr_t hi;
	unsigned char buildid[64];
	unsigned buildid_len; /* 0 when the module has no build-id note */
	bool loaded;          /* still loaded at the last modules_refresh() */
	const char *path;     /* absolute when it could be made so */
};

/* Adds every module loaded now that is not known yet, and marks known
 * ones that are gone as unloaded. Call at start, before each dlclose (so
 * a library that goes away is remembered) and before a dump. Takes a
 * private lock (never on the malloc path); allocates only from the arena. */
void modules_refresh(void);

typedef void (*modules_visit_fn)(void *ctx, unsigned id, const struct module_info *m);
/* Visits every module ever seen, ids 1.. in the order they were seen. */
void modules_foreach(modules_visit_fn fn, void *ctx);

/* The id modules_foreach() gives the loaded module with load bias `bias`,
 * or 0. */
uint32_t modules_find(uintptr_t bias);

/* pthread_atfork handlers: prepare takes the registry's lock, done (in
 * parent and child) releases it. */
void modules_fork_prepare(void);
void modules_fork_done(void);

#endif /* LIBLEAK_MODULES_H */
