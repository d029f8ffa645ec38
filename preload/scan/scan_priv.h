/*
 * scan_priv.h - the scan's state, shared by its steps (scan.c), its
 * marking (mark.c), its classification (classify.c) and its answers
 * (result.c); nothing outside scan/ includes it (but check_scan.c, which
 * builds a scan by hand).
 */
#ifndef LIBLEAK_SCAN_PRIV_H
#define LIBLEAK_SCAN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/blkindex.h"
#include "scan/heuristics.h"
#include "scan/libctree.h"
#include "scan/readable.h"
#include "scan/roots.h"
#include "scan/scan.h"
#include "track/stacks.h"

#define NO_PARENT        UINT32_MAX
#define ROOT_IS_LOADER   UINT32_MAX       /* blk.link of a loader block */
#define ROOT_IS_INTERNAL (UINT32_MAX - 1) /* of an internal block */
#define ROOT_IS_IGNORED  (UINT32_MAX - 2) /* of an ignored block (track/ignore.h) */
#define LOST_SHARED      0xff             /* blk.heur of an indirect block of many owners */
#define SCAN_MAPS        11               /* scan_map() slots */

/* A block's state only rises. ST_HEUR: reached from a root, the last step
 * an interior pointer that a heuristic accepts (heuristics.c): reachable,
 * as in Valgrind, until a start pointer makes it plainly so. */
enum {
	ST_UNREACHED,
	ST_POSSIBLE,
	ST_HEUR,
	ST_REACHABLE
};

/* The block a marked block was first marked from, or NO_PARENT: marked
 * straight from a root (or not marked). */
static inline uint32_t
blk_parent(const struct blk *b)
{
	return b->from_root || b->state == ST_UNREACHED ? NO_PARENT : b->link;
}

/* How a block marked straight from a root region was reached: the region
 * and the address of the word. Kept apart from the block records, which
 * would otherwise carry a word's address that only these few use (for a
 * block marked from another, its parent link is what the retainer needs). */
struct top {
	uint32_t root; /* index into roots.r */
	uintptr_t where;
};

struct scan {
	struct blk *b;
	size_t n;
	struct blkindex ix; /* find() over b */
	uint8_t *st;        /* n, b's state: mark() tests it here; then classify.c's */
	uint32_t *work;     /* 3n + 1 entries */
	size_t nwork;
	struct top *tops; /* 2n + 1: a block is marked from a root with new links at most twice */
	size_t ntops;
	struct roots roots;
	struct readable rd;    /* what may be read; the rest is skipped, never read */
	struct readable files; /* file-backed readable mappings (vtables) */
	struct readable code;  /* file-backed executable mappings */
	struct heur_ctx hc;    /* the heuristics on (LEAK_HEURISTICS) and what they read */
	struct libctree tree;  /* libc's own tsearch nodes (libctree.h) */
	struct stacks *stacks; /* the blocks' stacks, for tree */
	uint64_t unreadable;   /* bytes of blocks and roots skipped for that */
	uint64_t took_us;      /* scan_run() from its start to its answer */
	bool blind;            /* scan_blind() */
	uint32_t *by_stack;    /* stack id -> first reachable/possible block + 1, or 0 */
	size_t nstacks;
	struct helper *helper; /* the second worker of big levels, or NULL */
	bool helper_tried;
	struct part *parts;       /* two, for the two workers of a level */
	size_t mapped[SCAN_MAPS]; /* lengths of the mappings, for scan_free */
	void *maps[SCAN_MAPS];
};

/* A block a worker of a parallel level found to mark: applied by the main
 * thread after the level, in worker order, so the result is the same as
 * one thread's. */
struct cand {
	uint32_t blk;
	uint32_t parent; /* always a block: a level's words are its blocks' */
	uint8_t state;
	uint8_t heur;
};

/* One worker's share of a level: work[lo, hi). While workers run, nothing
 * writes the scan's state; each collects into its own c[] (at most 3n: a
 * block at most once per state, thanks to seen[]). */
struct part {
	struct scan *sc;
	size_t lo, hi;
	struct cand *c;
	size_t n;
	uint8_t *seen;       /* n: the highest state this worker emitted */
	uint64_t unreadable; /* bytes this worker skipped */
};

/* Maps `bytes` of arena memory into slot `slot` of sc (freed with it, by
 * scan_free; both in result.c); NULL when mmap fails. */
void *scan_map(struct scan *sc, int slot, size_t bytes);

/* Marking (mark.c): from every root region, then from the blocks libleak
 * counts as roots by policy (the loader's; libc's internal ones, of stack
 * `internal`), each followed through everything it reaches. */
void mark_from_roots(struct scan *sc);
void mark_policy_roots(struct scan *sc, struct stacks *stacks, stack_id_t internal);

/* Stops the marking's helper thread, if it has one. */
void mark_done(struct scan *sc);

/* Classification (classify.c), once marking is done: the unreached
 * blocks definite or indirect, the reached ones reachable or possible,
 * and the first reached block of every stack noted for its retainer. */
void classify_lost(struct scan *sc);

/* The owner of lost block c (classify.c): the DEFINITE block at the end of
 * its parent chain. */
size_t classify_owner(const struct scan *sc, size_t c);
void classify_reached(struct scan *sc, struct stacks *stacks);

#endif /* LIBLEAK_SCAN_PRIV_H */
