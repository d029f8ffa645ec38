/*
 * scan.h - the exit-time reachability scan.
 */
#ifndef LIBLEAK_SCAN_H
#define LIBLEAK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/roots.h"
#include "scan/heuristics.h"
#include "track/stacks.h"
#include "track/addrmap.h"

enum scan_class {
	SCAN_DEFINITE,  /* nothing points to it, or it leads a lost cycle */
	SCAN_INDIRECT,  /* reachable only through lost blocks */
	SCAN_POSSIBLE,  /* reached, but only through interior pointers */
	SCAN_REACHABLE, /* reached from a root through start pointers */
};

#define SCAN_CHAIN_MAX 8

/* How one block of a stack is kept alive: root, then the blocks between. */
struct scan_chain {
	enum root_kind kind;
	uint32_t who;    /* module id, tid or 0 (roots.h) */
	uintptr_t where; /* address of the root word; 0 for ROOT_LOADER */
	size_t hops;     /* blocks between the root and this block */
	size_t n;        /* of which listed below, nearest the root first */
	stack_id_t stack[SCAN_CHAIN_MAX];
	uint64_t size[SCAN_CHAIN_MAX];
};

struct scan;

/* Classifies every live block (see scan.c). Stops the other threads while
 * it reads memory; the caller holds the state DUMPING, or runs a check
 * (life/check.c). Blocks of stack `internal` (0: none) are libc's internal
 * ones: roots, by policy. my_sp: where the calling thread's live stack
 * starts (a check: the frame of the API call, so libleak's own frames and
 * what dead frames of the program left below it are no roots); 0: here, or
 * where scan_set_stack_start() said.
 * heur_mask: the heuristics on (1 << enum heur each). NULL
 * when it cannot run (out of memory, /proc unreadable): the dump then says
 * scan none. release_map: the exit's scan, after which the map is not
 * asked again: the blocks are copied out with addrmap_foreach_release(); if the
 * scan then cannot go on, it answers blind (scan_blind). */
struct scan *scan_run(struct addrmap *t, struct stacks *stacks, stack_id_t internal,
    unsigned heur_mask, uintptr_t my_sp, bool release_map);

/* True when the scan copied the blocks but could not mark them (out of
 * memory, /proc unreadable) after the map had let them go: every block is
 * definite, as when no scan runs, and only scan_foreach answers. */
bool scan_blind(const struct scan *sc);

/* heur: for a reachable block, the heuristic (heuristics.h) that alone
 * made it so; HEUR_NONE for every other. seen: a lost block that
 * scan_set_seen() named. */
typedef void (*scan_visit_fn)(void *ctx, uint64_t size, stack_id_t stack, enum scan_class cls,
    enum heur heur, bool seen);
void scan_foreach(const struct scan *sc, scan_visit_fn fn, void *ctx);

/* Calls fn for every lost (definite or indirect) block, in address order,
 * with its index for scan_set_seen(). */
typedef void (
    *scan_lost_fn)(void *ctx, size_t index, uintptr_t addr, uint64_t size, stack_id_t stack);
void scan_foreach_lost(const struct scan *sc, scan_lost_fn fn, void *ctx);

/* For every pair (stack, owner's stack), in ascending order: the indirect
 * blocks of `stack` that only blocks reached from one definite block of
 * `owner` reach (leakreport drops them when it suppresses the owner). A
 * block that definite blocks of different stacks reach is in no pair.
 * -1 when no memory can be mapped (then fn is not called). */
typedef void (
    *scan_owned_fn)(void *ctx, stack_id_t stack, stack_id_t owner, uint64_t blocks, uint64_t bytes);
int scan_foreach_owned(struct scan *sc, scan_owned_fn fn, void *ctx);

/* Notes that lost block `index` was reported by an earlier check. */
void scan_set_seen(struct scan *sc, size_t index);

/* The retainer chain of the first reached block allocated from `stack`;
 * false when no block of that stack was reached. */
bool scan_retainer(const struct scan *sc, stack_id_t stack, struct scan_chain *out);

/* Bytes of blocks and roots the scan skipped: not readable (a PROT_NONE
 * page of the heap); they were never read. */
uint64_t scan_unreadable(const struct scan *sc);

/* Microseconds scan_run() took, stopping and resuming the world included:
 * what the scan added to the exit. */
uint64_t scan_took_us(const struct scan *sc);

void scan_free(struct scan *sc);

/* Records that the calling thread is leaving: its live stack is sp and
 * above (the frames of exit() itself and the dead frames of earlier calls
 * below sp are not roots). hooks.c calls it from exit() and after main
 * returns. */
void scan_set_stack_start(uintptr_t sp);

/* Where the calling thread's live stack starts for a scan it runs: what
 * scan_set_stack_start() recorded for it, else `here` (an address in the
 * caller's frame, its callee-saved registers spilled above it). For a
 * caller that then runs the scan on another stack (base/ownstack.h). */
uintptr_t scan_stack_start(uintptr_t here);

#endif /* LIBLEAK_SCAN_H */
