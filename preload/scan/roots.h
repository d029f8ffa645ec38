/*
 * roots.h - the memory regions the exit scan reads pointers from.
 */
#ifndef LIBLEAK_ROOTS_H
#define LIBLEAK_ROOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan/readable.h"
#include "scan/stopworld.h"

#define ROOTS_MAX_OURS  4096
#define ROOTS_MAX_HEAPS 4096

enum root_kind {
	ROOT_GLOBAL,   /* a module's writable segment; who = module id */
	ROOT_THREAD,   /* a live thread's stack, registers, TLS; who = tid */
	ROOT_MAPPING,  /* anonymous memory the program mapped; who = 0 */
	ROOT_LOADER,   /* a block the dynamic loader allocated (by policy) */
	ROOT_INTERNAL, /* a block libc allocated while libleak ran (by policy) */
	ROOT_IGNORED,  /* a block the program asked never to report (by policy) */
	ROOT_REGION,   /* memory the program registered (leak_register_root) */
};

struct root_region {
	uintptr_t lo; /* 8-aligned */
	uintptr_t hi;
	enum root_kind kind;
	uint32_t who;
};

struct roots {
	struct root_region *r; /* cap entries, owned by the caller */
	size_t n;
	size_t cap;
	struct root_region ours[ROOTS_MAX_OURS]; /* scratch: our own mappings */
	size_t nours;
	struct readable *readable;          /* filled by roots_maps(): what may be read */
	struct readable *files;             /* its file-backed readable mappings, or NULL */
	struct readable *code;              /* its file-backed executable mappings, or NULL */
	uintptr_t heap_lo[ROOTS_MAX_HEAPS]; /* scratch: glibc's thread arena heaps */
	uintptr_t heap_hi[ROOTS_MAX_HEAPS];
	size_t nheaps;
	bool heaps_known; /* found from main_arena's list of arenas */
};

/* At start-up, with the real allocator: finds glibc's main_arena so that
 * it is never taken as a root. */
void roots_init(void *(*real_malloc)(size_t), void (*real_free)(void *));

/* Adds the writable segments of every module but libleak. Locks the
 * loader: call before stopping the world. Returns how many were added. */
int roots_modules(struct roots *r);

/* Adds the regions the program registered, [lo[i], hi[i]) for i < n
 * (scan/regions.h copied them). Returns how many were added. */
int roots_regions(struct roots *r, const uintptr_t *lo, const uintptr_t *hi, size_t n);

/* Adds the block each stopped thread's realloc() had out of the map when
 * it stopped (track.h), as that thread's root. Returns how many. */
int roots_moving(struct roots *r, const struct sw_thread *th, int nth);

/* Adds the live stacks (my_sp for the calling thread, each stopped
 * thread's from its handler frame) and the program's anonymous mappings,
 * less our own memory, module segments, glibc arena heaps and live blocks.
 * blocks_in(ctx, lo, hi, spans, max) stores up to max [start, end) pairs of
 * live blocks (with their chunk headers) inside [lo, hi) and returns how
 * many there are in all. A thread whose stack pointers all lie outside its
 * own stack (the main thread's [stack], another's the mapping that holds
 * its thread pointer, my_tp for the caller) gets that whole stack too.
 * Also fills r->readable with every readable
 * mapping. Only system calls: safe while stopped.
 * Returns how many were added, or -1 when /proc/self/maps is unreadable. */
int roots_maps(struct roots *r, const struct sw_thread *th, int nth, uintptr_t my_sp, pid_t my_tid,
    uintptr_t my_tp,
    size_t (*blocks_in)(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max),
    void *ctx);

#endif /* LIBLEAK_ROOTS_H */
