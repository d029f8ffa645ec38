/*
 * track.h - the tracker: the one seam the hooks call (as heaptrack's
 * tracker), and the objects it feeds (the live-block map, the stack depot).
 */
#ifndef LIBLEAK_TRACK_H
#define LIBLEAK_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "track/addrmap.h"
#include "track/ignore.h"
#include "track/stacks.h"

extern struct addrmap *lk_blocks;    /* every tracked live block; NULL before start */
extern struct stacks *lk_stacks;     /* every stack a block was allocated from */
extern stack_id_t lk_internal_stack; /* the stack of internal blocks; 0 before start */

/* Set while this thread is inside a map operation: an allocation from a
 * signal handler meanwhile must not enter the map again (the hooks test
 * it first). */
extern __thread int track_in_map __attribute__((tls_model("initial-exec")));

/* Maps the map, the depot and the stack cache, and names the internal
 * stack; `depth` frames are kept per stack (1..256), `verify` unwinds on
 * every stack-cache hit too (LEAK_VERIFY_STACKS). Only system calls, no
 * lock: it runs inside the first allocation. False when memory cannot be
 * mapped. */
bool track_init(int depth, bool verify);

/* Frames kept per stack from now on (1..256): the program's
 * malloc_context_size (life/lsan.c), from the constructor. */
void track_set_depth(int frames);

/* A block this thread's realloc() has between the map and the allocator
 * (taken out of the map, its successor not yet in): [lo, hi), or lo == hi
 * when there is none. A scan that stops the thread meanwhile reads it as
 * the thread's root (scan/stopworld.c copies it from the stop handler), so
 * what only that block points to is not lost for a moment. Its first
 * TRACK_MOVING_WORDS words are kept in track_moving_words too: the
 * allocator's free() inside realloc() writes its links over them before the
 * new block is known. Written by its thread only, with signal fences: the
 * handler runs on that thread. */
#define TRACK_MOVING_WORDS 4
extern __thread uintptr_t track_moving_lo __attribute__((tls_model("initial-exec")));
extern __thread uintptr_t track_moving_hi __attribute__((tls_model("initial-exec")));
extern __thread uintptr_t track_moving_words[TRACK_MOVING_WORDS]
    __attribute__((tls_model("initial-exec")));

/* The block track_alloc() records: set by the hook just before, read back
 * and cleared just after (interpose/hook.h says why not an argument). */
extern __thread void *track_pending __attribute__((tls_model("initial-exec")));

/* This thread's signal stack, [lo, hi), as the program last set it with
 * sigaltstack() (interpose/process.c); 0, 0: none. A stack-cache miss on it
 * with little room left does not call libunwind (track.c). */
void track_set_signal_stack(uintptr_t lo, uintptr_t hi);

/*
 * Records block track_pending of n bytes, allocated by the code whose
 * return address is in the stack slot slot0 (the hook computes it from its
 * own frame).
 * The caller has checked that tracking is on and holds the guard (set
 * lk_busy before track_pending: see interpose/hook.h): this keeps errno, finds
 * the stack (the stack cache, else libunwind, else, while the loader may
 * hold its locks, what the cache knows) and inserts the block. Lock-free;
 * never calls malloc itself (libunwind may, under the guard).
 */
void track_alloc(size_t n, uintptr_t slot0);

/* The stack of the code whose return address is in slot0, as track_alloc()
 * finds it, for a resource (track/resources.h). Same rules: the caller
 * holds the guard; errno is kept. */
stack_id_t track_stack(uintptr_t slot0);

/* Records block p of n bytes that the C library allocated while this
 * thread ran libleak's code, under the internal stack: the exit scan
 * reads it as a root, the dump never lists it. Nothing when this thread is
 * inside a map operation. */
void track_internal(void *p, size_t n);

/* Forgets p (before the real free): true when it was a tracked program
 * block, with its size and stack; an internal block is forgotten too, and
 * counted nowhere (false). Lock-free, no allocation, no guard needed. */
bool track_free(void *p, uint64_t *size, stack_id_t *stack);

/* Puts back a block that track_free() forgot (a realloc that failed). */
void track_restore(void *p, uint64_t size, stack_id_t stack);

/* Around a dl_iterate_phdr() callback of the program's: the loader holds
 * its lock meanwhile, and allocations must not enter libunwind. */
/* dlclose() unloaded code: the stack caches and libunwind's forget what
 * they learned about its addresses (stackcache.h, backtrace.h). */
void track_code_unloaded(void);

void track_loader_enter(void);
void track_loader_leave(void);

/* With LEAK_VERIFY_STACKS=1: stack-cache hits checked, and how many named
 * a stack other than the one unwinding found. */
void track_verify_counts(uint64_t *hits, uint64_t *diffs);

enum ignore_result {
	IGNORE_DONE,    /* the block is ignored now */
	IGNORE_ALREADY, /* it was already */
	IGNORE_NONE,    /* p is in no live tracked block */
};

/* Ignores the live block p points to (its start or its interior): the
 * block is moved to its stack's ignored twin in the address map. A start
 * pointer costs one lookup; an interior one a walk of every live block.
 * The caller serializes calls with the scans (interpose/api.c) and owns
 * the block, so nobody frees it meanwhile. No malloc. */
enum ignore_result track_ignore(const void *p);

#endif /* LIBLEAK_TRACK_H */
