/*
 * blkindex.h - the exit scan's blocks sorted by address, and the index
 * that finds the block holding an address.
 */
#ifndef LIBLEAK_BLKINDEX_H
#define LIBLEAK_BLKINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "track/table.h"

/* One live block as the exit scan sees it; the fields after addr and size
 * are scan.c's (marking and classification), carried along by the sort.
 * 24 bytes: the exit scan holds one for every live block on top of the
 * program's heap (2M blocks: 48 MB), so the flags share a word with the
 * size (48 bits hold any block's: the address space has 47), and one link
 * serves the three uses no block has at once. */
struct blk {
	uintptr_t addr;
	uint64_t size : 48;
	uint64_t heur : 8;      /* enum heur of an ST_HEUR mark, else HEUR_NONE;
				 * LOST_SHARED (scan_priv.h) of a lost block */
	uint64_t state : 2;     /* ST_*, scan_priv.h */
	uint64_t cls : 3;       /* enum scan_class, once classified; CLS_NONE before */
	uint64_t seen : 1;      /* lost, and reported by an earlier check (scan_set_seen) */
	uint64_t from_root : 1; /* marked straight from a root: link is no block */
	uint64_t pointed : 1;   /* unreached, and another unreached block points to it */
	stack_id_t stack;
	uint32_t link; /* marked from a block: that block (blk_parent);
			* from_root: an index into scan.tops, or ROOT_IS_*;
			* indirect: the leader that took it in (classify.c) */
};

#define CLS_NONE 7 /* blk.cls before classification */

_Static_assert(sizeof(struct blk) == 24, "a block record is 24 bytes");

/* The bytes of address space block b holds for lookups: a block of 0
 * bytes holds its own address. */
static inline uintptr_t
blk_len(const struct blk *b)
{
	return b->size ? b->size : 1;
}

/* A run of blocks with no gap of CLUSTER_GAP or more between them, with
 * its own bucket index: one index over the whole address range would put
 * the brk heap and the mmap area (terabytes apart) in the same buckets. */
struct cluster {
	uintptr_t min;  /* its first block's address */
	uintptr_t span; /* its highest block end - min */
	unsigned shift; /* bucket size: 1 << shift bytes */
	size_t bucket0; /* its buckets start at first[bucket0] */
};

#define CLUSTERS_MAX 256
#define CLUSTER_GAP  ((uintptr_t)16 << 20)

struct blkindex {
	const struct blk *b; /* n blocks, sorted by addr, not overlapping */
	size_t n;
	uint32_t *first; /* bucket -> first block index with addr >= bucket start */
	struct cluster cl[CLUSTERS_MAX];
	size_t ncl;
	uintptr_t min;    /* the lowest block's address */
	uintptr_t span;   /* highest block end - min */
	size_t first_len; /* mapped bytes, for blkindex_free */
};

/* Sorts b[0..n) by addr, through tmp (n more). The direct-mapped blocks
 * come first and already in order from addrmap_foreach(): only the rest
 * is radix-sorted, then merged in. No allocation. */
void blkindex_sort(struct blk *b, struct blk *tmp, size_t n);

/* Builds the index over the sorted b[0..n), which must stay in place
 * while it is used; false when memory cannot be mapped. */
bool blkindex_build(struct blkindex *ix, const struct blk *b, size_t n);

/* Unmaps what blkindex_build() mapped. */
void blkindex_free(struct blkindex *ix);

/* The block that contains address v, or -1. */
static inline long
blkindex_find(const struct blkindex *ix, uintptr_t v)
{
	if (v - ix->min >= ix->span)
		return -1;
	size_t a = 0, z = ix->ncl;
	while (z - a > 1) { /* the last cluster starting at or below v */
		size_t mid = (a + z) / 2;

		if (ix->cl[mid].min <= v)
			a = mid;
		else
			z = mid;
	}
	const struct cluster *cl = &ix->cl[a];
	uintptr_t off = v - cl->min;
	if (off >= cl->span)
		return -1;
	size_t k = off >> cl->shift;
	const uint32_t *first = ix->first + cl->bucket0;
	/* The last block with addr <= v lies in bucket k or before it; blocks
	 * never overlap, so it is the only candidate. Bucket 0 holds the
	 * cluster's first block, at or below v, so lo-- stays in the cluster. */
	size_t lo = first[k], hi = first[k + 1];
	const struct blk *b = ix->b;
	if (lo == hi || b[lo].addr > v) {
		if (lo == 0)
			return -1;
		lo--;
	} else {
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;

			if (b[mid].addr <= v)
				lo = mid;
			else
				hi = mid;
		}
	}
	return v - b[lo].addr < blk_len(&b[lo]) ? (long)lo : -1;
}

#endif /* LIBLEAK_BLKINDEX_H */
