/*
 * blkindex.c - the exit scan's blocks sorted by address, and the index
 * that finds the block holding an address (blkindex_find(), inline in the
 * header: the scan calls it for every word it reads).
 *
 * Sorting: the blocks come from addrmap_foreach(), the direct-mapped ones
 * first and already in order; the spill table's (usually none) are
 * LSD-radix-sorted and merged in. The index: the blocks are split into
 * clusters at gaps of CLUSTER_GAP or more (the brk heap, thread arenas,
 * the mmap area), and each cluster gets about two buckets per block; a
 * bucket holds the index of the first block starting at or after it, and
 * a lookup binary-searches within its bucket (usually one block) in the
 * block records themselves. (A separate array of 16-byte keys, addr and
 * length, kept the searched data dense, but cost 16 bytes a block at the
 * exit's peak: the live workload's 2M blocks peaked at 324 MB with it,
 * 293 MB without, and its exit scan took 92 ms with it, 89 ms without;
 * perl's 49 ms either way.)
 *
 * Single-threaded build; lookups are read-only and may run on several
 * threads at once (the scan's helper). All memory from arena_map().
 */
#include <string.h>

#include "base/arena.h"
#include "scan/blkindex.h"

/* LSD radix sort of b[0..n) by addr, 16 bits a pass, through tmp. */
static void
sort_blocks(struct blk *b, struct blk *tmp, size_t n)
{
	static size_t count[1 << 16];

	for (unsigned shift = 0; shift < 64; shift += 16) {
		uintptr_t any = 0;

		for (size_t i = 0; i < n; i++)
			any |= b[i].addr >> shift;
		if (any == 0)
			break;
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(b[i].addr >> shift) & 0xffff]++;
		size_t sum = 0;
		for (size_t i = 0; i < (1 << 16); i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(b[i].addr >> shift) & 0xffff]++] = b[i];
		memcpy(b, tmp, n * sizeof(*b));
	}
}

static inline uintptr_t
blk_end(const struct blk *b)
{
	return b->addr + blk_len(b);
}

/* Splits the sorted blocks into clusters at gaps of at least `gap` bytes;
 * false when that makes more than CLUSTERS_MAX. */
static bool
split_clusters(struct blkindex *ix, uintptr_t gap)
{
	uintptr_t end = blk_end(&ix->b[0]);

	ix->ncl = 1;
	ix->cl[0] = (struct cluster){ .min = ix->b[0].addr };
	for (size_t i = 1; i < ix->n; i++) {
		if (ix->b[i].addr >= end && ix->b[i].addr - end >= gap) {
			if (ix->ncl == CLUSTERS_MAX)
				return false;
			ix->cl[ix->ncl - 1].span = end - ix->cl[ix->ncl - 1].min;
			ix->cl[ix->ncl++] = (struct cluster){ .min = ix->b[i].addr };
		}
		if (blk_end(&ix->b[i]) > end)
			end = blk_end(&ix->b[i]);
	}
	ix->cl[ix->ncl - 1].span = end - ix->cl[ix->ncl - 1].min;
	return true;
}

/* Sorts b[0..n) by addr. addrmap_foreach() gives the direct-mapped blocks
 * first and already in address order, so only the rest (the spill table's,
 * usually none) is radix-sorted and then merged in, through tmp. */
void
blkindex_sort(struct blk *b, struct blk *tmp, size_t n)
{
	size_t k = 1;

	while (k < n && b[k - 1].addr < b[k].addr)
		k++;
	if (k >= n)
		return;
	sort_blocks(b + k, tmp, n - k);
	memcpy(tmp, b, k * sizeof(*b));
	/* The write index never passes the right run's read index j. */
	size_t i = 0, j = k, w = 0;
	while (i < k && j < n)
		b[w++] = tmp[i].addr < b[j].addr ? tmp[i++] : b[j++];
	while (i < k)
		b[w++] = tmp[i++];
}

bool
blkindex_build(struct blkindex *ix, const struct blk *b, size_t n)
{
	ix->b = b;
	ix->n = n;
	if (ix->n == 0)
		return true;
	uintptr_t gap = CLUSTER_GAP;
	while (!split_clusters(ix, gap))
		gap *= 2;
	ix->min = ix->cl[0].min;
	ix->span = ix->cl[ix->ncl - 1].min + ix->cl[ix->ncl - 1].span - ix->min;

	/* Each cluster gets about one bucket per block it holds. */
	size_t total = 0, j = 0;
	for (size_t c = 0; c < ix->ncl; c++) {
		struct cluster *cl = &ix->cl[c];
		size_t nblk = 0;

		while (j + nblk < ix->n && ix->b[j + nblk].addr < cl->min + cl->span)
			nblk++;
		j += nblk;
		cl->shift = 4;
		while ((cl->span >> cl->shift) > nblk + 16)
			cl->shift++;
		cl->bucket0 = total;
		total += (cl->span >> cl->shift) + 2;
	}
	ix->first_len = total * sizeof(uint32_t);
	ix->first = arena_map(ix->first_len);
	if (ix->first == NULL)
		return false;
	j = 0;
	for (size_t c = 0; c < ix->ncl; c++) {
		const struct cluster *cl = &ix->cl[c];
		size_t nb = (cl->span >> cl->shift) + 2;

		for (size_t k = 0; k < nb; k++) {
			uintptr_t start = cl->min + ((uintptr_t)k << cl->shift);

			while (j < ix->n && ix->b[j].addr < start)
				j++;
			ix->first[cl->bucket0 + k] = (uint32_t)j;
		}
	}
	return true;
}

void
blkindex_free(struct blkindex *ix)
{
	if (ix->first != NULL)
		arena_unmap(ix->first, ix->first_len);
	ix->first = NULL;
}
