/*
 * check_blkindex.c - blkindex.c: the exit scan's sort of blocks by
 * address and the index that finds the block holding an address, against
 * qsort and a linear search over the same blocks.
 *
 * Block sets: clusters far apart (more than CLUSTERS_MAX of them, too),
 * adjacent blocks, blocks of every size from 0 (which holds its first
 * byte) to many megabytes, addresses near 0 and near 2^47; queries at
 * every block's first byte, last byte, one past its end and one before
 * its start, at random interior points and anywhere in and around the
 * span. The seed comes from TEST_SEED or the clock; failure messages
 * name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/arena.h"
#include "scan/blkindex.h"
#include "seeded.h"

#define MAXB 20000

static struct blk *
blocks(size_t n)
{
	void *p = mmap(NULL, (n + 1) * sizeof(struct blk), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert(p != MAP_FAILED);
	return p;
}

static int
cmp_blk(const void *a, const void *b)
{
	uintptr_t x = ((const struct blk *)a)->addr, y = ((const struct blk *)b)->addr;

	return x < y ? -1 : x > y;
}

static int
cmp_uptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* The model: the block holding v, by looking at every one. */
static long
naive_find(const struct blk *b, size_t n, uintptr_t v)
{
	for (size_t i = 0; i < n; i++)
		if (v >= b[i].addr && v - b[i].addr < (b[i].size ? b[i].size : 1))
			return (long)i;
	return -1;
}

/* The same, by binary search over the sorted blocks (for big sets). */
static long
sorted_find(const struct blk *b, size_t n, uintptr_t v)
{
	size_t a = 0, z = n;

	while (a < z) { /* first block with addr > v */
		size_t m = (a + z) / 2;

		if (b[m].addr <= v)
			a = m + 1;
		else
			z = m;
	}
	if (a == 0)
		return -1;
	a--;
	return v - b[a].addr < (b[a].size ? b[a].size : 1) ? (long)a : -1;
}

/* Every query worth asking of block set b[0..n) (sorted): each must give
 * what the model gives. Returns the number of queries. */
static size_t
check_all(const struct blkindex *ix, const struct blk *b, size_t n, uint64_t *rng, bool linear)
{
	size_t q = 0;

#define ASK(v)                                                                               \
	do {                                                                                 \
		uintptr_t v_ = (v);                                                          \
		long got_ = blkindex_find(ix, v_);                                           \
		long want_ = linear ? naive_find(b, n, v_) : sorted_find(b, n, v_);          \
		if (got_ != want_)                                                           \
			ck_abort_msg(SEEDED("find(%#lx): %ld, expected %ld (of %zu blocks)", \
			    (unsigned long)v_, got_, want_, n));                             \
		q++;                                                                         \
	} while (0)

	ASK(0);
	ASK(1);
	ASK(UINTPTR_MAX);
	ASK(UINTPTR_MAX - 7);
	ASK((uintptr_t)1 << 47);
	for (size_t i = 0; i < n; i++) {
		uint64_t len = b[i].size ? b[i].size : 1;

		ASK(b[i].addr);
		ASK(b[i].addr - 1);
		ASK(b[i].addr + len - 1);
		ASK(b[i].addr + len); /* end: the next block, or none */
		ASK(b[i].addr + len + 7);
		ASK(b[i].addr + rng_next(rng) % len);
		ASK(b[i].addr + rng_next(rng) % (2 * len + 64) - 32);
	}
	if (n > 0) {
		uintptr_t lo = b[0].addr, hi = b[n - 1].addr + b[n - 1].size;

		for (int k = 0; k < 2000; k++)
			ASK(lo + rng_next(rng) % (hi - lo + 4096));
		for (int k = 0; k < 200; k++)
			ASK(rng_next(rng));
	}
#undef ASK
	return q;
}

/* Builds the index over b[0..n) (sorted) and checks every query. */
static void
build_and_check(struct blk *b, size_t n, uint64_t *rng)
{
	struct blkindex ix;

	memset(&ix, 0, sizeof(ix));
	ck_assert(blkindex_build(&ix, b, n));
	ck_assert(ix.b == b && ix.n == n);
	ck_assert_uint_le(ix.ncl, CLUSTERS_MAX);
	check_all(&ix, b, n, rng, n <= 2000);
	blkindex_free(&ix);
	ck_assert_ptr_null(ix.first);
}

/* ---- sort */

/* Shuffles b[k..n): the direct-mapped blocks come first and sorted, the
 * rest in any order. */
static void
shuffle_tail(struct blk *b, size_t k, size_t n, uint64_t *rng)
{
	for (size_t i = n; i > k + 1; i--) {
		size_t j = k + (size_t)(rng_next(rng) % (i - k));
		struct blk t = b[i - 1];

		b[i - 1] = b[j];
		b[j] = t;
	}
}

/* The sort against qsort, with every field carried along: the sorted
 * prefix run of every length, addresses in every 16-bit digit. */
START_TEST(sort_matches_qsort)
{
	static const size_t ns[] = { 0, 1, 2, 3, 17, 1000, 5000 };
	struct blk *b = blocks(MAXB), *tmp = blocks(MAXB), *want = blocks(MAXB);
	uint64_t rng = seed + (uint64_t)_i * 1000;
	unsigned bits = (unsigned[]){ 12, 16, 20, 32, 40, 47, 63 }[_i];

	for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		size_t n = ns[t];

		/* distinct addresses: a random base and distinct increments */
		uintptr_t a = rng_next(&rng) & (((uintptr_t)1 << bits) - 1) & ~(uintptr_t)0xfff;

		for (size_t i = 0; i < n; i++) {
			a += 16 + 16 * (rng_next(&rng) % (bits > 16 ? 4096 : 2));
			b[i] = (struct blk){ .addr = a,
				.size = rng_next(&rng) % 64,
				.stack = (stack_id_t)i,
				.link = (uint32_t)(i * 3) ^ (uint32_t)~a,
				.state = i & 3,
				.cls = CLS_NONE,
				.from_root = i & 1,
				.pointed = (i >> 1) & 1,
				.seen = (i >> 2) & 1,
				.heur = (uint8_t)(i >> 8) };
		}
		memcpy(want, b, n * sizeof(*b));
		for (size_t k = 0; k <= n; k += n > 40 ? n / 7 + 1 : 1) {
			memcpy(b, want, n * sizeof(*b));
			shuffle_tail(b, k, n, &rng);
			blkindex_sort(b, tmp, n);
			ck_assert_msg(memcmp(b, want, n * sizeof(*b)) == 0,
			    SEEDED("%zu blocks (%u-bit addresses), %zu in order first: not sorted",
				n, bits, k));
		}
		/* all in reverse */
		for (size_t i = 0; i < n; i++)
			b[i] = want[n - 1 - i];
		blkindex_sort(b, tmp, n);
		ck_assert_msg(memcmp(b, want, n * sizeof(*b)) == 0, SEEDED("reversed %zu", n));
	}
}
END_TEST

/* Fully random addresses: against qsort. */
START_TEST(sort_random_addresses)
{
	struct blk *b = blocks(MAXB), *tmp = blocks(MAXB), *want = blocks(MAXB);
	uint64_t rng = seed * 3 + (uint64_t)_i;
	size_t n = 1 + (size_t)(rng_next(&rng) % MAXB);

	for (size_t i = 0; i < n; i++)
		b[i] =
		    (struct blk){ .addr = rng_next(&rng) & ~(uintptr_t)15, .stack = (stack_id_t)i };
	memcpy(want, b, n * sizeof(*b));
	qsort(want, n, sizeof(*want), cmp_blk);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(want[i].addr != want[i - 1].addr, SEEDED("duplicate address drawn"));
	blkindex_sort(b, tmp, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(b[i].addr == want[i].addr && b[i].stack == want[i].stack,
		    SEEDED("block %zu of %zu: %#lx, expected %#lx", i, n, (unsigned long)b[i].addr,
			(unsigned long)want[i].addr));
}
END_TEST

/* ---- index */

START_TEST(empty_set_finds_nothing)
{
	struct blkindex ix;
	uint64_t rng = seed;

	memset(&ix, 0, sizeof(ix));
	ck_assert(blkindex_build(&ix, NULL, 0));
	ck_assert_int_eq(blkindex_find(&ix, 0), -1);
	ck_assert_int_eq(blkindex_find(&ix, 0x1000), -1);
	ck_assert_int_eq(blkindex_find(&ix, UINTPTR_MAX), -1);
	for (int k = 0; k < 100; k++)
		ck_assert_int_eq(blkindex_find(&ix, rng_next(&rng)), -1);
	blkindex_free(&ix);
}
END_TEST

START_TEST(single_blocks)
{
	static const struct {
		uintptr_t addr;
		uint64_t size;
	} one[] = {
		{ 0x1000, 16 },
		{ 0x1000, 0 },
		{ 0x1000, 1 },
		{ 16, 32 },
		{ 0, 8 },
		{ 1, 0 },
		{ ((uintptr_t)1 << 47) - 16, 16 },
		{ ((uintptr_t)1 << 47) - 4096, 4096 },
		{ 0x7f0000000000, (uint64_t)1 << 30 },
		{ 0x555555554000, 24 },
	};
	struct blk b[1];
	uint64_t rng = seed;

	for (size_t t = 0; t < sizeof(one) / sizeof(one[0]); t++) {
		b[0] = (struct blk){ .addr = one[t].addr, .size = one[t].size };
		build_and_check(b, 1, &rng);
	}
}
END_TEST

/* Adjacent blocks: each pointer one past a block is the next block's
 * first byte. Every size from 0 to 300, then powers of two. */
START_TEST(adjacent_blocks_of_every_size)
{
	struct blk *b = blocks(MAXB);
	uint64_t rng = seed + 7;
	size_t n = 0;
	uintptr_t a = (uintptr_t)_i == 0 ? 0x10 : ((uintptr_t)1 << 47) - ((uintptr_t)1 << 36);

	for (uint64_t s = 0; s <= 300; s++) {
		b[n++] = (struct blk){ .addr = a, .size = s };
		a += s ? s : 1;
	}
	for (unsigned p = 9; p <= 26; p++) {
		b[n++] = (struct blk){ .addr = a, .size = (uint64_t)1 << p };
		a += (uint64_t)1 << p;
	}
	build_and_check(b, n, &rng);
	/* and with gaps of 1 byte between them */
	n = 0;
	a = (uintptr_t)_i == 0 ? 0x10 : ((uintptr_t)1 << 47) - ((uintptr_t)1 << 36);
	for (uint64_t s = 0; s <= 300; s++) {
		b[n++] = (struct blk){ .addr = a, .size = s };
		a += (s ? s : 1) + 1;
	}
	build_and_check(b, n, &rng);
}
END_TEST

/* Random sets: clusters at random places in [0, 2^47), blocks in each of
 * random sizes (mostly small, some huge) with random gaps, some 0. */
static size_t
draw_set(struct blk *b, uint64_t *rng, size_t clusters, size_t per)
{
	uintptr_t base[600];
	size_t n = 0;

	ck_assert(clusters <= 600);
	/* cluster bases, sorted, at least 64 GiB apart so that none overlap */
	for (size_t c = 0; c < clusters; c++)
		base[c] = (rng_next(rng) % (((uintptr_t)1 << 47) / ((uintptr_t)64 << 30) - 1)) *
		    ((uintptr_t)64 << 30);
	qsort(base, clusters, sizeof(base[0]), cmp_uptr);
	for (size_t c = 0; c < clusters; c++) {
		if (c > 0 && base[c] == base[c - 1])
			continue;
		uintptr_t a = base[c] + (rng_next(rng) % 4096) * 16;
		size_t k = 1 + (size_t)(rng_next(rng) % per);

		for (size_t i = 0; i < k && n < MAXB; i++) {
			uint64_t r = rng_next(rng);
			uint64_t size = r % 100 == 0 ? (r >> 8) % ((uint64_t)64 << 20) :
			    r % 10 == 0              ? 0 :
						       (r >> 8) % 512;
			uint64_t gap = (r >> 40) % 4 == 0 ? 0 : ((r >> 44) % 64) * 16;

			b[n++] = (struct blk){ .addr = a, .size = size, .stack = (stack_id_t)n };
			a += (size ? size : 1) + gap;
			if ((r >> 50) % 200 == 0)
				a += (uintptr_t)(16 + (r >> 56)) << 20; /* a gap that splits */
		}
	}
	return n;
}

START_TEST(random_sets)
{
	static const size_t shapes[][2] = {
		{ 1, 50 },
		{ 1, 1500 },
		{ 3, 500 },
		{ 40, 40 },
		{ 200, 10 },
		{ 300, 4 },
		{ 8, 2000 },
	};
	struct blk *b = blocks(MAXB);
	uint64_t rng = seed * 11 + (uint64_t)_i;

	for (size_t t = 0; t < sizeof(shapes) / sizeof(shapes[0]); t++) {
		size_t n = draw_set(b, &rng, shapes[t][0], shapes[t][1]);

		build_and_check(b, n, &rng);
	}
}
END_TEST

/* More clusters than CLUSTERS_MAX: the gap that splits them doubles until
 * they fit, and every block is still found. */
START_TEST(more_clusters_than_the_index_has)
{
	struct blk *b = blocks(MAXB);
	uint64_t rng = seed + 99;
	size_t n = 0;
	uintptr_t a = 0x100000;

	for (size_t c = 0; c < 3 * CLUSTERS_MAX; c++) {
		for (int k = 0; k < 3; k++) {
			b[n++] = (struct blk){ .addr = a, .size = 48 };
			a += 64;
		}
		/* gaps from just over CLUSTER_GAP to several times it */
		a += CLUSTER_GAP + (uintptr_t)(rng_next(&rng) % 8) * CLUSTER_GAP;
	}
	struct blkindex ix;

	memset(&ix, 0, sizeof(ix));
	ck_assert(blkindex_build(&ix, b, n));
	ck_assert_uint_le(ix.ncl, CLUSTERS_MAX);
	ck_assert_uint_gt(ix.ncl, 1);
	check_all(&ix, b, n, &rng, false);
	blkindex_free(&ix);
	/* exactly CLUSTERS_MAX clusters fit as they are */
	n = 0;
	a = 0x100000;
	for (size_t c = 0; c < CLUSTERS_MAX; c++) {
		b[n++] = (struct blk){ .addr = a, .size = 8 };
		a += 2 * CLUSTER_GAP;
	}
	memset(&ix, 0, sizeof(ix));
	ck_assert(blkindex_build(&ix, b, n));
	ck_assert_uint_eq(ix.ncl, CLUSTERS_MAX);
	check_all(&ix, b, n, &rng, true);
	blkindex_free(&ix);
}
END_TEST

/* A gap of exactly CLUSTER_GAP splits; one byte less does not. Either way
 * every address is found. */
START_TEST(cluster_gap_edge)
{
	struct blk b[4];
	struct blkindex ix;
	uint64_t rng = seed;

	for (int d = -1; d <= 1; d++) {
		b[0] = (struct blk){ .addr = 0x10000, .size = 32 };
		b[1] = (struct blk){ .addr = 0x10020, .size = 0 };
		b[2] = (struct blk){ .addr = 0x10021 + CLUSTER_GAP + (uintptr_t)d, .size = 16 };
		b[3] = (struct blk){ .addr = b[2].addr + 16, .size = 16 };
		memset(&ix, 0, sizeof(ix));
		ck_assert(blkindex_build(&ix, b, 4));
		ck_assert_uint_eq(ix.ncl, d < 0 ? 1 : 2);
		check_all(&ix, b, 4, &rng, true);
		blkindex_free(&ix);
	}
}
END_TEST

/* One block far bigger than the rest: a cluster's buckets grow with the
 * number of blocks, not its span. */
START_TEST(huge_block_among_small)
{
	struct blk *b = blocks(MAXB);
	uint64_t rng = seed + 5;
	size_t n = 0;
	uintptr_t a = 0x7f0000000000;

	for (int k = 0; k < 100; k++) {
		b[n++] = (struct blk){ .addr = a, .size = 24 };
		a += 32;
	}
	b[n++] = (struct blk){ .addr = a, .size = (uint64_t)8 << 30 };
	a += (uint64_t)8 << 30;
	for (int k = 0; k < 100; k++) {
		b[n++] = (struct blk){ .addr = a, .size = 40 };
		a += 48;
	}
	struct blkindex ix;

	memset(&ix, 0, sizeof(ix));
	ck_assert(blkindex_build(&ix, b, n));
	ck_assert_uint_le(ix.first_len / sizeof(uint32_t), 2 * n + 64);
	check_all(&ix, b, n, &rng, true);
	blkindex_free(&ix);
}
END_TEST

/* Sort, then index: as scan.c uses them, on a set given in the order
 * addrmap_foreach() produces (an ordered run, then the rest). */
START_TEST(sort_then_index)
{
	struct blk *b = blocks(MAXB), *tmp = blocks(MAXB);
	uint64_t rng = seed * 5 + (uint64_t)_i;
	size_t n = draw_set(b, &rng, 20, 300);

	shuffle_tail(b, (size_t)(rng_next(&rng) % (n + 1)), n, &rng);
	blkindex_sort(b, tmp, n);
	for (size_t i = 1; i < n; i++)
		ck_assert(b[i - 1].addr < b[i].addr);
	build_and_check(b, n, &rng);
}
END_TEST

START_TEST(mmap_fails)
{
	struct blk b[2] = { { .addr = 0x1000, .size = 16 }, { .addr = 0x2000, .size = 16 } };
	struct blkindex ix;

	memset(&ix, 0, sizeof(ix));
	arena_set_fault(0); /* the buckets */
	ck_assert(!blkindex_build(&ix, b, 2));
	arena_set_fault(-1);
	blkindex_free(&ix);
	memset(&ix, 0, sizeof(ix));
	ck_assert(blkindex_build(&ix, b, 2));
	ck_assert_int_eq(blkindex_find(&ix, 0x2008), 1);
	blkindex_free(&ix);
}
END_TEST

static Suite *
blkindex_suite(void)
{
	Suite *s = suite_create("blkindex");
	TCase *tc = tcase_create("sort");

	tcase_add_loop_test(tc, sort_matches_qsort, 0, 7);
	tcase_add_loop_test(tc, sort_random_addresses, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("index");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, empty_set_finds_nothing);
	tcase_add_test(tc, single_blocks);
	tcase_add_loop_test(tc, adjacent_blocks_of_every_size, 0, 2);
	tcase_add_loop_test(tc, random_sets, 0, 4);
	tcase_add_test(tc, more_clusters_than_the_index_has);
	tcase_add_test(tc, cluster_gap_edge);
	tcase_add_test(tc, huge_block_among_small);
	tcase_add_loop_test(tc, sort_then_index, 0, 3);
	tcase_add_test(tc, mmap_fails);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(blkindex_suite(), "check_blkindex");
}
