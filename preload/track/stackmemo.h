/*
 * stackmemo.h - one thread's memo of walked chains, keyed by their first
 * frames: the stack cache's second level, for threads whose call paths
 * are too many for its ways.
 */
#ifndef LIBLEAK_STACKMEMO_H
#define LIBLEAK_STACKMEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "track/table.h"

/* Frames walked before the memo is asked: its key is slot0 and these
 * frames' return addresses. */
#define MEMO_KEY_FRAMES 8
/* The longest chain kept (LEAK_DEPTH up to 41 with libleak's one frame;
 * a longer one is walked each time). It is what fills an entry's cache
 * line. */
#define MEMO_FRAMES 42

struct stackmemo;

/* A new, empty memo in arena memory (its pages cost memory as they are
 * first written); NULL when it cannot be mapped. */
struct stackmemo *stackmemo_new(void);

/* Forgets every chain (a thread on another stack took the memo over). */
void stackmemo_clear(struct stackmemo *m);

/* Bytes a memo maps. */
size_t stackmemo_bytes(void);

/* The key of a chain: its first slot and its first MEMO_KEY_FRAMES return
 * addresses. */
uint64_t stackmemo_key(uintptr_t slot0, const uintptr_t *ips);

/*
 * The stack id of a chain stored under `key` that this thread's stack
 * holds now, else 0. ips[0..MEMO_KEY_FRAMES) are the return addresses just
 * walked (slots[k] the slot each was read from); a stored chain
 * matches when its first frames are those and each further slot, at the
 * distance the walk found when it stored the chain, holds the stored
 * return address. `max` is the walk's frame limit: a chain stored under
 * another limit is not taken unless it ended before both. Reads only
 * slots a match so far proves to be frames of this stack (see the .c). On
 * a match the whole chain is in ips[] and slots[] (room for MEMO_FRAMES)
 * and *n is its length; beyond *n they are scratch.
 */
stack_id_t stackmemo_find(const struct stackmemo *m, uint64_t key, uintptr_t *ips, uintptr_t *slots,
    unsigned max, unsigned *n);

/*
 * Stores the chain ips[0..n), read at slots[0..n) by a walk of CFI rules
 * alone (ended: it found the outermost frame; else it stopped at its frame
 * limit), as stack `id`, whose depot frames are pcs[0..np): the chain's
 * own, or all but one: libleak's own, anywhere but first (the depot's
 * entries never move or change: find() compares with them). Nothing is
 * stored when n is under MEMO_KEY_FRAMES (a chain that short is walked
 * whole, and the ways hold it; memoized, the short chains of 4,000
 * short-lived threads touched a page of the memo each: 2.9 MB peak RSS
 * became 7 MB) or over MEMO_FRAMES, the frames differ otherwise, or a
 * distance past the key is not a whole number of words, or is 65,536
 * words or more, or is the second one of 256 words or more.
 */
void stackmemo_store(struct stackmemo *m, uint64_t key, const uintptr_t *slots,
    const uintptr_t *ips, unsigned n, const uintptr_t *pcs, unsigned np, stack_id_t id, bool ended);

#endif /* LIBLEAK_STACKMEMO_H */
